// Backtest speed: the seed's optimised nginx rules (3 recording rules + 1 alert, 15s interval)
// replayed over 1h, 6h and 24h of N series (default 10,000) at 15s in a real TSDB. Reports
// group and rule evaluations per second, and how time grows with the range.
//
//   swift run -c release backtest-figures          # 10k series
//   swift run -c release backtest-figures 2000     # another size
import Foundation
import Rules
import TSDB

let n = CommandLine.arguments.dropFirst().compactMap { Int($0) }.first ?? 10_000
let step: Int64 = 15_000
let day: Int64 = 86_400_000
let t0: Int64 = 1_700_000_000_000
let rulesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../examples/rules/prometheus_nginxlog_exporter_rules.yml").standardized.path

func wall() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-backtest-figures-\(UUID().uuidString)").path
defer { try? FileManager.default.removeItem(atPath: dir) }
var options = TSDBOptions()
options.backgroundMaintenance = false
let db = try TSDB.open(directory: dir, options: options)

let statuses = ["200", "200", "200", "301", "404", "429", "500", "502"]
var refs: [SeriesRef] = []
for i in 0..<n {
    refs.append(try db.seriesRef(for: Labels([
        ("__name__", "nginx_http_response_count_total"), ("instance", "host-\(i / 80)"),
        ("status", statuses[i % statuses.count]), ("path", "/p\(i / 8 % 10)")])))
}
var values = [Double](repeating: 0, count: n)
let started = wall()
var t = t0
while t <= t0 + day {
    var batch = AppendBatch(capacity: n)
    for k in 0..<n {
        values[k] += Double((k &* 31 &+ Int(t / step)) % 7)
        batch.add(refs[k], t, values[k])
    }
    try db.append(batch)
    t += step
}
print("backtest-figures: \(n) series, a day at 15s loaded in \(String(format: "%.1f", wall() - started)) s")

let file = try RuleFile.parseFile(rulesPath).get()
for hours in [1, 6, 24] as [Int64] {
    let to = t0 + day
    let opts = Backtest.Options(from: to - hours * 3_600_000, to: to)
    var times: [Double] = []
    var result: Backtest.Result?
    for _ in 0..<3 {
        let s = wall()
        result = try Backtest.run([(file, rulesPath)], history: db, options: opts, defaultInterval: step)
        times.append(wall() - s)
    }
    let median = times.sorted()[1]
    let evals = result!.evaluations
    print(String(format: "%2dh: %5d group evaluations (%d rule evaluations) in %.2f s: %.0f group evals/s, %.0f rule evals/s, %.1f M series-steps/s",
                 hours, evals, evals * 4, median, Double(evals) / median, Double(evals * 4) / median,
                 Double(evals) * Double(n) * 3 / median / 1e6))
}
try db.close()
