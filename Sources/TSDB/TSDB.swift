import Logging
import SQLite

/// The embedded time-series database: an in-memory head of Gorilla chunks over one SQLite
/// file that makes every acknowledged batch durable.
///
/// Many threads may append and query at once. Appends of a batch run under one commit lock
/// (head update and durable row stay in the same order); label lookups and series creation
/// run outside it on striped locks, and queries never take it.
public final class TSDB: @unchecked Sendable {
    public let directory: String
    public let options: TSDBOptions
    let logger: Logger
    let storage: Storage
    let index = MemIndex()
    let head = HeadStripes()

    /// Serializes batch commits, checkpoint writes and every use of `storage.writer`.
    let commitLock = Lock()
    /// One checkpoint / compaction / retention run at a time.
    let maintenanceLock = Lock()

    // Guarded by `index.withWriteLock`.
    var nextRef: UInt64 = 0

    // Guarded by `pendingLock`: series created since last persisted.
    let pendingLock = Lock()
    var pendingSeries: [(SeriesRef, [UInt32])] = []

    /// The background loop, when `options.backgroundMaintenance` is on (set once at open).
    var maintenance: Maintenance?

    // Guarded by `commitLock`.
    /// Head blocks that must be rewritten at the next checkpoint although none of their
    /// remaining series changed (a series in them was removed).
    var dirtyHeadBlocks = Set<Int64>()
    var logBytesSinceCheckpoint = 0 {
        didSet { if logBytesSinceCheckpoint >= options.checkpointLogBytes { maintenance?.poke() } }
    }
    var isClosed = false
    /// The id the next append-log row gets. Ids are assigned here, never reused, so a log
    /// consumer's position stays meaningful after rows are trimmed.
    var nextLogID: Int64 = 1
    /// Rows at or before this are covered by the last checkpoint: recovery does not replay
    /// them; they stay only while a log consumer still needs them.
    var replayFrom: Int64 = 0
    /// Per log consumer, the last record it has read (in memory only; see `readLog`).
    var readAhead: [String: Int64] = [:]

    // Guarded by `statsLock`.
    let statsLock = Lock()
    var statsValue = TSDBStats()
    /// Newest sample time seen by the head; drives retention like Prometheus's head max time.
    var headMaxTime: Int64 = .min
    var headMinTime: Int64 = .max
    /// Samples before this are outside retention and rejected.
    var minValidTime: Int64 = .min
    /// The id of the newest committed append-log row (0 when none yet).
    var lastLogIDValue: Int64 = 0

    /// Opens (creating if needed) the database in `directory` and recovers what was acknowledged.
    public static func open(directory: String, options: TSDBOptions = TSDBOptions(),
                            logger: Logger = Logger(label: "vigil.tsdb")) throws -> TSDB {
        if !options.readOnly { try FileSystem.makeDirectory(directory) }
        let db = try TSDB(directory: directory, options: options, logger: logger)
        try db.recover()
        if options.backgroundMaintenance && !options.readOnly { db.maintenance = Maintenance(db: db) }
        return db
    }

    private init(directory: String, options: TSDBOptions, logger: Logger) throws {
        self.directory = directory
        self.options = options
        self.logger = logger
        do {
            storage = try Storage(directory: directory, durability: options.durability, readers: options.readerConnections,
                                  readOnly: options.readOnly)
        } catch let e as SQLiteError {
            throw TSDBError.storage("opening \(directory)/\(Storage.fileName): \(e)")
        }
    }

    // MARK: Series

    /// The ref of the series with `labels`, creating it if it does not exist yet.
    ///
    /// A new series becomes durable with the next committed batch (or checkpoint), before any
    /// sample that refers to it.
    public func seriesRef(for labels: Labels) throws(TSDBError) -> SeriesRef {
        guard !labels.isEmpty else { throw .invalidLabels(.emptyLabelSet) }
        // Known strings: look the series up by the hash of its symbol ids. Unknown strings
        // mean a new series; intern them first so the hash can be computed.
        let syms = index.symbolIDs(of: labels) ?? index.intern(labels)
        let h = TSDB.symbolHash(syms)
        let hs = head.stripe(forHash: h)
        hs.lock.lock()
        defer { hs.lock.unlock() }
        if let s = hs.byHash[h]?.first(where: { $0.symbols == syms }) { return s.ref }
        return try createSeriesLocked(symbols: syms, hash: h, hashStripe: hs)
    }

    /// The ref of an existing series, without creating one.
    public func existingRef(for labels: Labels) -> SeriesRef? {
        guard let syms = index.symbolIDs(of: labels) else { return nil }
        let h = TSDB.symbolHash(syms)
        let hs = head.stripe(forHash: h)
        return hs.lock.withLock { hs.byHash[h]?.first(where: { $0.symbols == syms })?.ref }
    }

