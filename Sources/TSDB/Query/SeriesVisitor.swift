import SQLite

/// The samples of one series as `Querier.forEachSeries` decodes them: two columns reused from
/// series to series (emptied, capacity kept), so a visit allocates nothing per series once
/// they have grown to the longest one.
struct SampleColumns {
    var timestamps: [Int64] = []
    var values: [Double] = []

    mutating func removeAll() {
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    /// Writes the samples of XOR chunk `bytes` in [mint, maxt] (at most `room`) to `ts`/`vs`;
    /// how many, and false once one after `maxt` was seen. The iterator is a local of this
    /// function, not captured by a closure, so its state stays in registers instead of being
    /// stored and reloaded for every sample.
    private static func decodeXOR(_ bytes: [UInt8], mint: Int64, maxt: Int64, room: Int,
                                  _ ts: UnsafeMutablePointer<Int64>, _ vs: UnsafeMutablePointer<Double>) -> (Int, Bool) {
        var it = XORChunkIterator(bytes)
        var n = 0
        while n < room && it.next() {
            let t = it.t
            if t < mint { continue }
            if t > maxt { return (n, false) }
            ts[n] = t
            vs[n] = it.v
            n &+= 1
        }
        return (n, true)
    }

    /// Appends the samples of one encoded chunk that fall in [mint, maxt]; false once a sample
    /// after `maxt` was seen (chunks come in time order, so no later one can contribute).
    /// XOR chunks are decoded here, in one loop over the iterator (inlined: this module owns
    /// it), rather than through `SeriesIterator`'s per-sample chunk and encoding dispatch.
    /// A damaged chunk contributes the samples before the damage, as `SeriesIterator` does.
    mutating func append(chunk bytes: [UInt8], mint: Int64, maxt: Int64) -> Bool {
        if bytes.first == ChunkEncoding.xor.rawValue {
            // Room for every sample the header announces, written through raw pointers (no
            // per-sample capacity or uniqueness check), then trimmed to what was in range.
            let start = timestamps.count, room = XORChunkIterator(bytes).count
            timestamps.append(contentsOf: repeatElement(0, count: room))
            values.append(contentsOf: repeatElement(0, count: room))
            var written = 0
            var more = true
            timestamps.withUnsafeMutableBufferPointer { tp in
                values.withUnsafeMutableBufferPointer { vp in
                    (written, more) = Self.decodeXOR(bytes, mint: mint, maxt: maxt, room: room,
                                                     tp.baseAddress! + start, vp.baseAddress! + start)
                }
            }
            timestamps.removeLast(room &- written)
            values.removeLast(room &- written)
            return more
        }
        // Compacted blocks (decoded whole by the iterator) and unknown encodings (an error).
        var it = SampleIterator(bytes)
        while it.next() {
            let t = it.t
            if t < mint { continue }
            if t > maxt { return false }
            timestamps.append(t)
            values.append(it.v)
        }
        return true
    }
}

extension Querier {
    /// Calls `body` with each series `select(matchers, sorted: true, onlyLabels:)` returns, in
    /// the same order, with its labels and its samples in [mint, maxt] — without building the
    /// selection first. In-memory chunks are decoded in place under their stripe lock (no
    /// chunk arrays copied or retained past it, so an appender never has to copy the open
    /// chunk because a query still holds it); only a series that also needs SQLite has its
    /// memory chunks captured, as `select` does. The arrays passed to `body` are reused for the
    /// next series: valid during the call only.
    ///
    /// With `onlyLabels`, consecutive series that agree on those labels get the same `Labels`
    /// value (same storage), so a caller grouping by them can recognise a repeat by identity.
    ///
    /// With `latestOnly`, a series held in memory gets only the samples of its newest chunk
    /// starting at or before `maxt`: that chunk holds its last sample at or before `maxt`,
    /// which is all an instant vector selector reads, so the older chunks of its lookback
    /// window are not decoded. (Series that also need SQLite get every sample.)
    public func forEachSeries(_ matchers: [Matcher], onlyLabels: [String]?, latestOnly: Bool = false,
                              _ body: (Labels, [Int64], [Double]) throws -> Void) throws {
        guard mint <= maxt else { return }
        let refs = db.index.postings(for: matchers)
        var found: [MemSeries] = []
        found.reserveCapacity(refs.count)
        var needsDisk = false
        for ref in refs {
            db.head.withSeries(ref) { s in
                guard let s, s.lastTime >= mint, s.firstTime <= maxt else { return }
                found.append(s)
                if mint < s.memoryFrom && mint <= s.persistedMaxTime { needsDisk = true }
            }
        }
        if found.count > 1 {
            found = db.index.labelSortOrder(found.map(\.symbols)).map { found[$0] }
        }
        let labels = db.index.labels(ofAll: found.lazy.map(\.symbols), only: onlyLabels)
        var columns = SampleColumns()
        func visit(_ conn: Connection?) throws {
            let stmt = try conn.map { try $0.prepare(Self.persistedChunksSQL) }
            defer { stmt?.reset() }
            for (k, s) in found.enumerated() {
                columns.removeAll()
                if let captured = decodeMemory(s, latestOnly: latestOnly, into: &columns) {
                    // Persisted chunks first (older), then the captured memory ones.
                    var blobs: [[UInt8]] = []
                    if let stmt {
                        blobs = try persistedChunks(stmt, captured)
                    } else {
                        // The series came to need SQLite after the first pass (a checkpoint
                        // dropped its oldest memory chunks in between).
                        blobs = try db.storage.withReader { try persistedChunks($0.prepare(Self.persistedChunksSQL), captured) }
                    }
                    var more = true
                    for b in blobs where more { more = columns.append(chunk: b, mint: mint, maxt: maxt) }
                    for m in captured.memory where more { more = columns.append(chunk: m.bytes, mint: mint, maxt: maxt) }
                }
                if !columns.timestamps.isEmpty { try body(labels[k], columns.timestamps, columns.values) }
            }
        }
        do {
            if needsDisk { try db.storage.withReader { try visit($0) } } else { try visit(nil) }
        } catch let e as SQLiteError {
            throw TSDBError.storage("query: \(e)")
        }
    }

