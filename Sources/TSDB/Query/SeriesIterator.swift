/// Iterates the samples of one series in time order over its chunks, whatever their
/// encoding, clipped to the query's [mint, maxt]. The current chunk's iterator is a stored
/// field (not an enum payload), so advancing mutates it in place: no copies, existentials or
/// allocation per sample.
public struct SeriesIterator {
    private let chunks: [[UInt8]]
    private let mint: Int64
    private let maxt: Int64
    private var chunkIndex = -1
    private var current = SampleIterator([])
    private var hasCurrent = false
    /// Set when a chunk turned out to be damaged; iteration skips the rest of that chunk.
    public private(set) var error: ChunkError?

    init(chunks: [[UInt8]], mint: Int64, maxt: Int64) {
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
    }

    public var t: Int64 { current.t }
    public var v: Double { current.v }

    /// Advances to the next sample in range; false when there is none.
    @inline(__always)
    public mutating func next() -> Bool {
        while true {
            if hasCurrent {
                if current.next() {
                    let t = current.t
                    if t < mint { if current.seek(mint) { return check() } else { continue } }
                    return check()
                }
                if let e = current.error { error = e }
                hasCurrent = false
            }
            guard openNextChunk() else { return false }
        }
    }

    /// Advances to the first sample at or after `target` (never backwards); false if none.
    public mutating func seek(_ target: Int64) -> Bool {
        if hasCurrent && current.t >= target && current.t >= mint { return current.t <= maxt }
        while true {
            if !hasCurrent { guard openNextChunk() else { return false } }
            if current.seek(Swift.max(target, mint)) { return check() }
            if let e = current.error { error = e }
            hasCurrent = false
        }
    }

    @inline(__always)
    private mutating func check() -> Bool {
        if current.t > maxt {
            hasCurrent = false
            chunkIndex = chunks.count
            return false
        }
        return true
    }

    private mutating func openNextChunk() -> Bool {
        chunkIndex += 1
        guard chunkIndex < chunks.count else { return false }
        current = SampleIterator(chunks[chunkIndex])
        hasCurrent = true
        return true
    }

    /// Collects the remaining samples (convenience for tests and small reads).
    public mutating func collect() -> [(t: Int64, v: Double)] {
        var out: [(t: Int64, v: Double)] = []
        while next() { out.append((t, v)) }
        return out
    }
}