    /// The hash by which series are found: over the interned symbol ids, so neither lookup nor
    /// recovery hashes label strings.
    @inline(__always)
    static func symbolHash(_ syms: [UInt32]) -> Int {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for s in syms {
            h = (h &+ UInt64(s)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        return Int(truncatingIfNeeded: h)
    }

    private func createSeriesLocked(symbols syms: [UInt32], hash h: Int, hashStripe hs: HeadStripes.HashStripe) throws(TSDBError) -> SeriesRef {
        let created: SeriesRef? = index.withWriteLock {
            if let max = options.maxSeries, index.seriesCountLocked >= max { return nil }
            nextRef += 1
            let ref = SeriesRef(nextRef)
            index.addPostingsLocked(ref: ref, symbols: syms)
            return ref
        }
        guard let ref = created else {
            statsLock.withLock { statsValue.seriesLimitRejections += 1 }
            throw .seriesLimit(options.maxSeries ?? 0)
        }
        let series = MemSeries(ref: ref, symbols: syms)
        hs.byHash[h, default: []].append(series)
        head.setSeries(ref, series)
        pendingLock.withLock { pendingSeries.append((ref, syms)) }
        statsLock.withLock { statsValue.seriesCreated += 1 }
        return ref
    }

    /// The labels of a series, or nil when the ref is unknown.
    public func labels(of ref: SeriesRef) -> Labels? {
        guard let syms = head.withSeries(ref, { $0?.symbols }) else { return nil }
        return index.labels(of: syms)
    }

    public var activeSeries: Int { index.seriesCount }

    // MARK: Appending

    /// Appends a batch. Each sample is checked on its own: out-of-order, duplicate and
    /// out-of-retention samples are rejected and counted, the rest of the batch is kept.
    /// When this returns, everything appended is durable (see `TSDBOptions.Durability`).
    @discardableResult
    public func append(_ batch: AppendBatch) throws(TSDBError) -> AppendResult {
        var result = AppendResult()
        let n = batch.count
        let perChunk = options.samplesPerChunk
        let range = options.chunkRangeMilliseconds
        guard !options.readOnly else { throw .readOnly }
        commitLock.lock()
        defer { commitLock.unlock() }
        guard !isClosed else { throw .closed }
        let minValid = statsLock.withLock { minValidTime }
        var encoder = WALRecord.Encoder(expectedSamples: n)
        var batchMax = Int64.min, batchMin = Int64.max
        batch.refs.withUnsafeBufferPointer { refs in
            batch.timestamps.withUnsafeBufferPointer { ts in
                batch.values.withUnsafeBufferPointer { vs in
                    for i in 0..<n {
                        // A scrape's series were last touched a whole interval ago: their
                        // table lines and objects are out of cache. Fetching them a few
                        // samples ahead overlaps those misses instead of paying each in turn.
                        if i + 16 < n { head.table.prefetchEntry(refs[i + 16]) }
                        if i + 8 < n { head.table.prefetch(refs[i + 8]) }
                        let ref = refs[i], t = ts[i], v = vs[i]
                        if t < minValid { result.outOfBounds += 1; continue }
                        let stripe = HeadStripes.stripeIndex(ref)
                        head.lockStripe(stripe)
                        guard let s = head.seriesLocked(ref, stripe: stripe) else {
                            head.unlockStripe(stripe)
                            result.unknownSeries += 1
                            continue
                        }
                        if t <= s.lastTime {
                            if t < s.lastTime {
                                result.outOfOrder += 1
                            } else if v.bitPattern == s.lastValueBits {
                                result.duplicatesIgnored += 1
                            } else {
                                result.duplicate += 1
                            }
                            head.unlockStripe(stripe)
                            continue
                        }
                        s.append(t, v, samplesPerChunk: perChunk, chunkRange: range)
                        head.unlockStripe(stripe)
                        encoder.add(ref: ref, t: t, v: v)
                        if t > batchMax { batchMax = t }
                        if t < batchMin { batchMin = t }
                    }
                }
            }
        }
        result.appended = encoder.count
        do {
            if encoder.count > 0 {
                try encoder.withFinishedBytes { try commitLocked(record: $0, maxTime: batchMax) }
            } else {
                try commitLocked(record: nil)
            }
        } catch {
            logger.error("append: writing the batch failed; it is in memory but not durable", metadata: ["error": "\(error)"])
            throw .storage("\(error)")
        }
        statsLock.withLock {
            statsValue.samplesAppended += result.appended
            statsValue.appendBatches += 1
            for reason in RejectReason.allCases {
                let c = result.count(reason)
                if c > 0 { statsValue.rejected[reason, default: 0] += c }
            }
            if batchMax > headMaxTime { headMaxTime = batchMax }
            if batchMin < headMinTime { headMinTime = batchMin }
        }
        return result
    }

    /// Appends samples given by label set (resolving or creating each series). Invalid label
    /// sets are rejected one by one; the other samples are still appended.
    @discardableResult
    public func append(_ samples: [(Labels, Int64, Double)]) throws(TSDBError) -> AppendResult {
        var batch = AppendBatch(capacity: samples.count)
        var invalid = 0
        for (ls, t, v) in samples {
            do throws(TSDBError) {
                batch.add(try seriesRef(for: ls), t, v)
            } catch {
                if case .storage = error { throw error }
                invalid += 1
            }
        }
        var r = try append(batch)
        r.unknownSeries += invalid
        return r
    }

    /// Writes the pending series and symbols plus an optional record, in one transaction.
    /// Caller holds `commitLock`.
    func commitLocked(record: UnsafeRawBufferPointer?, maxTime: Int64 = .min) throws {
        // Series first, then symbols: every taken series has its symbols queued already.
        let series = pendingLock.withLock { () -> [(SeriesRef, [UInt32])] in
            let s = pendingSeries
            pendingSeries.removeAll()
            return s
        }
        let symbols = series.isEmpty ? [] : index.takeNewSymbols()
        let db = storage.writer
        func insertRecord(_ record: UnsafeRawBufferPointer) throws {
            let stmt = try db.prepare("INSERT INTO wal(id, data, maxt) VALUES(?1, ?2, ?3)")
            defer { stmt.reset() }
            try stmt.bind(nextLogID, at: 1)
            try stmt.bind(blob: record, at: 2)
            try stmt.bind(maxTime, at: 3)
            try stmt.step()
            logBytesSinceCheckpoint += record.count
        }
        func published() {
            // Only once the row is committed: a log consumer may read up to this id.
            let id = nextLogID
            nextLogID += 1
            statsLock.withLock { lastLogIDValue = id }
        }
        if series.isEmpty {
            if let record {
                try insertRecord(record)
                published()
            }
            return
        }
        do {
            try db.transaction {
                let symStmt = try db.prepare("INSERT OR REPLACE INTO symbols(id, value) VALUES(?1, ?2)")
                for (id, s) in symbols {
                    try symStmt.bind(Int64(id), at: 1)
                    try symStmt.bind(s, at: 2)
                    try symStmt.step()
                    symStmt.reset()
                }
                let serStmt = try db.prepare("INSERT OR REPLACE INTO series(id, labels) VALUES(?1, ?2)")
                for (ref, syms) in series {
                    var w = ByteWriter(capacity: syms.count * 3)
                    for s in syms { w.uvarint(UInt64(s)) }
                    try serStmt.bind(Int64(bitPattern: ref.raw), at: 1)
                    try serStmt.bind(w.bytes, at: 2)
                    try serStmt.step()
                    serStmt.reset()
                }
                if let record { try insertRecord(record) }
            }
            if record != nil { published() }
        } catch {
            // Put them back so a later commit persists them.
            pendingLock.withLock { pendingSeries.insert(contentsOf: series, at: 0) }
            index.requeueSymbols(symbols)
            throw error
        }
    }

    // MARK: State

    public var stats: TSDBStats {
        var s = statsLock.withLock { () -> TSDBStats in
            var s = statsValue
            s.headMaxTime = headMaxTime
            s.headMinTime = headMinTime
            return s
        }
        s.activeSeries = index.seriesCount
        s.logBytesSinceCheckpoint = commitLock.withLock { logBytesSinceCheckpoint }
        let sizes = storage.fileSizes
        s.databaseBytes = sizes.database
        s.sqliteWALBytes = sizes.wal
        return s
    }

    /// The newest sample time in the head (Int64.min when empty).
    public var maxTime: Int64 { statsLock.withLock { headMaxTime } }
    /// The oldest sample time still kept (retention-adjusted; Int64.max when empty).
    public var minTime: Int64 { statsLock.withLock { max(headMinTime, minValidTime) } }

    /// Bytes in the append log since the last checkpoint.
    var logBytes: Int { commitLock.withLock { logBytesSinceCheckpoint } }

    /// Checkpoints and closes. Later calls do nothing; appends after it fail with `.closed`.
    public func close() throws {
        if commitLock.withLock({ isClosed }) { return }
        if options.readOnly {
            commitLock.withLock { isClosed = true }
            storage.closeReaders()
            return
        }
        maintenance?.stop()
        maintenance = nil
        try checkpoint()
        storage.closeReaders()
        commitLock.withLock {
            isClosed = true
            try? storage.writer.walCheckpoint(truncate: true)
            storage.releaseLock()
        }
    }
}
