import Foundation
import Ingest
import Logging
import Testing
@testable import RemoteWrite
@testable import TSDB

struct TempDir {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rw-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

func quietLogger() -> Logger {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}

func openDB(_ dir: TempDir, _ configure: (inout TSDBOptions) -> Void = { _ in }) throws -> TSDB {
    var o = TSDBOptions()
    o.retentionMilliseconds = 0
    configure(&o)
    return try TSDB.open(directory: dir.path, options: o, logger: quietLogger())
}

/// The `remote_write` section of a prometheus.yml snippet.
func remoteWrite(_ yaml: String) throws -> [RemoteWriteConfig] {
    try PrometheusConfig.parse("remote_write:\n" + yaml, file: "test.yml", directory: "").remoteWrite
}

/// Appends `rounds` scrapes of `series` series of `metric` (values: round * 10 + series).
func appendRounds(_ db: TSDB, metric: String = "m", series: Int, rounds: Range<Int>, extra: [(String, String)] = []) throws {
    var refs: [SeriesRef] = []
    for s in 0..<series {
        refs.append(try db.seriesRef(for: try Labels([("__name__", metric), ("s", String(s))] + extra)))
    }
    for r in rounds {
        var b = AppendBatch()
        for (s, ref) in refs.enumerated() { b.add(ref, Int64(r) * 1000, Double(r * 10 + s)) }
        try db.append(b)
    }
}

@Suite(.serialized) struct QueueManagerTests {
    @Test func encodedRequestsDecodeToTheSameSeriesAndSamples() throws {
        var seg = Segment()
        let a = try Labels([("__name__", "a"), ("job", "x")]), b = try Labels([("__name__", "b"), ("k", "é\"\n")])
        seg.labels = [WriteRequestEncoder.encodeLabels(a), WriteRequestEncoder.encodeLabels(b)]
        let rows: [(Int32, Int64, Double)] = [(0, 1000, 1), (1, -5, .infinity), (0, 2000, 2), (1, 7_000_000_000_000, -0.0),
                                              (0, 3000, Double(bitPattern: 0x7ff0_0000_0000_0002))]
        for (s, t, v) in rows {
            seg.series.append(s)
            seg.timestamps.append(t)
            seg.values.append(v)
        }
        var enc = WriteRequestEncoder()
        var idx: [Int32] = [4, 1, 0, 3, 2]
        enc.encode(seg, indices: &idx)
        let raw = try Array(enc.compressed[0..<enc.compressedCount]).withUnsafeBytes { try Snappy.decompress($0, limit: 1 << 20) }
        var got: [(String, [(Int64, UInt64)])] = []
        try raw.withUnsafeBufferPointer { p in
            var d = WriteRequestDecoder(bytes: p)
            while try d.nextSeries() {
                var samples: [(Int64, UInt64)] = []
                try d.forEachSample { t, v in samples.append((t, v.bitPattern)) }
                got.append((d.labels.map { "\(d.text($0.name))=\(d.text($0.value))" }.joined(separator: ","), samples))
            }
        }
        #expect(got.count == 2)  // one TimeSeries per series, samples in time order
        #expect(got[0].0 == "__name__=a,job=x")
        #expect(got[0].1.map(\.0) == [1000, 2000, 3000])
        #expect(got[0].1[2].1 == 0x7ff0_0000_0000_0002)
        #expect(got[1].0 == "__name__=b,k=é\"\n")
        #expect(got[1].1.map(\.0) == [-5, 7_000_000_000_000])
        #expect(got[1].1[1].1 == (-0.0).bitPattern)
    }

