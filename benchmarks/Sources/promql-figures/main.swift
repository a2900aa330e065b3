// Query latency of the PromQL engine over a real TSDB: the issue's queries and the seed
// documents' alert expressions, instant and as 1h range queries at a 15s step, over N series
// of 1h of 15s samples (default: 10,000 and 100,000 series). Medians of 5 runs.
//
//   swift run -c release promql-figures            # 10k and 100k series
//   swift run -c release promql-figures 20000      # one size
import Foundation
import Logging
import PromQL
import TSDB

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let seriesCounts = sizes.isEmpty ? [10_000, 100_000] : sizes
let step: Int64 = 15_000
let span: Int64 = 3_600_000
let t0: Int64 = 1_700_000_000_000

func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func wallSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Builds `n` series: http counters (status × method × path over instances), a classic
/// histogram, the seed documents' nginx and orders counters. Returns the samples in the store.
func populate(_ db: TSDB, series n: Int) throws -> Int {
    var refs: [SeriesRef] = []
    var kinds: [Int] = []
    let statuses = ["200", "201", "301", "400", "404", "429", "500", "503"]
    let les = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
    var i = 0
    while refs.count < n {
        let inst = "host-\(i / 200)"
        let app = "app-\(i % 20)"
        switch i % 4 {
        case 0, 1:
            refs.append(try db.seriesRef(for: Labels([
                ("__name__", "http_server_requests_seconds_count"), ("application", app), ("instance", inst),
                ("status", statuses[i % statuses.count]), ("uri", "/api/\(i % 50)")])))
            kinds.append(0)
        case 2:
            refs.append(try db.seriesRef(for: Labels([
                ("__name__", "nginx_http_response_count_total"), ("instance", inst), ("method", i % 3 == 0 ? "POST" : "GET"),
                ("status", statuses[(i / 4) % statuses.count]), ("path", "/p\(i % 97)")])))
            kinds.append(1)
        default:
            refs.append(try db.seriesRef(for: Labels([
                ("__name__", "http_request_duration_seconds_bucket"), ("instance", inst), ("le", les[(i / 4) % les.count]),
                ("handler", "/h\(i % 13)")])))
            kinds.append(2)
        }
        i += 1
    }
    _ = try db.append([(try Labels([("__name__", "orders_created_total"), ("job", "shop")]), t0, 0)])
    var values = [Double](repeating: 0, count: n)
    var samples = 0
    var t = t0
    while t <= t0 + span {
        var batch = AppendBatch(capacity: n)
        for k in 0..<n {
            values[k] += Double((k &* 31 &+ Int(t / step)) % 7 + (kinds[k] == 2 ? (k % 7) * 3 : 0))
            batch.add(refs[k], t, values[k])
        }
        samples += try db.append(batch).appended
        t += step
    }
    return samples
}

let queries = [
    "sum by (status) (rate(http_server_requests_seconds_count[5m]))",
    "topk(5, rate(http_server_requests_seconds_count[5m]))",
    "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    // Seed 000: HighErrorRate, NoOrdersPlaced.
    "(sum(rate(http_server_requests_seconds_count{status=~\"5.*\"}[5m])) by (application) / sum(rate(http_server_requests_seconds_count[5m])) by (application)) * 100 > 5",
    "rate(orders_created_total[10m]) == 0",
    // Seed 002: the 4xx alert before recording rules.
    "sum(rate(nginx_http_response_count_total{status=~\"4..\"}[1m])) >= 10 and sum(rate(nginx_http_response_count_total{status=~\"4..\"}[1m])) / sum(rate(nginx_http_response_count_total[1m])) >= 0.5",
]

/// Samples the query's selectors read over [start, end]: each selector's matching series,
/// over its range (or the 5m lookback) before each step.
func samplesRead(_ q: String, _ db: TSDB, start: Int64, end: Int64) throws -> Int {
    var total = 0
    var stack = [try PromQL.parse(q)]
    while let e = stack.popLast() {
        switch e {
        case .matrixSelector(let m):
            let sel = try db.querier(mint: start - m.range, maxt: end).select(m.selector.matchers)
            total += sel.reduce(0) { $0 + $1.samples().count }
        case .vectorSelector(let v):
            let sel = try db.querier(mint: start - 300_000, maxt: end).select(v.matchers)
            total += sel.reduce(0) { $0 + $1.samples().count }
        default:
            stack.append(contentsOf: e.children)
        }
    }
    return total
}

var logger = Logger(label: "promql-figures")
logger.logLevel = .error
print("| series | query | instant median | range 50m@15s median | selector samples/s (range) |")
print("| --- | --- | --- | --- | --- |")
for n in seriesCounts {
    let dir = NSTemporaryDirectory() + "vigil-promql-figures-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var options = TSDBOptions()
    options.backgroundMaintenance = false
    options.retentionMilliseconds = 0
    let db = try TSDB.open(directory: dir, options: options, logger: logger)
    let stored = try populate(db, series: n)
    print("<!-- \(n) series, \(stored) samples stored -->")
    try db.checkpoint()
    let engine = Engine()
    let end = t0 + span
    for q in queries {
        var instant: [Double] = [], range: [Double] = []
        for _ in 0..<5 {
            let a = wallSeconds()
            _ = try engine.instantQuery(q, at: end, storage: db)
            instant.append(wallSeconds() - a)
            let b = wallSeconds()
            _ = try engine.rangeQuery(q, start: end - span + 600_000, end: end, step: step, storage: db)
            range.append(wallSeconds() - b)
        }
        instant.sort()
        range.sort()
        let read = try samplesRead(q, db, start: end - span + 600_000, end: end)
        print("| \(n) | `\(q)` | \(String(format: "%.1f", instant[2] * 1000)) ms | \(String(format: "%.1f", range[2] * 1000)) ms | \(String(format: "%.1f", Double(read) / range[2] / 1e6)) M |")
    }
    try db.close()
}
