import SQLite

/// A named reader of the append log (a remote-write sender): where it is, and how many
/// samples the log's retention dropped before it could read them.
public struct LogConsumerState: Sendable, Equatable {
    public var name: String
    /// The id of the last record the consumer has fully handled.
    public var position: Int64
    /// Samples trimmed from the log while still unread by this consumer, since it was registered.
    public var droppedSamples: Int64
}

/// What one `readLog` call produced.
public struct LogReadResult: Sendable, Equatable {
    /// The id of the last record read (the position to commit once its samples are handled);
    /// the `after` argument when nothing was read.
    public var lastID: Int64
    public var records = 0
    /// Records that failed their checksum and were skipped.
    public var damagedRecords = 0
    /// Records missing between `after` and the first record read: trimmed by retention.
    public var skippedRecords: Int64 = 0
}

/// The append log as a durable stream for consumers.
///
/// Every acknowledged batch is one row of the `wal` table with an id that is never reused.
/// Without consumers a checkpoint trims the rows it covers, as before. A registered consumer
/// holds rows back until its committed position has passed them, within the log's retention
/// (`TSDBOptions.logRetentionMilliseconds` / `logRetentionBytes`): rows past it are trimmed
/// anyway and their samples counted as dropped for each consumer that had not read them.
/// Rows kept only for consumers are not replayed at recovery.
extension TSDB {
    /// The id of the newest committed record (0 when the log has never had one).
    public var lastLogID: Int64 { statsLock.withLock { lastLogIDValue } }

    /// Registers `name` (at the current end of the log when it is new) and returns its state.
    public func openLogConsumer(name: String) throws -> LogConsumerState {
        guard !options.readOnly else { throw TSDBError.readOnly }
        return try commitLock.withLock {
            let db = storage.writer
            try db.run("INSERT OR IGNORE INTO log_consumers(name, position) VALUES(?1, ?2)", .text(name), .int(nextLogID - 1))
            return try consumerLocked(name)!
        }
    }

    /// The consumer's state, or nil when it is not registered.
    public func logConsumer(name: String) throws -> LogConsumerState? {
        try commitLock.withLock { try consumerLocked(name) }
    }

    /// Every registered consumer.
    public func logConsumers() throws -> [LogConsumerState] {
        try commitLock.withLock {
            var out: [LogConsumerState] = []
            try storage.writer.query("SELECT name, position, dropped FROM log_consumers ORDER BY name") { row in
                out.append(LogConsumerState(name: row.text(0), position: row.int64(1), droppedSamples: row.int64(2)))
            }
            return out
        }
    }

    /// Unregisters a consumer; the rows it held back go at the next checkpoint.
    public func removeLogConsumer(name: String) throws {
        guard !options.readOnly else { throw TSDBError.readOnly }
        try commitLock.withLock {
            try storage.writer.run("DELETE FROM log_consumers WHERE name = ?1", .text(name))
            readAhead[name] = nil
        }
    }

    /// Records that every record up to `position` is handled. Positions only move forward.
    public func commitLogPosition(name: String, position: Int64) throws {
        guard !options.readOnly else { throw TSDBError.readOnly }
        try commitLock.withLock {
            try storage.writer.run("UPDATE log_consumers SET position = ?2 WHERE name = ?1 AND position < ?2",
                                   .text(name), .int(position))
        }
    }

    /// Reads the records after `after`, whole, into `batch` (appended to it), until at least
    /// `maxSamples` samples or `maxRecords` records were read or the log ends. Runs on a read
    /// connection: appends go on meanwhile. With `consumer`, the records read count as in
    /// hand: if retention trims them before the position is committed, they are not counted
    /// as dropped (the consumer has them).
    public func readLog(after: Int64, maxSamples: Int, maxRecords: Int = 100_000, consumer: String? = nil,
                        into batch: inout AppendBatch) throws -> LogReadResult {
        var result = LogReadResult(lastID: after)
        var samples = 0
        try storage.withReader { conn in
            let stmt = try conn.prepare("SELECT id, data FROM wal WHERE id > ?1 ORDER BY id LIMIT ?2")
            defer { stmt.reset() }
            try stmt.bind(after, at: 1)
            try stmt.bind(Int64(maxRecords), at: 2)
            while samples < maxSamples, try stmt.step() {
                let id = stmt.int64(0)
                if result.records == 0 && result.damagedRecords == 0 && id > after + 1 {
                    result.skippedRecords = id - after - 1
                }
                let ok = stmt.withBlob(1) { p -> Bool in
                    guard var reader = try? WALRecord.Reader(p) else { return false }
                    let mark = batch.count
                    while reader.next() {
                        batch.add(reader.ref, reader.t, reader.v)
                    }
                    if reader.failed {
                        batch.removeLast(batch.count - mark)
                        return false
                    }
                    samples += batch.count - mark
                    return true
                }
                if ok { result.records += 1 } else { result.damagedRecords += 1 }
                result.lastID = id
            }
        }
        if let consumer {
            commitLock.withLock { readAhead[consumer] = max(readAhead[consumer] ?? 0, result.lastID) }
        }
        return result
    }

