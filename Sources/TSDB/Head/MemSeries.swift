/// A closed chunk still in memory: immutable encoded bytes with their time bounds.
public struct MemChunk: Sendable {
    public let minTime: Int64
    public let maxTime: Int64
    public let bytes: [UInt8]
}

/// One series in the head. Its mutable state is guarded by the lock of its stripe
/// (`HeadStripes`), never by a lock of its own, to keep the per-series footprint small.
/// That lock is what makes access exclusive, so Swift's dynamic exclusivity checks (a
/// measurable share of a sample append) are turned off for these fields.
final class MemSeries: @unchecked Sendable {
    let ref: SeriesRef
    /// Label pairs as symbol ids: name, value, name, value...
    let symbols: [UInt32]
    /// The chunk samples are appended to.
    @exclusivity(unchecked) var open = XORChunkAppender()
    /// Closed chunks in memory, oldest first: the first `persistedChunks` are already in the
    /// `chunks` table and kept only while recent (instant queries and rule windows then never
    /// read SQLite); the rest await the next checkpoint.
    @exclusivity(unchecked) var closed: [MemChunk] = []
    @exclusivity(unchecked) var persistedChunks = 0
    /// Where the open chunk must be closed at the latest (aligned chunk-range end).
    @exclusivity(unchecked) var openBoundary: Int64 = .min
    @exclusivity(unchecked) var firstTime: Int64 = .max
    @exclusivity(unchecked) var lastTime: Int64 = .min
    @exclusivity(unchecked) var lastValueBits: UInt64 = 0
    /// Everything at or before this time is in the `chunks` table.
    @exclusivity(unchecked) var persistedMaxTime: Int64 = .min
    /// Bumped on every change; a checkpoint compares it with `checkpointedVersion`.
    @exclusivity(unchecked) var version: UInt32 = 0
    @exclusivity(unchecked) var checkpointedVersion: UInt32 = 0

    init(ref: SeriesRef, symbols: [UInt32]) {
        self.ref = ref
        self.symbols = symbols
    }

    var isDirty: Bool { version != checkpointedVersion }

    /// Appends one sample the caller has already checked is newer than `lastTime`.
    @inline(__always)
    func append(_ t: Int64, _ v: Double, samplesPerChunk: Int, chunkRange: Int64) {
        if open.count > 0 && (open.count >= samplesPerChunk || t >= openBoundary) {
            closeOpenChunk(reserving: 192)
        }
        if open.count == 0 {
            openBoundary = HeadStripes.rangeEnd(t, chunkRange)
        }
        open.append(t, v)
        if t < firstTime { firstTime = t }
        lastTime = t
        lastValueBits = v.bitPattern
        version &+= 1
    }

    /// Moves the open chunk to the closed list (exact-size copy: the appender reserves slack a
    /// closed chunk never needs) and starts a new one with `reserving` bytes of capacity.
    func closeOpenChunk(reserving: Int) {
        let src = open.bytes
        let exact = [UInt8](unsafeUninitializedCapacity: src.count) { buf, n in
            _ = buf.initialize(from: src)
            n = src.count
        }
        closed.append(MemChunk(minTime: open.minTime, maxTime: open.maxTime, bytes: exact))
        open = XORChunkAppender(capacity: reserving)
    }

    /// Frees persisted chunks that ended before `time` (they are read from SQLite from now on).
    func dropOldPersistedChunks(before time: Int64) {
        var n = 0
        while n < persistedChunks && closed[n].maxTime < time { n += 1 }
        if n > 0 {
            closed.removeFirst(n)
            persistedChunks -= n
        }
    }

    /// The earliest time from which memory holds every sample of the series (Int64.max when
    /// it holds none): queries read SQLite only before it.
    var memoryFrom: Int64 {
        if let first = closed.first { return first.minTime }
        return open.count > 0 ? open.minTime : .max
    }

    /// The in-memory chunks (closed then open) overlapping [mint, maxt].
    func memChunks(mint: Int64, maxt: Int64) -> [MemChunk] {
        var out: [MemChunk] = []
        for c in closed where c.maxTime >= mint && c.minTime <= maxt { out.append(c) }
        if open.count > 0 && open.maxTime >= mint && open.minTime <= maxt {
            out.append(MemChunk(minTime: open.minTime, maxTime: open.maxTime, bytes: open.bytes))
        }
        return out
    }
}
