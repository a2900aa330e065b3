import AsyncHTTPClient
import Foundation
import Ingest
import Logging
import NIOCore
import Synchronization
import TSDB

/// Ships everything the store appends (scrapes, rule output, received writes) to one
/// `remote_write` endpoint.
///
/// It reads the durable append log, not an in-memory queue: its position is a log consumer
/// in `vigil.db`, so a remote outage or a restart (even `kill -9`) resumes where it stopped,
/// and the log keeps what is unsent within its retention. Each round reads what the log has
/// (waiting up to `batch_send_deadline` for a full request), spreads the samples over shards
/// by series (so one series' samples stay in order), sends every shard's requests, and only
/// then commits the position: delivery is at least once, and a duplicate resend is a sample
/// with the same time and value, which receivers ignore.
public final class QueueManager: Sendable {
    /// `name`, or a hash of the URL when the config has none (as Prometheus).
    public let remoteName: String
    /// The URL without credentials, for metrics and logs.
    public let displayURL: String
    public let config: RemoteWriteConfig
    /// The log consumer this queue reads as.
    public let consumerName: String
    let externalLabels: Labels
    let db: TSDB
    let client: HTTPClient
    /// Requests to the remote, with the config's headers, credentials and timeout.
    let remote: RemoteWriteClient
    let logger: Logger
    /// Polling interval of the log when caught up.
    let pollInterval: Duration

    private let counterState = Mutex(QueueCounters())
    private let positionState = Mutex<Int64>(0)
    private let stopRequested = Atomic<Bool>(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(config: RemoteWriteConfig, externalLabels: Labels, db: TSDB, logger: Logger,
         pollInterval: Duration = .milliseconds(100)) throws {
        self.config = config
        remoteName = config.name.isEmpty ? Self.urlHash(config.url) : config.name
        displayURL = HTTPClientConfig.redacted(config.url)
        consumerName = "remote_write/" + remoteName
        self.externalLabels = externalLabels
        self.db = db
        self.pollInterval = pollInterval
        var logger = logger
        logger[metadataKey: "remote_name"] = "\(remoteName)"
        logger[metadataKey: "url"] = "\(displayURL)"
        self.logger = logger
        var c = HTTPClient.Configuration(
            tlsConfiguration: try config.http.customTLSConfiguration() ?? .makeClientConfiguration(),
            redirectConfiguration: config.http.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow)
        c.connectionPool = .init(idleTimeout: .seconds(60),
                                 concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, min(config.queue.maxShards, 64)))
        // A refused connection is an answer (the remote is down): back off and retry at this
        // level, rather than have the pool keep trying until the request's deadline.
        c.connectionPool.retryConnectionEstablishment = false
        c.tracing.tracer = nil  // no no-op span per request
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
        remote = RemoteWriteClient(client: client, url: config.url, headers: config.headers, http: config.http,
                                   timeoutMilliseconds: config.remoteTimeout, retryOn429: config.queue.retryOnHTTP429)
    }

    /// The counters now (the log lag computed at the call).
    public var counters: QueueCounters {
        var c = counterState.withLock { $0 }
        c.recordsBehind = max(0, db.lastLogID - positionState.withLock { $0 })
        return c
    }

    /// Starts reading and sending (from the persisted position; a new remote starts at the
    /// current end of the log).
    func start() throws {
        let position = try db.openLogConsumer(name: consumerName).position
        positionState.withLock { $0 = position }
        let send = config.metadata.send
        let t = Task.detached { [self] in
            async let meta: Void = send ? runMetadata() : ()
            await run()
            await meta
        }
        task.withLock { $0 = t }
    }

    /// Stops after the round in flight if it completes within `grace`; otherwise cancels it
    /// (it is sent again after the next start). Commits the position reached.
    func stop(grace: Duration = .seconds(2)) async {
        stopRequested.store(true, ordering: .relaxed)
        if let t = task.withLock({ $0 }) {
            let canceller = Task {
                try? await Task.sleep(for: grace)
                t.cancel()
            }
            await t.value
            canceller.cancel()
        }
        try? await client.shutdown()
    }

    private var stopping: Bool { stopRequested.load(ordering: .relaxed) || Task.isCancelled }

    // MARK: The loop