    @Test func shipsEverySampleInOrderWithExternalLabelsAndWriteRelabelling() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        defer { try? db.close() }
        let sink = try RemoteWriteSink()
        defer { sink.stop() }
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        try await storage.apply(try remoteWrite("""
              - url: \(sink.url)
                queue_config: {batch_send_deadline: 100ms, max_samples_per_send: 7}
                write_relabel_configs:
                  - {source_labels: [__name__], regex: dropped, action: drop}
            """), externalLabels: try Labels([("site", "edge"), ("s", "never")]))
        try appendRounds(db, series: 5, rounds: 0..<40)
        try appendRounds(db, metric: "dropped", series: 2, rounds: 0..<40)
        #expect(await sink.wait { $0.sampleCount >= 200 })
        let got = sink.samples
        #expect(got.count == 5)
        for s in 0..<5 {
            let key = "{__name__=\"m\",s=\"\(s)\",site=\"edge\"}"
            #expect(got[key]?.map(\.t) == (0..<40).map { Int64($0) * 1000 }, "\(key)")
            #expect(got[key]?.map(\.v) == (0..<40).map { Double($0 * 10 + s) })
        }
        let q = try #require(storage.queues.first)
        #expect(await waitUntil { q.counters.samplesDropped == 80 && q.counters.recordsBehind == 0 })
        let c = q.counters
        #expect(c.samplesSent == 200 && c.samplesFailed == 0 && c.samplesRetried == 0 && c.samplesPending == 0)
        #expect(c.highestSentTimestamp == 39_000)
        #expect(sink.state.withLock { $0.requestHeaders.first?["content-encoding"] } == "snappy")
        #expect(sink.state.withLock { $0.requestHeaders.first?["x-prometheus-remote-write-version"] } == "0.1.0")
        #expect(sink.state.withLock { $0.timeseriesPerRequest.allSatisfy { $0 <= 7 } })
        await storage.stop()
    }

