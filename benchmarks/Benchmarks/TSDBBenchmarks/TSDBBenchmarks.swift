import Benchmark
import BenchSupport
import TSDB

#if canImport(Glibc)
import Glibc
#endif

// Timings of the storage engine, run by `swift package benchmark` (each benchmark in its own
// process, release build). Throughput benchmarks use `scalingFactor: .mega` with one iteration
// = 1,000,000 samples, so "Throughput (# / s)" reads as samples per second (in whole
// millions) and the time metrics as time per sample; the custom `samples/s` metric gives the
// same rate at full resolution.

/// State built by a benchmark's setup and used by its closure (each benchmark runs in its own
/// process, and only one thread touches it).
final class State: @unchecked Sendable {
    var dir: ScratchDirectory?
    var db: TSDB?
    var appender: RoundRobinAppender?
    var labels: [Labels] = []
    var batches: [AppendBatch] = []
    var tuples: [[(Labels, Int64, Double)]] = []
    var chunks: [[UInt8]] = []
    var timestamps: [[Int64]] = []
    var values: [[Double]] = []

    func openDatabase() throws -> TSDB {
        let d = ScratchDirectory(prefix: "vigil-benchmark")
        dir = d
        let db = try TSDB.open(directory: d.path, options: benchOptions(), logger: quietLogger())
        self.db = db
        return db
    }

    func tearDown() throws {
        try db?.close()
        db = nil
        dir?.remove()
        dir = nil
        appender = nil
        labels = []
        batches = []
        tuples = []
    }
}

let samplesPerIteration = 1_000_000
let batchSize = 10_000
/// Samples per wall-clock second of the measured part of one iteration (the built-in
/// throughput metric prints whole millions only).
let samplesPerSecond = BenchmarkMetric.custom("samples/s", polarity: .prefersLarger, useScalingFactor: false)

/// Runs `body` and records its samples per second.
@inline(__always)
func timedSamples(_ benchmark: Benchmark, _ count: Int, _ body: () -> Void) {
    let clock = ContinuousClock()
    benchmark.startMeasurement()
    let start = clock.now
    body()
    let secs = (clock.now - start).seconds
    benchmark.stopMeasurement()
    benchmark.measurement(samplesPerSecond, Int(Double(count) / secs))
}

