import SQLite

/// One series found by a query: its labels and its chunks within the query range.
public struct SeriesData: Sendable {
    public let ref: SeriesRef
    public let labels: Labels
    /// Encoded chunks in time order (persisted first, then in memory).
    public let chunks: [[UInt8]]
    public let mint: Int64
    public let maxt: Int64

    public func makeIterator() -> SeriesIterator {
        SeriesIterator(chunks: chunks, mint: mint, maxt: maxt)
    }

    /// Every sample in range, decoded (convenience; the evaluator iterates instead).
    public func samples() -> [(t: Int64, v: Double)] {
        var it = makeIterator()
        return it.collect()
    }
}

/// Reads series over a time range: from memory for recent data, from SQLite for the rest.
public struct Querier: Sendable {
    let db: TSDB
    public let mint: Int64
    public let maxt: Int64

    init(db: TSDB, mint: Int64, maxt: Int64) {
        self.db = db
        // Nothing older than the retention window is visible, even before it is deleted.
        self.mint = max(mint, db.statsLock.withLock { db.minValidTime })
        self.maxt = maxt
    }

    private struct Captured {
        let ref: SeriesRef
        let symbols: [UInt32]
        let memory: [MemChunk]
        /// Memory holds every sample from this time on; SQLite is read only before it.
        let memoryFrom: Int64
        let persistedMaxTime: Int64
        let firstTime: Int64
        let lastTime: Int64
    }

    /// The series matching every matcher that have samples in range, with their chunks.
    /// Sorted by labels when `sorted`. (PromQL reads through `forEachSeries`, which decodes
    /// in place instead of collecting chunks.)
    public func select(_ matchers: [Matcher], sorted: Bool = false) throws -> [SeriesData] {
        guard mint <= maxt else { return [] }
        var captured = capture(matchers)
        if sorted && captured.count > 1 {
            captured = db.index.labelSortOrder(captured.map(\.symbols)).map { captured[$0] }
        }
        var out: [SeriesData] = []
        out.reserveCapacity(captured.count)
        let labels = db.index.labels(ofAll: captured.lazy.map(\.symbols))
        let needsDisk = captured.contains { mint < $0.memoryFrom && mint <= $0.persistedMaxTime }
        func build(_ conn: Connection?) throws {
            let stmt = try conn?.prepare(Self.persistedChunksSQL)
            for (k, c) in captured.enumerated() {
                var chunks: [[UInt8]] = []
                if let stmt, mint < c.memoryFrom, mint <= c.persistedMaxTime {
                    try appendPersistedChunks(stmt, ref: c.ref, persistedMaxTime: c.persistedMaxTime, memoryFrom: c.memoryFrom, to: &chunks)
                }
                for m in c.memory { chunks.append(m.bytes) }
                if chunks.isEmpty { continue }
                out.append(SeriesData(ref: c.ref, labels: labels[k], chunks: chunks, mint: mint, maxt: maxt))
            }
            stmt?.reset()
        }
        do {
            if needsDisk { try db.storage.withReader { try build($0) } } else { try build(nil) }
        } catch let e as SQLiteError {
            throw TSDBError.storage("query: \(e)")
        }
        return out
    }

    /// The label sets of matching series with samples in range (the `/api/v1/series` answer).
    public func series(_ matchers: [Matcher]) -> [Labels] {
        let captured = capture(matchers)
        return db.index.labelSortOrder(captured.map(\.symbols)).map { db.index.labels(of: captured[$0].symbols) }
    }

    /// Label names of the series matching `matchers` (all series when empty), sorted.
    public func labelNames(_ matchers: [Matcher] = []) -> [String] {
        if matchers.isEmpty { return db.index.labelNames() }
        let captured = capture(matchers)
        var names = Set<String>()
        for c in captured { for l in db.index.labels(of: c.symbols) { names.insert(l.name) } }
        return names.sorted { $0.utf8Precedes($1) }
    }

    /// Values of label `name` on the series matching `matchers` (all series when empty), sorted.
    public func labelValues(_ name: String, _ matchers: [Matcher] = []) -> [String] {
        if matchers.isEmpty { return db.index.labelValues(name, refs: nil) }
        let refs = capture(matchers).map(\.ref)
        return db.index.labelValues(name, refs: refs)
    }

    /// Matching series whose samples overlap [mint, maxt], with their in-memory chunks captured
    /// under their stripe locks.
    private func capture(_ matchers: [Matcher]) -> [Captured] {
        let refs = db.index.postings(for: matchers)
        var out: [Captured] = []
        out.reserveCapacity(refs.count)
        for ref in refs {
            db.head.withSeries(ref) { s in
                guard let s, s.lastTime >= mint, s.firstTime <= maxt else { return }
                out.append(Captured(ref: ref, symbols: s.symbols, memory: s.memChunks(mint: mint, maxt: maxt),
                                    memoryFrom: s.memoryFrom, persistedMaxTime: s.persistedMaxTime,
                                    firstTime: s.firstTime, lastTime: s.lastTime))
            }
        }
        return out
    }
}

extension Labels {
    /// Orders label sets as Prometheus does: label by label, name then value.
    public func lexicographicallyPrecedes(_ other: Labels) -> Bool {
        let n = Swift.min(count, other.count)
        for i in 0..<n {
            let a = self[i], b = other[i]
            if !a.name.utf8Equals(b.name) { return a.name.utf8Precedes(b.name) }
            if !a.value.utf8Equals(b.value) { return a.value.utf8Precedes(b.value) }
        }
        return count < other.count
    }
}

extension TSDB {
    /// At most how many series `matchers` select: the smallest postings list among their
    /// non-empty equality matchers, from the index alone (nil when there is none). A cheap
    /// bound for deciding whether a query is small, not a count.
    public func seriesUpperBound(_ matchers: [Matcher]) -> Int? {
        var bound: Int?
        for m in matchers where m.kind == .equal && !m.value.isEmpty {
            let n = index.postingsCount(name: m.name, value: m.value)
            bound = Swift.min(bound ?? n, n)
        }
        return bound
    }

    /// A reader over [mint, maxt] (inclusive, ms).
    public func querier(mint: Int64, maxt: Int64) -> Querier {
        Querier(db: self, mint: mint, maxt: maxt)
    }
}
