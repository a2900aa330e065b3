import SQLite

/// What one checkpoint wrote.
public struct CheckpointResult: Sendable {
    public var seriesWritten = 0
    public var chunksWritten = 0
    public var logRecordsTrimmed = 0
}

extension TSDB {
    /// What a checkpoint took from one series, to apply once its block is committed.
    private struct Taken {
        let series: MemSeries
        let closed: [MemChunk]
        let persistedMaxTime: Int64
        let version: UInt32
    }

    private struct BlockSnapshot {
        let block: Int64
        let entries: [HeadBlock.Entry]
        let taken: [Taken]
    }

    /// Persists closed chunks and the state of every changed block of series, then trims the
    /// append log up to the point the written state covers, and drops the persisted chunks
    /// from memory.
    ///
    /// Appends go on meanwhile: the log position is fixed first, so whatever arrives later
    /// stays in the log, and state written twice is harmless (replay is idempotent).
    @discardableResult
    public func checkpoint() throws -> CheckpointResult {
        guard !options.readOnly else { throw TSDBError.readOnly }
        return try maintenanceLock.withLock { try checkpointLocked() }
    }

    func checkpointLocked() throws -> CheckpointResult {
        var result = CheckpointResult()
        let db = storage.writer
        let logEnd: Int64 = try commitLock.withLock {
            guard !isClosed else { throw TSDBError.closed }
            try commitLocked(record: nil)  // persist pending series first
            return nextLogID - 1
        }
        // Series that stopped receiving samples a chunk range ago get their open chunk closed,
        // so it is persisted and its appender's memory freed (a churned-away series then costs
        // only its labels and a few words until retention removes it).
        let staleBefore = maxTime == .min ? Int64.min : maxTime &- options.chunkRangeMilliseconds
        let lastRef = index.withWriteLock { nextRef }
        let forced = commitLock.withLock { () -> Set<Int64> in
            let f = dirtyHeadBlocks
            dirtyHeadBlocks.removeAll()
            return f
        }
        let keepAfter = maxTime == .min ? Int64.min : maxTime &- options.recentChunksMilliseconds
        let groupSize = 64  // blocks per transaction: ~65k series
        var block: Int64 = 0
        let lastBlock = HeadBlock.block(of: SeriesRef(lastRef))
        while block <= lastBlock {
            var group: [BlockSnapshot] = []
            while block <= lastBlock && group.count < groupSize {
                if let snap = snapshot(block: block, staleBefore: staleBefore, keepAfter: keepAfter, forced: forced.contains(block)) {
                    group.append(snap)
                }
                block += 1
            }
            guard !group.isEmpty else { continue }
            try commitLock.withLock {
                try db.transaction {
                    let chunkStmt = try db.prepare(
                        "INSERT OR REPLACE INTO chunks(series_id, mint, maxt, data) VALUES(?1, ?2, ?3, ?4)")
                    let blockStmt = try db.prepare("INSERT OR REPLACE INTO head_blocks(block, data) VALUES(?1, ?2)")
                    for snap in group {
                        for t in snap.taken {
                            let id = Int64(bitPattern: t.series.ref.raw)
                            for c in t.closed {
                                try chunkStmt.bind(id, at: 1)
                                try chunkStmt.bind(c.minTime, at: 2)
                                try chunkStmt.bind(c.maxTime, at: 3)
                                try chunkStmt.bind(c.bytes, at: 4)
                                try chunkStmt.step()
                                chunkStmt.reset()
                                result.chunksWritten += 1
                            }
                        }
                        if snap.entries.isEmpty {
                            try db.run("DELETE FROM head_blocks WHERE block = ?1", .int(snap.block))
                        } else {
                            try blockStmt.bind(snap.block, at: 1)
                            try blockStmt.bind(HeadBlock.encode(snap.entries), at: 2)
                            try blockStmt.step()
                            blockStmt.reset()
                        }
                    }
                }
            }
            for snap in group {
                for t in snap.taken {
                    head.withSeries(t.series.ref) { s in
                        guard let s, s === t.series else { return }
                        s.persistedChunks = min(s.persistedChunks + t.closed.count, s.closed.count)
                        s.persistedMaxTime = max(s.persistedMaxTime, t.persistedMaxTime)
                        s.checkpointedVersion = t.version
                        s.dropOldPersistedChunks(before: keepAfter)
                    }
                }
                result.seriesWritten += snap.entries.count
            }
        }
        try commitLock.withLock {
            result.logRecordsTrimmed = try trimLogLocked(checkpointedThrough: logEnd)
            logBytesSinceCheckpoint = Int(try db.scalarInt("SELECT coalesce(sum(length(data)), 0) FROM wal WHERE id > ?1",
                                                           .int(logEnd)) ?? 0)
            try db.execute("PRAGMA incremental_vacuum")
            try db.walCheckpoint(truncate: true)
        }
        statsLock.withLock { statsValue.checkpoints += 1 }
        logger.debug("checkpoint", metadata: ["series": "\(result.seriesWritten)", "chunks": "\(result.chunksWritten)",
                                              "log_records_trimmed": "\(result.logRecordsTrimmed)"])
        return result
    }

    /// The state of the series in `block`, or nil when none of them changed since the last
    /// checkpoint (and the block is not forced by a removal).
    private func snapshot(block: Int64, staleBefore: Int64, keepAfter: Int64, forced: Bool) -> BlockSnapshot? {
        var entries: [HeadBlock.Entry] = []
        var taken: [Taken] = []
        var dirty = forced
        let first = UInt64(block) << HeadBlock.shift
        for raw in first..<(first + (1 << HeadBlock.shift)) where raw > 0 {
            head.withSeries(SeriesRef(raw)) { s in
                guard let s else { return }
                if s.open.count > 0 && s.open.maxTime < staleBefore {
                    s.closeOpenChunk(reserving: 0)
                    s.version &+= 1
                }
                let persisted = max(s.closed.last?.maxTime ?? .min, s.persistedMaxTime)
                entries.append(HeadBlock.Entry(ref: s.ref, firstTime: s.firstTime, persistedMaxTime: persisted,
                                               lastValueBits: s.lastValueBits,
                                               open: s.open.count > 0 ? s.open.bytes : []))
                if s.isDirty {
                    dirty = true
                    taken.append(Taken(series: s, closed: Array(s.closed[s.persistedChunks...]), persistedMaxTime: persisted,
                                       version: s.version))
                } else {
                    s.dropOldPersistedChunks(before: keepAfter)
                }
            }
        }
        return dirty ? BlockSnapshot(block: block, entries: entries, taken: taken) : nil
    }
}