let benchmarks: @Sendable () -> Void = {
    let throughput = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .peakMemoryResident, samplesPerSecond],
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(10),
        maxIterations: 15)

    // 1. Append by ref: 100 batches of 10k samples per iteration, series created beforehand and
    //    each given one sample (so every series has an open chunk).
    for seriesCount in [10_000, 100_000, 1_000_000] {
        let state = State()
        var config = throughput
        config.setup = {
            let db = try state.openDatabase()
            let refs = try createSeries(db, count: seriesCount) { LabelSets.service($0) }
            var app = RoundRobinAppender(refs: refs, batchSize: batchSize)
            var b = AppendBatch(capacity: batchSize)
            var warm = 0
            while warm < seriesCount { app.fill(&b); try db.append(b); warm += b.count }
            state.appender = app
            state.batches = (0..<(samplesPerIteration / batchSize)).map { _ in AppendBatch(capacity: batchSize) }
        }
        config.teardown = { try state.tearDown() }
        Benchmark("append by ref, \(seriesCount / 1000)k series (samples)", configuration: config) { benchmark in
            for i in state.batches.indices { state.appender!.fill(&state.batches[i]) }
            let db = state.db!
            timedSamples(benchmark, samplesPerIteration) {
                for b in state.batches {
                    let r = try! db.append(b)
                    precondition(r.rejected == 0, "rejected: \(r)")
                }
            }
        }
    }

    // 1b. Append by Labels (series lookup by label set included), 100k existing series.
    do {
        let state = State()
        let seriesCount = 100_000
        var config = throughput
        config.setup = {
            let db = try state.openDatabase()
            state.labels = (0..<seriesCount).map { LabelSets.service($0) }
            let refs = try createSeries(db, count: seriesCount) { state.labels[$0] }
            _ = refs
            state.appender = RoundRobinAppender(refs: (0..<seriesCount).map { SeriesRef(UInt64($0)) }, batchSize: batchSize)
            state.batches = [AppendBatch(capacity: batchSize)]
            state.tuples = (0..<(samplesPerIteration / batchSize)).map { _ in
                var a: [(Labels, Int64, Double)] = []
                a.reserveCapacity(batchSize)
                return a
            }
        }
        config.teardown = { try state.tearDown() }
        Benchmark("append by Labels, 100k series (samples)", configuration: config) { benchmark in
            for i in state.tuples.indices {
                state.appender!.fill(&state.batches[0])
                let b = state.batches[0]
                state.tuples[i].removeAll(keepingCapacity: true)
                for k in 0..<b.count {
                    state.tuples[i].append((state.labels[Int(b.refs[k].raw)], b.timestamps[k], b.values[k]))
                }
            }
            let db = state.db!
            timedSamples(benchmark, samplesPerIteration) {
                for t in state.tuples {
                    let r = try! db.append(t)
                    precondition(r.rejected == 0, "rejected: \(r)")
                }
            }
        }
    }

    // 5. select + iterate {__name__="http_requests_total", status=~"5.."} over 100k series
    //    × 360 samples (30k series, 10.8M samples match); one iteration = one query.
    //    Custom metrics give samples/s and series/s per iteration.
    for fromSQLite in [false, true] {
        let state = State()
        let config = Benchmark.Configuration(
            metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident,
                      .custom("samples/s", polarity: .prefersLarger, useScalingFactor: false),
                      .custom("series/s", polarity: .prefersLarger, useScalingFactor: false)],
            warmupIterations: 1,
            maxDuration: .seconds(10),
            maxIterations: 20,
            setup: {
                let db = try state.openDatabase()
                try buildRequestsDatabase(db, series: 100_000, samplesPerSeries: 360)
                if fromSQLite { try db.checkpoint() }
            },
            teardown: { try state.tearDown() })
        let where_ = fromSQLite ? "after checkpoint (2 of 3 chunks from SQLite)" : "in memory"
        Benchmark("select+iterate 5xx of 100k series, \(where_)", configuration: config) { benchmark in
            let clock = ContinuousClock()
            let start = clock.now
            let r = try! selectAndIterate(state.db!, fiveHundredsSelector())
            let secs = (clock.now - start).seconds
            blackHole(r.checksum)
            benchmark.measurement(.custom("samples/s", polarity: .prefersLarger, useScalingFactor: false),
                                  Int(Double(r.samples) / secs))
            benchmark.measurement(.custom("series/s", polarity: .prefersLarger, useScalingFactor: false),
                                  Int(Double(r.series) / secs))
        }
    }

    // Codecs: XOR encode/decode and compact encode/decode of the realistic mix at 15 s,
    // 8,334 chunks of 120 samples (≈ 1,000,080 samples) per iteration.
    let codec = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(5),
        maxIterations: 30)
    let codecState = State()
    let prepareCodecData: @Sendable () -> Void = {
        guard codecState.timestamps.isEmpty else { return }
        for i in 0..<8_334 {
            var vg = ValueGenerator(kind: SeriesKind.of(seriesIndex: i), seed: UInt64(i))
            var tg = TimestampGenerator(start: 1_700_006_400_000, intervalMilliseconds: 15_000, seed: UInt64(i))
            var ts: [Int64] = [], vs: [Double] = []
            var app = XORChunkAppender()
            for _ in 0..<120 {
                let t = tg.next(), v = vg.next(intervalSeconds: 15)
                ts.append(t); vs.append(v)
                app.append(t, v)
            }
            codecState.timestamps.append(ts)
            codecState.values.append(vs)
            codecState.chunks.append(app.bytes)
        }
    }
    var encodeConfig = codec
    encodeConfig.setup = { prepareCodecData() }
    Benchmark("XOR chunk encode, 120-sample chunks (samples)", configuration: encodeConfig) { _ in
        var bytes = 0
        for c in codecState.timestamps.indices {
            var app = XORChunkAppender()
            let ts = codecState.timestamps[c], vs = codecState.values[c]
            for k in 0..<ts.count { app.append(ts[k], vs[k]) }
            bytes &+= app.bytes.count
        }
        blackHole(bytes)
    }
    Benchmark("XOR chunk decode, 120-sample chunks (samples)", configuration: encodeConfig) { _ in
        var sum = 0.0
        for c in codecState.chunks {
            var it = XORChunkIterator(c)
            while it.next() { sum += it.v }
        }
        blackHole(sum)
    }
    Benchmark("compact block encode, 120-sample blocks (samples)", configuration: encodeConfig) { _ in
        var bytes = 0
        for c in codecState.timestamps.indices {
            bytes &+= CompactCodec.encode(timestamps: codecState.timestamps[c], values: codecState.values[c]).count
        }
        blackHole(bytes)
    }
}
