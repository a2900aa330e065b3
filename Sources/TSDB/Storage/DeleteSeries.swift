import SQLite

extension TSDB {
    /// Deletes the series matching every matcher, with all their samples, in memory and in
    /// SQLite (`/api/v1/admin/tsdb/delete_series` without a time range). Returns how many
    /// series were deleted. Samples still in the append log for them are dropped at replay.
    @discardableResult
    public func deleteSeries(_ matchers: [Matcher]) throws -> Int {
        guard !options.readOnly else { throw TSDBError.readOnly }
        let refs = index.postings(for: matchers)
        var dead: [MemSeries] = []
        for ref in refs {
            head.withSeries(ref) { s in if let s { dead.append(s) } }
        }
        guard !dead.isEmpty else { return 0 }
        let db = storage.writer
        try commitLock.withLock {
            try db.transaction {
                for s in dead {
                    let id = Int64(bitPattern: s.ref.raw)
                    try db.run("DELETE FROM series WHERE id = ?1", .int(id))
                    try db.run("DELETE FROM chunks WHERE series_id = ?1", .int(id))
                    dirtyHeadBlocks.insert(HeadBlock.block(of: s.ref))
                }
            }
        }
        removeFromHead(dead)
        statsLock.withLock { statsValue.seriesRemoved += dead.count }
        return dead.count
    }

    /// Writes a consistent copy of the whole database to `path` (SQLite's `VACUUM INTO`),
    /// while appends continue: `/api/v1/admin/tsdb/snapshot`.
    public func snapshot(to path: String) throws {
        // Its own connection: VACUUM cannot run inside the pool's read transactions.
        let conn = try Connection(path: storage.path, mode: .readOnly)
        try conn.run("VACUUM INTO ?1", .text(path))
    }
}
