import SQLite

extension TSDB {
    /// Deletes the samples in [mint, maxt] of the series matching every matcher
    /// (`/api/v1/admin/tsdb/delete_series` with `start`/`end`). Returns how many samples went.
    ///
    /// Prometheus writes tombstones and filters reads until `clean_tombstones`; Vigil rewrites
    /// the affected chunks at once (in memory and in SQLite) and checkpoints, so neither a
    /// query nor a restart (replaying the append log) sees the samples again. A series left
    /// with no samples stays, empty, as in Prometheus. A whole-range delete is `deleteSeries`.
    @discardableResult
    public func deleteSamples(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> Int {
        guard !options.readOnly else { throw TSDBError.readOnly }
        guard mint <= maxt else { return 0 }
        let refs = index.postings(for: matchers)
        guard !refs.isEmpty else { return 0 }
        return try maintenanceLock.withLock {
            var removed = 0
            var touched = Set<Int64>()
            // Memory: persisted chunks are dropped from memory (SQLite has them and is rewritten
            // below); unpersisted closed chunks and the open chunk are re-encoded without the range.
            for ref in refs {
                head.withSeries(ref) { s in
                    guard let s else { return }
                    let n = s.removeSamples(mint: mint, maxt: maxt)
                    if n > 0 || s.persistedMaxTime >= mint { touched.insert(HeadBlock.block(of: ref)) }
                    removed += n
                }
            }
            // SQLite: every stored chunk of these series overlapping the range.
            var overlapping: [(id: Int64, mint: Int64, data: [UInt8])] = []
            try storage.withReader { conn in
                let stmt = try conn.prepare("SELECT mint, data FROM chunks WHERE series_id = ?1 AND mint <= ?2 AND maxt >= ?3")
                defer { stmt.reset() }
                for ref in refs {
                    let id = Int64(bitPattern: ref.raw)
                    try stmt.bind([.int(id), .int(maxt), .int(mint)])
                    while try stmt.step() { overlapping.append((id, stmt.int64(0), stmt.blob(1))) }
                    stmt.reset()
                }
            }
            let db = storage.writer
            try commitLock.withLock {
                try db.transaction {
                    for c in overlapping {
                        removed += try rewriteStoredChunkLocked(seriesID: c.id, mint: c.mint, data: c.data) { $0 < mint || $0 > maxt }
                    }
                }
                dirtyHeadBlocks.formUnion(touched)
            }
            // The rewritten head state goes to SQLite and the log records holding the deleted
            // samples are trimmed, so a restart cannot bring them back.
            _ = try checkpointLocked()
            return removed
        }
    }
}

extension MemSeries {
    /// Removes the in-memory samples in [mint, maxt]; returns how many of the unpersisted
    /// ones went (persisted ones are dropped from memory only: SQLite is their copy).
    /// Caller holds the series' stripe lock.
    func removeSamples(mint: Int64, maxt: Int64) -> Int {
        var removed = 0
        if persistedChunks > 0, closed[0..<persistedChunks].contains(where: { $0.maxTime >= mint && $0.minTime <= maxt }) {
            closed.removeFirst(persistedChunks)
            persistedChunks = 0
        }
        var rebuilt: [MemChunk] = Array(closed[0..<persistedChunks])
        for c in closed[persistedChunks...] {
            guard c.maxTime >= mint && c.minTime <= maxt else {
                rebuilt.append(c)
                continue
            }
            let chunk = Self.reencoded(c.bytes, without: mint...maxt, removed: &removed)
            if chunk.count > 0 { rebuilt.append(MemChunk(minTime: chunk.minTime, maxTime: chunk.maxTime, bytes: chunk.bytes)) }
        }
        closed = rebuilt
        if open.count > 0 && open.maxTime >= mint && open.minTime <= maxt {
            open = Self.reencoded(open.bytes, without: mint...maxt, removed: &removed)
        }
        // lastTime stays: appends must still be newer than anything the series ever had.
        version &+= 1
        return removed
    }

    /// The samples of an in-memory chunk outside `range`, as an appendable chunk.
    private static func reencoded(_ bytes: [UInt8], without range: ClosedRange<Int64>, removed: inout Int) -> XORChunkAppender {
        var it = SeriesIterator(chunks: [bytes], mint: .min, maxt: .max)
        var chunk = XORChunkAppender(capacity: bytes.count + 16)
        while it.next() {
            if range.contains(it.t) { removed += 1 } else { chunk.append(it.t, it.v) }
        }
        return chunk
    }
}

extension TSDB {
    /// Replaces a stored chunk by one holding only the samples whose time `keep` accepts
    /// (none left: the row just goes). Returns how many samples went. Caller holds
    /// `commitLock`, inside a transaction of the writer.
    func rewriteStoredChunkLocked(seriesID id: Int64, mint: Int64, data: [UInt8], keep: (Int64) -> Bool) throws -> Int {
        var it = SeriesIterator(chunks: [data], mint: .min, maxt: .max)
        let all = it.collect()
        let kept = all.filter { keep($0.t) }
        let db = storage.writer
        try db.run("DELETE FROM chunks WHERE series_id = ?1 AND mint = ?2", .int(id), .int(mint))
        if let first = kept.first, let last = kept.last {
            let encoded = CompactCodec.encode(timestamps: kept.map(\.t), values: kept.map(\.v))
            try db.run("INSERT OR REPLACE INTO chunks(series_id, mint, maxt, data) VALUES(?1, ?2, ?3, ?4)",
                       .int(id), .int(first.t), .int(last.t), .blob(encoded))
        }
        return all.count - kept.count
    }
}
