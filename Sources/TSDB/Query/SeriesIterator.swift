/// Iterates the samples of one series in time order over its chunks, whatever their
/// encoding, clipped to the query's [mint, maxt]. A struct with an enum inside, so the
/// evaluation loop calls it without existentials or allocation per sample.
public struct SeriesIterator {
    private let chunks: [[UInt8]]
    private let mint: Int64
    private let maxt: Int64
    private var chunkIndex = -1
    private var current: Current = .none
    public private(set) var t: Int64 = 0
    public private(set) var v: Double = 0
    /// Set when a chunk turned out to be damaged; iteration skips the rest of that chunk.
    public private(set) var error: ChunkError?

    private enum Current {
        case none
        case xor(XORChunkIterator)
        case columns(timestamps: [Int64], values: [Double], index: Int)
    }

    init(chunks: [[UInt8]], mint: Int64, maxt: Int64) {
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
    }

    /// Advances to the next sample in range; false when there is none.
    public mutating func next() -> Bool {
        while true {
            switch current {
            case .none:
                guard openNextChunk() else { return false }
            case .xor(var it):
                current = .none  // drop the reference so `it` is uniquely owned while advancing
                while it.next() {
                    if it.t < mint { continue }
                    if it.t > maxt { chunkIndex = chunks.count; return false }
                    t = it.t
                    v = it.v
                    current = .xor(it)
                    return true
                }
                if let e = it.error { error = e }
            case .columns(let ts, let vs, var i):
                while i < ts.count {
                    let ti = ts[i]
                    i += 1
                    if ti < mint { continue }
                    if ti > maxt { chunkIndex = chunks.count; current = .none; return false }
                    t = ti
                    v = vs[i - 1]
                    current = .columns(timestamps: ts, values: vs, index: i)
                    return true
                }
                current = .none
            }
        }
    }

    private mutating func openNextChunk() -> Bool {
        while true {
            chunkIndex += 1
            guard chunkIndex < chunks.count else { return false }
            let bytes = chunks[chunkIndex]
            guard let kind = bytes.first else { continue }
            switch kind {
            case ChunkEncoding.xor.rawValue:
                current = .xor(XORChunkIterator(bytes))
                return true
            case ChunkEncoding.compact.rawValue:
                do {
                    let (ts, vs) = try CompactCodec.decode(bytes)
                    current = .columns(timestamps: ts, values: vs, index: 0)
                    return true
                } catch {
                    self.error = error
                }
            default:
                error = .unknownEncoding(kind)
            }
        }
    }

    /// Collects the remaining samples (convenience for tests and small reads).
    public mutating func collect() -> [(t: Int64, v: Double)] {
        var out: [(t: Int64, v: Double)] = []
        while next() { out.append((t, v)) }
        return out
    }
}