    private func consumerLocked(_ name: String) throws -> LogConsumerState? {
        let stmt = try storage.writer.prepare("SELECT position, dropped FROM log_consumers WHERE name = ?1")
        defer { stmt.reset() }
        try stmt.bind([.text(name)])
        guard try stmt.step() else { return nil }
        return LogConsumerState(name: name, position: stmt.int64(0), droppedSamples: stmt.int64(1))
    }

    /// Trims the log after a checkpoint that covers every record up to `checkpointedThrough`:
    /// up to there without consumers; otherwise up to the slowest consumer, or further where
    /// the log's retention demands, counting the samples consumers lose. Caller holds
    /// `commitLock`. Returns the number of records removed.
    func trimLogLocked(checkpointedThrough end: Int64) throws -> Int {
        let db = storage.writer
        var consumers: [(name: String, position: Int64)] = []
        try db.query("SELECT name, position FROM log_consumers") { row in consumers.append((row.text(0), row.int64(1))) }
        var cut = end
        if let slowest = consumers.map(\.position).min(), slowest < end {
            cut = max(slowest, try retentionCutLocked(end: end))
            for c in consumers where c.position < cut {
                // Records the consumer has read but not yet committed are in its hands, not lost.
                let inHand = max(c.position, readAhead[c.name] ?? c.position)
                var lost: Int64 = 0
                try db.query("SELECT substr(data, 2, 4) FROM wal WHERE id > ?1 AND id <= ?2", .int(inHand), .int(cut)) { row in
                    lost += row.withBlob(0) { p in
                        p.count == 4 ? Int64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))) : 0
                    }
                }
                try db.run("UPDATE log_consumers SET position = ?2, dropped = dropped + ?3 WHERE name = ?1",
                           .text(c.name), .int(cut), .int(lost))
                if lost > 0 {
                    logger.warning("append log retention dropped samples a consumer had not read",
                                   metadata: ["consumer": "\(c.name)", "samples": "\(lost)"])
                }
            }
        }
        try db.run("DELETE FROM wal WHERE id <= ?1", .int(cut))
        let trimmed = db.changes
        try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES('log_replay_from', ?1)", .int(end))
        try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES('log_last_id', ?1)", .int(nextLogID - 1))
        replayFrom = end
        return trimmed
    }

    /// The last record id (at most `end`) that the log's retention says must go: records
    /// whose newest sample is older than the newest in the head minus the retention time, and
    /// the oldest records past the size limit. 0 when none.
    private func retentionCutLocked(end: Int64) throws -> Int64 {
        let db = storage.writer
        var cut: Int64 = 0
        let newest = maxTime
        if options.logRetentionMilliseconds > 0 && newest != .min {
            let cutoff = newest &- options.logRetentionMilliseconds
            // Records are nearly in time order: binary search for the last one before the cutoff.
            var lo = try db.scalarInt("SELECT min(id) FROM wal") ?? (end + 1), hi = end
            while lo <= hi {
                let mid = lo + (hi - lo) / 2
                guard let row = try firstRecord(atOrAfter: mid, db), row.id <= hi else {
                    hi = mid - 1
                    continue
                }
                if row.maxt < cutoff {
                    cut = max(cut, row.id)
                    lo = row.id + 1
                } else {
                    hi = mid - 1
                }
            }
        }
        if let limit = options.logRetentionBytes {
            var kept: Int64 = 0
            try db.query("SELECT id, length(data) FROM wal WHERE id <= ?1 ORDER BY id DESC", .int(end)) { row in
                kept += row.int64(1)
                if kept > limit && row.int64(0) > cut { cut = row.int64(0) }
            }
        }
        return min(cut, end)
    }

    private func firstRecord(atOrAfter id: Int64, _ db: Connection) throws -> (id: Int64, maxt: Int64)? {
        var found: (Int64, Int64)?
        try db.query("SELECT id, coalesce(maxt, 0) FROM wal WHERE id >= ?1 ORDER BY id LIMIT 1", .int(id)) { row in
            found = (row.int64(0), row.int64(1))
        }
        return found
    }
}
