import SQLite

/// What one retention run removed.
public struct RetentionResult: Sendable, Equatable {
    public var cutoff: Int64 = .min
    public var chunksDeleted = 0
    public var chunksTrimmed = 0
    public var seriesRemoved = 0
}

extension TSDB {
    /// Drops every sample older than the newest sample minus the retention time: whole chunks
    /// from SQLite and memory, the old part of chunks that straddle the cutoff, and series
    /// left with no samples at all. Nothing newer than the cutoff is touched.
    @discardableResult
    public func applyRetention() throws -> RetentionResult {
        guard !options.readOnly else { throw TSDBError.readOnly }
        return try maintenanceLock.withLock { try retentionLocked(now: nil) }
    }

    /// As `applyRetention()`, with the cutoff computed from `now` instead of the head's newest sample.
    @discardableResult
    public func applyRetention(now: Int64) throws -> RetentionResult {
        guard !options.readOnly else { throw TSDBError.readOnly }
        return try maintenanceLock.withLock { try retentionLocked(now: now) }
    }

    private func retentionLocked(now: Int64?) throws -> RetentionResult {
        var result = RetentionResult()
        let newest = now ?? maxTime
        guard newest != .min else { return result }
        if options.retentionMilliseconds > 0 {
            try drop(before: newest &- options.retentionMilliseconds, into: &result)
        }
        if let limit = options.retentionBytes {
            // Drop the oldest window at a time until the file fits (bounded, in case the
            // head alone is larger than the limit).
            for _ in 0..<256 {
                try commitLock.withLock {
                    try storage.writer.execute("PRAGMA incremental_vacuum")
                    try storage.writer.walCheckpoint(truncate: true)
                }
                let sizes = storage.fileSizes
                guard sizes.database + sizes.wal > limit,
                      let oldest = try storage.withReader({ try $0.scalarInt("SELECT min(maxt) FROM chunks") })
                else { break }
                try drop(before: oldest &+ 1 &+ options.compactionWindowMilliseconds / 4, into: &result)
            }
        }
        if result.chunksDeleted + result.seriesRemoved > 0 {
            logger.info("retention", metadata: ["cutoff": "\(result.cutoff)", "chunks_deleted": "\(result.chunksDeleted)",
                                                 "chunks_trimmed": "\(result.chunksTrimmed)",
                                                 "series_removed": "\(result.seriesRemoved)"])
        }
        statsLock.withLock { statsValue.retentionRuns += 1 }
        return result
    }

    /// Deletes every sample before `cutoff`, in memory and in SQLite, and series left empty.
    private func drop(before cutoff: Int64, into result: inout RetentionResult) throws {
        result.cutoff = max(result.cutoff, cutoff)
        statsLock.withLock { if cutoff > minValidTime { minValidTime = cutoff } }

        // Memory: closed chunks wholly before the cutoff go; series with nothing left go.
        var dead: [MemSeries] = []
        head.forEachSeries { s in
            let before = s.closed.count
            s.closed.removeAll { $0.maxTime < cutoff }
            let removed = before - s.closed.count
            s.persistedChunks = max(0, s.persistedChunks - removed)
            result.chunksDeleted += removed
            if s.firstTime < cutoff { s.firstTime = cutoff }
            if s.lastTime < cutoff && s.lastTime != .min { dead.append(s) }
        }
        // SQLite: whole chunks, then the straddling ones re-encoded without the old samples.
        let db = storage.writer
        let maxSpan = max(options.chunkRangeMilliseconds, options.compactionWindowMilliseconds)
        var straddling: [(Int64, Int64, [UInt8])] = []
        try storage.withReader { conn in
            try conn.query("SELECT series_id, mint, data FROM chunks WHERE maxt >= ?1 AND maxt < ?2 AND mint < ?1",
                           .int(cutoff), .int(cutoff &+ maxSpan)) { row in
                straddling.append((row.int64(0), row.int64(1), row.blob(2)))
            }
        }
        try commitLock.withLock {
            try db.transaction {
                try db.run("DELETE FROM chunks WHERE maxt < ?1", .int(cutoff))
                result.chunksDeleted += db.changes
                for (id, mint, data) in straddling {
                    _ = try rewriteStoredChunkLocked(seriesID: id, mint: mint, data: data) { $0 >= cutoff }
                    result.chunksTrimmed += 1
                }
                for s in dead {
                    let id = Int64(bitPattern: s.ref.raw)
                    try db.run("DELETE FROM series WHERE id = ?1", .int(id))
                    dirtyHeadBlocks.insert(HeadBlock.block(of: s.ref))
                    try db.run("DELETE FROM chunks WHERE series_id = ?1", .int(id))
                }
            }
        }
        removeFromHead(dead)
        result.seriesRemoved += dead.count
        statsLock.withLock {
            statsValue.seriesRemoved += dead.count
            if headMinTime < cutoff { headMinTime = cutoff }
        }
    }

    /// Removes series from the hash and ref stripes and from the index.
    func removeFromHead(_ dead: [MemSeries]) {
        guard !dead.isEmpty else { return }
        for s in dead {
            let h = TSDB.symbolHash(s.symbols)
            let hs = head.stripe(forHash: h)
            hs.lock.withLock {
                hs.byHash[h]?.removeAll { $0 === s }
                if hs.byHash[h]?.isEmpty == true { hs.byHash[h] = nil }
            }
            head.setSeries(s.ref, nil)
        }
        let symbolsByRef = Dictionary(uniqueKeysWithValues: dead.map { ($0.ref, $0.symbols) })
        index.remove(dead.map(\.ref)) { symbolsByRef[$0] }
    }
}
