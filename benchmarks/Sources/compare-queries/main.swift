// The instant queries of benchmarks/compare (issue 8) on Vigil alone, in process: the
// compare workload's series (TARGETS targets × 1000 series: 40 % nginx counters, 40 % Spring
// counters, 1 % orders counters, the rest gauges, plus `up`) scraped every second for SECONDS
// seconds, then each query run REPEAT times at the last scrape (plus 0.5 s, as a wall-clock
// query time falls between scrapes) and the range query over the whole run at a 1 s step.
// Medians in ms, and a checksum of each result, so a change to the engine can be checked to
// give the same answers as before it (same arguments, same data).
//
//   swift run -c release --scratch-path ../.build-qb compare-queries [--targets 100] [--seconds 150] [--repeat 15] [--only K]
import Foundation
import Logging
import PromQL
import TSDB

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}

let targets = option("--targets", 100)
let seconds = option("--seconds", 150)
let repeats = option("--repeat", 15)
/// `--only K`: just the K-th query (0-based; the range query is the last).
let only = option("--only", -1)
nonisolated(unsafe) var measured = -1
let t0: Int64 = 1_700_000_000_000

func wallSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A deterministic generator (SplitMix64), so every run stores the same samples.
struct Rand {
    var s: UInt64
    mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53) }
}

struct Target {
    var refs: [SeriesRef] = []
    /// Counters: base and rate per second; gauges: rate < 0 and base as the amplitude.
    var base: [Double] = []
    var rate: [Double] = []
}

/// The series of workload.py's `Page`, with the `job` and `instance` labels a scrape adds.
func makeTargets(_ db: TSDB) throws -> [Target] {
    let methods = ["GET", "POST", "PUT", "DELETE"]
    let nginxStatus = ["200", "201", "204", "301", "304", "400", "401", "403", "404", "429", "500", "502", "503", "504"]
    let appStatus = ["200", "201", "400", "404", "500", "503"]
    let outcome: [Character: String] = ["2": "SUCCESS", "3": "REDIRECTION", "4": "CLIENT_ERROR", "5": "SERVER_ERROR"]
    var out: [Target] = []
    for k in 0..<targets {
        var rnd = Rand(s: UInt64(k) &* 100_003 &+ 1)
        var t = Target()
        let app = "app-\(k % 17)", inst = "127.0.0.1:\(20000 + k)", job = "compare"
        func add(_ pairs: [(String, String)], _ base: Double, _ rate: Double) throws {
            t.refs.append(try db.seriesRef(for: Labels(pairs + [("job", job), ("instance", inst)])))
            t.base.append(base)
            t.rate.append(rate)
        }
        try add([("__name__", "up")], 1, 0)
        for i in 0..<400 {
            let s = nginxStatus[(i / 4) % nginxStatus.count], err = s.first == "4" || s.first == "5"
            try add([("__name__", "nginx_http_response_count_total"), ("method", methods[i % 4]),
                     ("path", "/api/v1/items/\(i / 56)"), ("status", s)],
                    Double(1000 + rnd.next() % 10_000_000), err ? rnd.uniform(0.01, 0.5) : rnd.uniform(0.5, 40))
        }
        for i in 0..<400 {
            let s = appStatus[(i / 4) % appStatus.count]
            try add([("__name__", "http_server_requests_seconds_count"), ("application", app), ("exception", "None"),
                     ("method", methods[i % 4]), ("outcome", outcome[s.first!]!), ("status", s), ("uri", "/orders/\(i / 24)")],
                    Double(100 + rnd.next() % 1_000_000), s.first == "5" ? rnd.uniform(0.01, 0.3) : rnd.uniform(0.2, 20))
        }
        for i in 0..<10 {
            try add([("__name__", "orders_created_total"), ("application", app), ("region", "r\(i)")],
                    Double(10 + rnd.next() % 100_000), rnd.uniform(0.1, 3))
        }
        let kinds = ["process_memory_bytes", "cpu_usage_ratio", "temperature_celsius", "queue_depth"]
        for i in 0..<189 {
            try add([("__name__", kinds[i % 4]), ("application", app), ("id", "\(i / 4)")], rnd.uniform(0.5, 1.5), -1)
        }
        out.append(t)
    }
    return out
}