    /// What a series that also needs SQLite had in memory, captured under its stripe lock.
    private struct CapturedMemory {
        let ref: SeriesRef
        let memory: [MemChunk]
        let memoryFrom: Int64
        let persistedMaxTime: Int64
    }

    /// Decodes the series' in-memory chunks in range into `columns` under its stripe lock and
    /// returns nil, or, when part of the range is only in SQLite, decodes nothing and returns
    /// what the caller needs to read SQLite and then memory.
    private func decodeMemory(_ s: MemSeries, latestOnly: Bool, into columns: inout SampleColumns) -> CapturedMemory? {
        let stripe = HeadStripes.stripeIndex(s.ref)
        db.head.lockStripe(stripe)
        defer { db.head.unlockStripe(stripe) }
        if mint < s.memoryFrom && mint <= s.persistedMaxTime {
            return CapturedMemory(ref: s.ref, memory: s.memChunks(mint: mint, maxt: maxt),
                                  memoryFrom: s.memoryFrom, persistedMaxTime: s.persistedMaxTime)
        }
        if latestOnly {
            // Chunks are in time order: the newest one starting at or before maxt holds the last
            // sample at or before maxt (none in range when that chunk ends before mint).
            if s.open.count > 0 && s.open.minTime <= maxt {
                if s.open.maxTime >= mint { _ = columns.append(chunk: s.open.bytes, mint: mint, maxt: maxt) }
                return nil
            }
            if let c = s.closed.last(where: { $0.minTime <= maxt }), c.maxTime >= mint {
                _ = columns.append(chunk: c.bytes, mint: mint, maxt: maxt)
            }
            return nil
        }
        for c in s.closed where c.maxTime >= mint && c.minTime <= maxt {
            if !columns.append(chunk: c.bytes, mint: mint, maxt: maxt) { return nil }
        }
        if s.open.count > 0 && s.open.maxTime >= mint && s.open.minTime <= maxt {
            _ = columns.append(chunk: s.open.bytes, mint: mint, maxt: maxt)
        }
        return nil
    }

    static let persistedChunksSQL = """
        SELECT data FROM chunks WHERE series_id = ?1 AND mint >= ?2 AND mint <= ?3 AND maxt >= ?4 AND maxt <= ?5
        ORDER BY mint
        """

    /// The persisted chunks of a captured series overlapping the range, as `select` reads them.
    private func persistedChunks(_ stmt: Statement, _ c: CapturedMemory) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        try appendPersistedChunks(stmt, ref: c.ref, persistedMaxTime: c.persistedMaxTime, memoryFrom: c.memoryFrom, to: &out)
        return out
    }

    /// Appends the rows of `persistedChunksSQL` for one series: the persisted chunks that
    /// overlap the range and end before memory starts (memory and SQLite overlap for the
    /// recent persisted chunks kept in memory).
    func appendPersistedChunks(_ stmt: Statement, ref: SeriesRef, persistedMaxTime: Int64, memoryFrom: Int64,
                               to out: inout [[UInt8]]) throws {
        let maxSpan = max(db.options.chunkRangeMilliseconds, db.options.compactionWindowMilliseconds)
        stmt.reset()
        try stmt.bind(Int64(bitPattern: ref.raw), at: 1)
        try stmt.bind(mint > Int64.min + maxSpan ? mint - maxSpan : Int64.min, at: 2)
        try stmt.bind(maxt, at: 3)
        try stmt.bind(mint, at: 4)
        try stmt.bind(min(persistedMaxTime, memoryFrom &- 1), at: 5)
        while try stmt.step() { out.append(stmt.blob(0)) }
        stmt.reset()
    }
}
