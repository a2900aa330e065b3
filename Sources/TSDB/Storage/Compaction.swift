import SQLite

/// What one compaction run did.
public struct CompactionResult: Sendable, Equatable {
    public var windows = 0
    public var chunksMerged = 0
    public var blocksWritten = 0
    public var bytesBefore = 0
    public var bytesAfter = 0
}

extension TSDB {
    /// Merges the persisted chunks of each series within each aligned compaction window that
    /// lies wholly behind the head into one block, re-encoded with the dense columnar codec.
    /// Windows are processed once; the position is kept in the `meta` table.
    @discardableResult
    public func compact() throws -> CompactionResult {
        guard !options.readOnly else { throw TSDBError.readOnly }
        return try maintenanceLock.withLock { try compactLocked() }
    }

    private func compactLocked() throws -> CompactionResult {
        var result = CompactionResult()
        let window = options.compactionWindowMilliseconds
        let newest = maxTime
        guard newest != .min, window > 0 else { return result }
        let db = storage.writer
        // A window is closed once no head chunk can still reach into it.
        let closedBefore = HeadStripes.rangeEnd(newest &- window &- options.chunkRangeMilliseconds, window) &- window
        var from = try commitLock.withLock { try db.scalarInt("SELECT value FROM meta WHERE key='compacted_until'") }
        if from == nil {
            guard let oldest = try storage.withReader({ try $0.scalarInt("SELECT min(mint) FROM chunks") }) else { return result }
            from = HeadStripes.rangeEnd(oldest, window) &- window
        }
        var start = from!
        while start &+ window <= closedBefore {
            let end = start &+ window
            try compactWindow(start: start, end: end, into: &result)
            try commitLock.withLock {
                try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES('compacted_until', ?1)", .int(end))
            }
            result.windows += 1
            start = end
        }
        if result.windows > 0 {
            try commitLock.withLock {
                try db.execute("PRAGMA incremental_vacuum")
                try db.walCheckpoint(truncate: true)
            }
            statsLock.withLock { statsValue.compactions += 1 }
            logger.info("compaction", metadata: ["windows": "\(result.windows)", "chunks_merged": "\(result.chunksMerged)",
                                                  "bytes_before": "\(result.bytesBefore)", "bytes_after": "\(result.bytesAfter)"])
        }
        return result
    }

    /// Rewrites the chunks of [start, end) series by series, a bounded number of series per transaction.
    private func compactWindow(start: Int64, end: Int64, into result: inout CompactionResult) throws {
        var seriesIDs: [Int64] = []
        try storage.withReader { conn in
            try conn.query("SELECT DISTINCT series_id FROM chunks WHERE maxt >= ?1 AND maxt < ?2",
                           .int(start), .int(end)) { seriesIDs.append($0.int64(0)) }
        }
        seriesIDs.sort()
        let db = storage.writer
        var i = 0
        while i < seriesIDs.count {
            let part = seriesIDs[i..<min(i + 5000, seriesIDs.count)]
            i += part.count
            // Read and encode outside the commit lock; only the swap needs it.
            var rewrites: [(id: Int64, old: [Int64], mint: Int64, maxt: Int64, data: [UInt8])] = []
            try storage.withReader { conn in
                let stmt = try conn.prepare(
                    "SELECT mint, data FROM chunks WHERE series_id = ?1 AND mint >= ?2 AND maxt < ?3 ORDER BY mint")
                defer { stmt.reset() }
                for id in part {
                    stmt.reset()
                    try stmt.bind(id, at: 1)
                    try stmt.bind(start, at: 2)
                    try stmt.bind(end, at: 3)
                    var mints: [Int64] = [], blobs: [[UInt8]] = []
                    var bytes = 0
                    while try stmt.step() {
                        mints.append(stmt.int64(0))
                        let b = stmt.blob(1)
                        bytes += b.count
                        blobs.append(b)
                    }
                    if blobs.isEmpty || (blobs.count == 1 && blobs[0].first == ChunkEncoding.compact.rawValue) { continue }
                    var it = SeriesIterator(chunks: blobs, mint: .min, maxt: .max)
                    var ts: [Int64] = [], vs: [Double] = []
                    while it.next() { ts.append(it.t); vs.append(it.v) }
                    guard let first = ts.first, let last = ts.last else { continue }
                    let data = CompactCodec.encode(timestamps: ts, values: vs)
                    result.chunksMerged += blobs.count
                    result.bytesBefore += bytes
                    result.bytesAfter += data.count
                    rewrites.append((id, mints, first, last, data))
                }
            }
            guard !rewrites.isEmpty else { continue }
            try commitLock.withLock {
                try db.transaction {
                    for r in rewrites {
                        for m in r.old {
                            try db.run("DELETE FROM chunks WHERE series_id = ?1 AND mint = ?2", .int(r.id), .int(m))
                        }
                        try db.run("INSERT INTO chunks(series_id, mint, maxt, data) VALUES(?1, ?2, ?3, ?4)",
                                   .int(r.id), .int(r.mint), .int(r.maxt), .blob(r.data))
                    }
                }
            }
            result.blocksWritten += rewrites.count
        }
    }
}