    @Test func retriesServerErrorsAndRateLimitsWhenAskedAndDropsClientErrors() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        defer { try? db.close() }
        let sink = try RemoteWriteSink()
        defer { sink.stop() }
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        let config = """
              - url: \(sink.url)
                name: a
                queue_config: {batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 40ms, max_samples_per_send: 1000, retry_on_http_429: RETRY}
            """
        // 500, 503 (with Retry-After) then success: retried, nothing lost.
        try await storage.apply(try remoteWrite(config.replacingOccurrences(of: "RETRY", with: "false")), externalLabels: .empty)
        sink.enqueue([.init(status: 500), .init(status: 503, retryAfter: "1")])
        try appendRounds(db, series: 3, rounds: 0..<1)
        #expect(await sink.wait { $0.sampleCount == 3 })
        var q = try #require(storage.queues.first)
        #expect(sink.statuses == [500, 503, 204])
        #expect(await waitUntil { q.counters.samplesSent == 3 })
        #expect(q.counters.samplesRetried == 6 && q.counters.samplesFailed == 0)
        // 429 without retry_on_http_429: given up; 400: given up; later samples still go.
        sink.enqueue([.init(status: 429), .init(status: 400)])
        try appendRounds(db, series: 3, rounds: 1..<2)
        #expect(await waitUntil { q.counters.samplesFailed == 3 })
        try appendRounds(db, series: 3, rounds: 2..<3)
        #expect(await waitUntil { q.counters.samplesFailed == 6 })
        try appendRounds(db, series: 3, rounds: 3..<4)
        #expect(await sink.wait { $0.sampleCount == 6 })
        #expect(await waitUntil { q.counters.samplesSent == 6 })
        #expect(q.counters.samplesRetried == 6)
        // With retry_on_http_429 a 429 is retried; the queue resumes from its committed position.
        try await storage.apply(try remoteWrite(config.replacingOccurrences(of: "RETRY", with: "true")), externalLabels: .empty)
        q = try #require(storage.queues.first)
        sink.enqueue([.init(status: 429), .init(status: 429)])
        try appendRounds(db, series: 3, rounds: 4..<5)
        #expect(await sink.wait { $0.sampleCount == 9 })
        #expect(await waitUntil { q.counters.samplesSent == 3 })
        #expect(q.counters.samplesRetried == 6 && q.counters.samplesFailed == 0)
        let times = Set(sink.samples.values.flatMap { $0.map(\.t) })
        #expect(times == [0, 3000, 4000])  // rounds 1 and 2 were refused for good
        await storage.stop()
    }

    @Test func aHangingReceiverTimesOutAndIsRetried() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        defer { try? db.close() }
        let sink = try RemoteWriteSink()
        defer { sink.stop() }
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        try await storage.apply(try remoteWrite("""
              - url: \(sink.url)
                remote_timeout: 300ms
                queue_config: {batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 20ms}
            """), externalLabels: .empty)
        sink.enqueue([.init(status: 204, delay: 2), .init(status: 204, delay: 2)])
        try appendRounds(db, series: 2, rounds: 0..<1)
        #expect(await sink.wait { $0.attempts >= 3 && $0.sampleCount >= 2 })
        let q = try #require(storage.queues.first)
        #expect(await waitUntil { q.counters.samplesSent == 2 })
        #expect(q.counters.samplesRetried == 4)
        await storage.stop()
    }

    @Test func stoppingWhileTheReceiverHangsReturnsPromptlyAndKeepsTheRoundForLater() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        defer { try? db.close() }
        let sink = try RemoteWriteSink()
        defer { sink.stop() }
        sink.setFallback(.init(status: 204, delay: 60))
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        try await storage.apply(try remoteWrite("""
              - url: \(sink.url)
                name: hang
                queue_config: {batch_send_deadline: 10ms}
            """), externalLabels: .empty)
        let start = try #require(try db.logConsumer(name: "remote_write/hang")).position
        try appendRounds(db, series: 2, rounds: 0..<3)
        #expect(await sink.wait { $0.attempts >= 1 })
        let q = try #require(storage.queues.first)
        #expect(q.counters.samplesPending > 0)
        let clock = ContinuousClock()
        let began = clock.now
        await storage.stop()
        #expect(clock.now - began < .seconds(10))
        // Nothing acknowledged: the position has not moved, so the next start sends the round again.
        #expect(try db.logConsumer(name: "remote_write/hang")?.position == start)
    }

    @Test func metricMetadataIsSentEverySendInterval() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        defer { try? db.close() }
        try db.setMetadata(MetricMetadata(type: "counter", help: "Requests served.", unit: ""), for: "http_requests_total")
        try db.setMetadata(MetricMetadata(type: "gauge", help: "Room temperature.", unit: "celsius"), for: "temperature_celsius")
        let sink = try RemoteWriteSink()
        defer { sink.stop() }
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        try await storage.apply(try remoteWrite("""
              - url: \(sink.url)
                metadata_config: {send_interval: 100ms, max_samples_per_send: 1}
            """), externalLabels: .empty)
        #expect(await sink.wait { $0.state.withLock { $0.metadata.count } == 2 && $0.attempts >= 4 })
        let got = sink.state.withLock { $0.metadata }
        #expect(got["http_requests_total"]?.type == 1 && got["http_requests_total"]?.help == "Requests served.")
        #expect(got["temperature_celsius"]?.type == 2 && got["temperature_celsius"]?.unit == "celsius")
        let q = try #require(storage.queues.first)
        #expect(await waitUntil { q.counters.metadataSent >= 4 })
        #expect(q.counters.samplesSent == 0)
        await storage.stop()
        // With `send: false`, none.
        let quiet = try RemoteWriteSink()
        defer { quiet.stop() }
        try await storage.apply(try remoteWrite("""
              - url: \(quiet.url)
                metadata_config: {send: false, send_interval: 10ms}
            """), externalLabels: .empty)
        try await Task.sleep(for: .milliseconds(200))
        #expect(quiet.attempts == 0)
        await storage.stop()
    }

    @Test func aFailingRemoteDoesNotHoldUpTheOthers() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        defer { try? db.close() }
        let down = try RemoteWriteSink(), up = try RemoteWriteSink()
        defer { down.stop(); up.stop() }
        down.setFallback(.init(status: 503, delay: 0.2))
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        try await storage.apply(try remoteWrite("""
              - {url: "\(down.url)", name: down, queue_config: {batch_send_deadline: 10ms, min_backoff: 10ms, max_backoff: 50ms}}
              - {url: "\(up.url)", name: up, queue_config: {batch_send_deadline: 10ms}}
            """), externalLabels: .empty)
        for r in 0..<20 {
            try appendRounds(db, series: 5, rounds: r..<(r + 1))
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await up.wait { $0.sampleCount == 100 })
        let queues = Dictionary(uniqueKeysWithValues: storage.queues.map { ($0.remoteName, $0) })
        #expect(queues["down"]?.counters.samplesSent == 0)
        #expect((queues["down"]?.counters.recordsBehind ?? 0) > 0)
        #expect(await waitUntil { queues["up"]?.counters.recordsBehind == 0 })
        await storage.stop()
    }

    @Test func anOutageAndARestartLoseNothing() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let sink = try RemoteWriteSink()
        let port = sink.port
        sink.stop()  // the remote is down from the start
        let config = try remoteWrite("""
              - url: http://127.0.0.1:\(port)/api/v1/write
                name: central
                queue_config: {batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 50ms, max_samples_per_send: 50}
            """)
        do {
            let db = try openDB(dir) { $0.backgroundMaintenance = false }
            let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
            try await storage.apply(config, externalLabels: .empty)
            try appendRounds(db, series: 10, rounds: 0..<30)
            try await Task.sleep(for: .milliseconds(300))
            let q = try #require(storage.queues.first)
            #expect(q.counters.samplesRetried > 0 && q.counters.samplesSent == 0)
            try db.checkpoint()  // the unsent records must survive it
            await storage.stop()
            // No close: the process dies here.
        }
        let db = try openDB(dir) { $0.backgroundMaintenance = false }
        defer { try? db.close() }
        let back = try RemoteWriteSink(port: port)
        defer { back.stop() }
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        try await storage.apply(config, externalLabels: .empty)
        try appendRounds(db, series: 10, rounds: 30..<40)
        #expect(await back.wait { $0.sampleCount >= 400 })
        #expect(back.sampleCount == 400)
        for (key, samples) in back.samples {
            #expect(samples.map(\.t) == (0..<40).map { Int64($0) * 1000 }, "\(key)")
        }
        await storage.stop()
        // Once sent and committed, the records go at the next checkpoint.
        try db.checkpoint()
        #expect(try db.logConsumer(name: "remote_write/central")?.position == db.lastLogID)
    }

    @Test func samplesTrimmedByTheLogRetentionAreCountedAsDropped() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) {
            $0.backgroundMaintenance = false
            $0.logRetentionMilliseconds = 10_000
        }
        defer { try? db.close() }
        let sink = try RemoteWriteSink()
        defer { sink.stop() }
        sink.setFallback(.init(status: 503))
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        try await storage.apply(try remoteWrite("""
              - url: \(sink.url)
                queue_config: {batch_send_deadline: 10ms, min_backoff: 10ms, max_backoff: 20ms, max_samples_per_send: 4}
            """), externalLabels: .empty)
        try appendRounds(db, series: 2, rounds: 0..<1)
        #expect(await sink.wait { $0.attempts >= 2 })  // round 0 in hand, retrying
        try appendRounds(db, series: 2, rounds: 1..<60)  // 59 more seconds, most past retention
        try db.checkpoint()
        sink.setFallback(.init(status: 204))
        let q = try #require(storage.queues.first)
        #expect(await waitUntil { q.counters.recordsBehind == 0 && q.counters.samplesPending == 0 })
        let c = q.counters
        #expect(c.samplesDroppedByRetention > 0)
        #expect(c.samplesDropped == c.samplesDroppedByRetention)
        #expect(c.samplesSent + c.samplesDroppedByRetention == 120)
        #expect(sink.sampleCount == c.samplesSent)
        await storage.stop()
    }

    @Test func aRemovedRemoteReleasesItsLogPosition() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) { $0.backgroundMaintenance = false }
        defer { try? db.close() }
        let storage = RemoteStorage(db: db, logger: quietLogger(), pollInterval: .milliseconds(10))
        try await storage.apply(try remoteWrite("  - url: http://127.0.0.1:1/api/v1/write\n    name: old\n"), externalLabels: .empty)
        #expect(try db.logConsumers().map(\.name) == ["remote_write/old"])
        await #expect(throws: RemoteWriteError.self) {
            try await storage.apply(try remoteWrite("  - url: http://127.0.0.1:1/w\n  - url: http://127.0.0.1:1/w\n"), externalLabels: .empty)
        }
        #expect(storage.queues.map(\.remoteName) == ["old"])  // a bad section keeps the running queues
        try await storage.apply([], externalLabels: .empty)
        #expect(try db.logConsumers().isEmpty)
        await storage.stop()
    }
}

func waitUntil(timeout: Double = 15, _ condition: () -> Bool) async -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
