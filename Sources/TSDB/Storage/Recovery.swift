import SQLite

extension TSDB {
    /// Restores the head from the last checkpoint plus the append log after it.
    ///
    /// Replay is idempotent: a sample at or before a series' newest time is skipped, so rows
    /// that a checkpoint already covered but had not yet trimmed do no harm. A record that fails
    /// its checksum ends the log: it and every later row are cut, with a log line.
    func recover() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let db = storage.writer
        do {
            try db.query("SELECT id, value FROM symbols ORDER BY id") { row in
                index.restoreSymbol(id: UInt32(truncatingIfNeeded: row.int64(0)), row.text(1))
            }
            var seriesCount = 0
            try db.query("SELECT id, labels FROM series ORDER BY id") { row in
                let ref = SeriesRef(UInt64(bitPattern: row.int64(0)))
                let syms: [UInt32]? = row.withBlob(1) { p in
                    var r = ByteReader(p)
                    var out: [UInt32] = []
                    while !r.isAtEnd { out.append(UInt32(truncatingIfNeeded: r.uvarint())) }
                    return r.failed || out.count % 2 != 0 ? nil : out
                }
                guard let syms, index.symbolsAreKnown(syms) else {
                    logger.warning("recovery: series \(ref) has damaged labels; skipped")
                    return
                }
                restoreSeries(ref: ref, symbols: syms)
                seriesCount += 1
            }
            var headMin = Int64.max, headMax = Int64.min
            var damagedBlocks = 0
            try db.query("SELECT block, data FROM head_blocks ORDER BY block") { row in
                let ok = row.withBlob(1) { p in
                    HeadBlock.decode(p) { e in
                        head.withSeries(e.ref) { s in
                            guard let s else { return }
                            s.firstTime = e.firstTime
                            s.persistedMaxTime = e.persistedMaxTime
                            s.lastTime = e.persistedMaxTime
                            s.lastValueBits = e.lastValueBits
                            if !e.open.isEmpty, let open = try? XORChunkAppender(resuming: e.open), open.count > 0 {
                                s.open = open
                                s.openBoundary = HeadStripes.rangeEnd(open.minTime, options.chunkRangeMilliseconds)
                                s.lastTime = max(s.lastTime, open.maxTime)
                                s.lastValueBits = open.lastValue.bitPattern
                            }
                            if s.firstTime < headMin { headMin = s.firstTime }
                            if s.lastTime > headMax { headMax = s.lastTime }
                        }
                    }
                }
                if !ok { damagedBlocks += 1 }
            }
            if damagedBlocks > 0 {
                logger.error("recovery: \(damagedBlocks) head block(s) damaged; samples of their series since their last persisted chunk are lost")
            }
            // Replay the log after the last checkpoint (older rows are kept only for log consumers).
            let from = try db.scalarInt("SELECT value FROM meta WHERE key = 'log_replay_from'") ?? 0
            let lastID = max(try db.scalarInt("SELECT max(id) FROM wal") ?? 0,
                             try db.scalarInt("SELECT value FROM meta WHERE key = 'log_last_id'") ?? 0)
            replayFrom = from
            nextLogID = lastID + 1
            lastLogIDValue = lastID
            var replayed = 0, records = 0
            var badID: Int64? = nil
            let perChunk = options.samplesPerChunk, range = options.chunkRangeMilliseconds
            try db.query("SELECT id, data FROM wal WHERE id > ?1 ORDER BY id", .int(from)) { row in
                if badID != nil { return }
                let id = row.int64(0)
                let failure = row.withBlob(1) { p -> WALRecord.DecodeError? in
                    do throws(WALRecord.DecodeError) {
                        var reader = try WALRecord.Reader(p)
                        while reader.next() {
                            let ref = reader.ref, t = reader.t
                            let stripe = HeadStripes.stripeIndex(ref)
                            head.lockStripe(stripe)
                            if let s = head.seriesLocked(ref, stripe: stripe), t > s.lastTime {
                                s.append(t, reader.v, samplesPerChunk: perChunk, chunkRange: range)
                                replayed &+= 1
                                if t < headMin { headMin = t }
                                if t > headMax { headMax = t }
                            }
                            head.unlockStripe(stripe)
                        }
                        return reader.failed ? .truncated : nil
                    } catch {
                        return error
                    }
                }
                if let failure {
                    badID = id
                    logger.error("recovery: append log record \(id) is damaged (\(failure)); cutting the log there")
                } else {
                    records += 1
                }
            }
            if let badID, options.readOnly {
                logger.error("recovery: read-only, so the damaged log tail from record \(badID) is skipped, not cut")
            } else if let badID {
                let cut = try db.scalarInt("SELECT count(*) FROM wal WHERE id >= ?1", .int(badID)) ?? 0
                try db.run("DELETE FROM wal WHERE id >= ?1", .int(badID))
                statsValue.truncatedRecords = Int(cut)
                logger.error("recovery: cut \(cut) damaged or later log record(s) starting at \(badID)")
            }
            logBytesSinceCheckpoint = Int(try db.scalarInt("SELECT coalesce(sum(length(data)), 0) FROM wal WHERE id > ?1",
                                                           .int(from)) ?? 0)
            statsValue.recoveredSamples = replayed
            headMinTime = headMin
            headMaxTime = headMax
            if headMax != .min, options.retentionMilliseconds > 0 {
                minValidTime = headMax &- options.retentionMilliseconds
            }
            let elapsed = clock.now - started
            logger.info("recovered database", metadata: [
                "path": "\(storage.path)", "series": "\(seriesCount)", "log_records": "\(records)",
                "replayed_samples": "\(replayed)", "duration": "\(elapsed)",
            ])
        } catch let e as SQLiteError {
            throw TSDBError.storage("recovering \(storage.path): \(e)")
        }
    }

    /// Puts a persisted series back into the head and the index.
    private func restoreSeries(ref: SeriesRef, symbols syms: [UInt32]) {
        let series = MemSeries(ref: ref, symbols: syms)
        let h = TSDB.symbolHash(syms)
        let hs = head.stripe(forHash: h)
        hs.lock.withLock { hs.byHash[h, default: []].append(series) }
        head.setSeries(ref, series)
        index.addRecovered(ref: ref, symbols: syms)
        if ref.raw > nextRef { nextRef = ref.raw }
    }
}