/// One scrape per target per second (0–3 ms of jitter), counters in integer steps.
func populate(_ db: TSDB, _ ts: [Target]) throws {
    for sec in 0..<seconds {
        for (k, t) in ts.enumerated() {
            let at = t0 + Int64(sec) * 1000 + Int64((sec * 7 + k) % 4)
            let x = Double(86_400 + sec)
            var batch = AppendBatch(capacity: t.refs.count)
            for j in t.refs.indices {
                let v = t.rate[j] >= 0 ? t.base[j] + (t.rate[j] * x).rounded(.down)
                    : (t.base[j] * (1 + sin(x / 60 + Double(j)))).rounded(.down)
                batch.add(t.refs[j], at, v)
            }
            _ = try db.append(batch)
        }
    }
}

/// Order-independent digest of a result (labels and value bits), to compare engines.
func checksum(_ r: QueryResult) -> String {
    var h: UInt64 = 0, n = 0
    func mix(_ s: String, _ bits: UInt64) {
        var x: UInt64 = 1469598103934665603
        for b in s.utf8 { x = (x ^ UInt64(b)) &* 1099511628211 }
        h &+= (x ^ bits) &* 0x9E37_79B9_7F4A_7C15
        n += 1
    }
    switch r {
    case .vector(let v): for s in v { mix("\(s.labels)", s.v.bitPattern ^ UInt64(bitPattern: s.t)) }
    case .matrix(let m): for s in m { for p in s.points { mix("\(s.labels)", p.v.bitPattern ^ UInt64(bitPattern: p.t)) } }
    case .scalar(let t, let v): mix("", v.bitPattern ^ UInt64(bitPattern: t))
    case .string(_, let s): mix(s, 0)
    }
    return "\(n):" + String(h, radix: 16)
}

let queries = [
    #"sum(rate(nginx_http_response_count_total{status=~"4.."}[1m]))"#,
    #"sum(rate(nginx_http_response_count_total{status=~"5.."}[1m]))"#,
    #"sum(rate(nginx_http_response_count_total[1m]))"#,
    #"sum(rate(nginx_http_response_count_total{status=~"4.."}[1m])) >= 10 and (sum(rate(nginx_http_response_count_total{status=~"4.."}[1m])) / sum(rate(nginx_http_response_count_total[1m])) * 100) >= 50"#,
    #"up{job="compare"} == 0"#,
    #"(sum(rate(http_server_requests_seconds_count{status=~"5.*"}[5m])) by (application) / sum(rate(http_server_requests_seconds_count[5m])) by (application)) * 100 > 5"#,
    #"rate(orders_created_total[10m]) == 0"#,
    #"rate(orders_created_total[10m])"#,
    #"(sum(rate(http_server_requests_seconds_count{status=~"5.*"}[5m])) by (application) / sum(rate(http_server_requests_seconds_count[5m])) by (application)) * 100"#,
]
let rangeQuery = "sum by (status) (rate(nginx_http_response_count_total[1m]))"

var logger = Logger(label: "compare-queries")
logger.logLevel = .error
let dir = NSTemporaryDirectory() + "vigil-compare-queries-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: dir) }
var options = TSDBOptions()
options.backgroundMaintenance = false
options.retentionMilliseconds = 0
let db = try TSDB.open(directory: dir, options: options, logger: logger)
let loadStart = wallSeconds()
try populate(db, try makeTargets(db))
print("<!-- \(targets * 1000) series × \(seconds) s loaded in \(String(format: "%.1f", wallSeconds() - loadStart)) s -->")
let engine = Engine()
let end = t0 + Int64(seconds - 1) * 1000 + 500
print("| query | median ms | min ms | result |")
print("| --- | --- | --- | --- |")
func measure(_ label: String, _ run: () throws -> QueryResult) rethrows {
    measured += 1
    if only >= 0 && measured != only { return }
    var times: [Double] = []
    var sum = ""
    for _ in 0..<repeats {
        let a = wallSeconds()
        let r = try run()
        times.append(wallSeconds() - a)
        sum = checksum(r)
    }
    times.sort()
    print("| `\(label)` | \(String(format: "%.2f", times[times.count / 2] * 1000)) | \(String(format: "%.2f", times[0] * 1000)) | \(sum) |")
}
for q in queries { try measure(q) { try engine.instantQuery(q, at: end, storage: db) } }
try measure("range: " + rangeQuery) { try engine.rangeQuery(rangeQuery, start: t0, end: end, step: 1000, storage: db) }
try db.close()