    private func run() async {
        var position = positionState.withLock { $0 }
        var droppedBaseline = (try? db.logConsumer(name: consumerName))?.droppedSamples ?? 0
        var labels = LabelCache(externalLabels: externalLabels, relabel: config.writeRelabelConfigs)
        var batch = AppendBatch(capacity: 4096)
        let q = config.queue
        let perSend = max(1, q.maxSamplesPerSend)
        let segmentLimit = max(perSend, min(max(q.maxShards, 1) * perSend, 200_000))
        let deadline = Duration.milliseconds(max(q.batchSendDeadline, 1))
        let clock = ContinuousClock()
        logger.info("remote write queue started", metadata: ["position": "\(position)"])
        while !stopping {
            if db.lastLogID <= position {
                try? await Task.sleep(for: pollInterval)
                continue
            }
            // Gather a round: a full request's worth, or what came within the deadline.
            batch.removeAll()
            var last = position
            let started = clock.now
            do {
                while true {
                    let r = try db.readLog(after: last, maxSamples: segmentLimit - batch.count, consumer: consumerName, into: &batch)
                    try noteGaps(r, droppedBaseline: &droppedBaseline)
                    let advanced = r.lastID > last
                    last = r.lastID
                    if batch.count >= perSend || batch.count >= segmentLimit || clock.now - started >= deadline || stopping { break }
                    if !advanced || db.lastLogID <= last { try? await Task.sleep(for: min(pollInterval, deadline)) }
                }
            } catch {
                logger.error("reading the append log failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            let segment = labels.segment(of: batch, db: db)
            if segment.dropped > 0 { counterState.withLock { $0.samplesDropped += segment.dropped } }
            if !(await send(segment.segment)) { break }  // cancelled: resent after the next start
            position = last
            positionState.withLock { $0 = position }
            do { try db.commitLogPosition(name: consumerName, position: position) } catch {
                logger.error("committing the remote write position failed", metadata: ["error": "\(error)"])
            }
        }
        logger.info("remote write queue stopped", metadata: ["position": "\(position)"])
    }

    /// Counts what the log's retention trimmed before this queue read it (the log keeps the
    /// count per consumer), and reports damaged records.
    private func noteGaps(_ r: LogReadResult, droppedBaseline: inout Int64) throws {
        if r.skippedRecords > 0 {
            let now = (try db.logConsumer(name: consumerName))?.droppedSamples ?? droppedBaseline
            let lost = Int(now - droppedBaseline)
            droppedBaseline = now
            counterState.withLock {
                $0.samplesDropped += lost
                $0.samplesDroppedByRetention += lost
            }
            logger.warning("the append log's retention dropped samples before they were sent",
                           metadata: ["records": "\(r.skippedRecords)", "samples": "\(lost)"])
        }
        if r.damagedRecords > 0 {
            logger.error("skipped damaged append-log records", metadata: ["records": "\(r.damagedRecords)"])
        }
    }

    /// Sends a round over its shards; false when cancelled before every request ended.
    private func send(_ segment: Segment) async -> Bool {
        let n = segment.count
        guard n > 0 else { return true }
        let q = config.queue
        let perSend = max(1, q.maxSamplesPerSend)
        let shards = min(max((n + perSend - 1) / perSend, max(q.minShards, 1)), max(q.maxShards, 1))
        var byShard = [[Int32]](repeating: [], count: shards)
        for i in 0..<n { byShard[Int(segment.series[i]) % shards].append(Int32(i)) }
        counterState.withLock {
            $0.samplesPending += n
            $0.shards = shards
            $0.desiredShards = shards
        }
        let completed = await withTaskGroup(of: Bool.self) { group in
            for indices in byShard where !indices.isEmpty {
                group.addTask { [self] in await sendShard(segment, indices) }
            }
            var all = true
            for await ok in group where !ok { all = false }
            return all
        }
        counterState.withLock { $0.samplesPending -= n }
        return completed
    }

    private func sendShard(_ segment: Segment, _ indices: [Int32]) async -> Bool {
        var encoder = WriteRequestEncoder()
        let perSend = max(1, config.queue.maxSamplesPerSend)
        var start = 0
        while start < indices.count {
            var chunk = Array(indices[start..<min(start + perSend, indices.count)])
            start += chunk.count
            var newest = Int64.min
            for i in chunk { newest = max(newest, segment.timestamps[Int(i)]) }
            encoder.encode(segment, indices: &chunk)
            let body = ByteBuffer(bytes: encoder.compressed[0..<encoder.compressedCount])
            guard await deliver(body, count: chunk.count, payload: .samples(newest: newest)) else { return false }
        }
        return true
    }

    /// What a request carries, for the counters it moves.
    enum Payload {
        case samples(newest: Int64)
        case metadata
    }

    /// One request until it is sent or given up; false only when cancelled first.
    private func deliver(_ body: ByteBuffer, count samples: Int, payload: Payload) async -> Bool {
        var backoff = max(config.queue.minBackoff, 1)
        let clock = ContinuousClock()
        var attempt = 0
        while true {
            if Task.isCancelled { return false }
            let started = clock.now
            let outcome = await remote.send(body)
            let took = clock.now - started
            let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
            switch outcome {
            case .sent:
                counterState.withLock {
                    switch payload {
                    case .samples(let newest):
                        $0.samplesSent += samples
                        $0.bytesSent += body.readableBytes
                        $0.highestSentTimestamp = max($0.highestSentTimestamp, newest)
                    case .metadata:
                        $0.metadataSent += samples
                        $0.metadataBytesSent += body.readableBytes
                    }
                    $0.requestsSent += 1
                    $0.observe(duration: seconds)
                }
                if attempt > 0 { logger.info("remote write recovered", metadata: ["retries": "\(attempt)"]) }
                return true
            case .failed(let message):
                counterState.withLock {
                    if case .samples = payload { $0.samplesFailed += samples } else { $0.metadataFailed += samples }
                    $0.observe(duration: seconds)
                }
                logger.error("non-recoverable error; \(payload.noun) dropped", metadata: ["count": "\(samples)", "err": "\(message)"])
                return true
            case .recoverable(let message, let retryAfter):
                counterState.withLock {
                    if case .samples = payload { $0.samplesRetried += samples } else { $0.metadataRetried += samples }
                }
                attempt += 1
                if attempt == 1 || attempt % 10 == 0 {
                    logger.warning("failed to send batch, retrying", metadata: ["err": "\(message)", "attempt": "\(attempt)"])
                }
                let wait: Duration = retryAfter.map { .milliseconds(Int64($0 * 1000)) } ?? .milliseconds(backoff)
                backoff = min(backoff * 2, max(config.queue.maxBackoff, 1))
                do { try await Task.sleep(for: wait) } catch { return false }
            }
        }
    }

    // MARK: Metadata

    /// Every `metadata_config.send_interval`, the metadata of every metric (what `# TYPE`,
    /// `# HELP` and `# UNIT` said), as Prometheus sends it from its scrape cache.
    private func runMetadata() async {
        let m = config.metadata
        let perSend = max(1, m.maxSamplesPerSend)
        var encoder = WriteRequestEncoder()
        while !stopping {
            if let all = try? db.metadata(), !all.isEmpty {
                let entries = all.sorted { $0.key < $1.key }
                var start = 0
                while start < entries.count && !stopping {
                    let chunk = entries[start..<min(start + perSend, entries.count)]
                    start += chunk.count
                    encoder.encodeMetadata(chunk.map { ($0.key, $0.value) })
                    let body = ByteBuffer(bytes: encoder.compressed[0..<encoder.compressedCount])
                    guard await deliver(body, count: chunk.count, payload: .metadata) else { return }
                }
            }
            // In short steps, so a stop does not wait out the interval.
            let until = ContinuousClock.now + .milliseconds(max(m.sendInterval, 1))
            while !stopping && ContinuousClock.now < until {
                do { try await Task.sleep(for: min(.milliseconds(250), until - ContinuousClock.now)) } catch { return }
            }
        }
    }

    /// Prometheus names an unnamed queue by a hash of its config; Vigil by a hash of its URL
    /// (6 hex digits), so the name, and the log position under it, survive other edits.
    static func urlHash(_ url: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in url.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let hex = String(h, radix: 16)
        return String((String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(6))
    }
}

extension QueueManager.Payload {
    var noun: String {
        switch self {
        case .samples: return "samples"
        case .metadata: return "metadata"
        }
    }
}
