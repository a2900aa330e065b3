import SQLite

/// What one checkpoint wrote.
public struct CheckpointResult: Sendable {
    public var seriesWritten = 0
    public var chunksWritten = 0
    public var logRecordsTrimmed = 0
}

extension TSDB {
    private struct SeriesSnapshot {
        let series: MemSeries
        let closed: [MemChunk]
        let open: [UInt8]
        let firstTime: Int64
        let persistedMaxTime: Int64
        let lastValueBits: UInt64
        let version: UInt32
    }

    /// Persists closed chunks and the state of every changed series, then trims the append log
    /// up to the point the written state covers, and drops the persisted chunks from memory.
    ///
    /// Appends go on meanwhile: the log position is fixed first, so whatever arrives later
    /// stays in the log, and state written twice is harmless (replay is idempotent).
    @discardableResult
    public func checkpoint() throws -> CheckpointResult {
        try maintenanceLock.withLock { try checkpointLocked() }
    }

    func checkpointLocked() throws -> CheckpointResult {
        var result = CheckpointResult()
        let db = storage.writer
        let logEnd: Int64 = try commitLock.withLock {
            guard !isClosed else { throw TSDBError.closed }
            try commitLocked(record: nil)  // persist pending series first
            return try db.scalarInt("SELECT max(id) FROM wal") ?? 0
        }
        var snapshots: [SeriesSnapshot] = []
        // Series that stopped receiving samples a chunk range ago get their open chunk closed,
        // so it is persisted and its appender's memory freed (a churned-away series then costs
        // only its labels and a few words until retention removes it).
        let staleBefore = maxTime == .min ? Int64.min : maxTime &- options.chunkRangeMilliseconds
        head.forEachSeries { s in
            if s.open.count > 0 && s.open.maxTime < staleBefore {
                s.closeOpenChunk(reserving: 0)
                s.version &+= 1
            }
            guard s.isDirty else { return }
            let persisted = s.closed.last?.maxTime ?? s.persistedMaxTime
            snapshots.append(SeriesSnapshot(series: s, closed: s.closed, open: s.open.count > 0 ? s.open.bytes : [],
                                            firstTime: s.firstTime, persistedMaxTime: max(persisted, s.persistedMaxTime),
                                            lastValueBits: s.lastValueBits, version: s.version))
        }
        // In ref order, rows land in the chunks and head b-trees as a sweep rather than at
        // random pages: far fewer page reads, and pages fill up instead of splitting half-empty.
        snapshots.sort { $0.series.ref < $1.series.ref }
        let batchSize = 20_000
        var start = 0
        while start < snapshots.count {
            let part = snapshots[start..<min(start + batchSize, snapshots.count)]
            start += batchSize
            try commitLock.withLock {
                try db.transaction {
                    let chunkStmt = try db.prepare(
                        "INSERT OR REPLACE INTO chunks(series_id, mint, maxt, data) VALUES(?1, ?2, ?3, ?4)")
                    let headStmt = try db.prepare(
                        "INSERT OR REPLACE INTO head(series_id, first_t, persisted_maxt, last_bits, data) VALUES(?1, ?2, ?3, ?4, ?5)")
                    for snap in part {
                        let id = Int64(bitPattern: snap.series.ref.raw)
                        for c in snap.closed {
                            try chunkStmt.bind(id, at: 1)
                            try chunkStmt.bind(c.minTime, at: 2)
                            try chunkStmt.bind(c.maxTime, at: 3)
                            try chunkStmt.bind(c.bytes, at: 4)
                            try chunkStmt.step()
                            chunkStmt.reset()
                            result.chunksWritten += 1
                        }
                        try headStmt.bind(id, at: 1)
                        try headStmt.bind(snap.firstTime, at: 2)
                        try headStmt.bind(snap.persistedMaxTime, at: 3)
                        try headStmt.bind(Int64(bitPattern: snap.lastValueBits), at: 4)
                        if snap.open.isEmpty { try headStmt.bind(.null, at: 5) } else { try headStmt.bind(snap.open, at: 5) }
                        try headStmt.step()
                        headStmt.reset()
                    }
                }
            }
            for snap in part {
                head.withSeries(snap.series.ref) { s in
                    guard let s, s === snap.series else { return }
                    s.closed.removeFirst(min(snap.closed.count, s.closed.count))
                    s.persistedMaxTime = max(s.persistedMaxTime, snap.persistedMaxTime)
                    s.checkpointedVersion = snap.version
                }
            }
            result.seriesWritten += part.count
        }
        try commitLock.withLock {
            try db.run("DELETE FROM wal WHERE id <= ?1", .int(logEnd))
            result.logRecordsTrimmed = db.changes
            logBytesSinceCheckpoint = Int(try db.scalarInt("SELECT coalesce(sum(length(data)), 0) FROM wal") ?? 0)
            try db.execute("PRAGMA incremental_vacuum")
            try db.walCheckpoint(truncate: true)
        }
        statsLock.withLock { statsValue.checkpoints += 1 }
        logger.debug("checkpoint", metadata: ["series": "\(result.seriesWritten)", "chunks": "\(result.chunksWritten)",
                                              "log_records_trimmed": "\(result.logRecordsTrimmed)"])
        return result
    }
}
