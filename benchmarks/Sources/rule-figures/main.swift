// The recording-rule claim, measured: per evaluation round over N raw nginx series (default
// 100,000), the seed's alert in its raw form (prometheus_nginxlog_exporter_rules_initial.yml)
// versus the optimised file, where three recording rules materialize the rates and the alert
// reads those. Both files are the seed's, read from examples/rules. Medians of 9 rounds, one
// round every 15s of a 30-minute data set of 15s samples in a real TSDB.
//
//   swift run -c release rule-figures            # 100k series
//   swift run -c release rule-figures 10000      # another size
import Foundation
import PromQL
import Rules
import TSDB

let n = CommandLine.arguments.dropFirst().compactMap { Int($0) }.first ?? 100_000
let step: Int64 = 15_000
let t0: Int64 = 1_700_000_000_000
let span: Int64 = 30 * 60_000
let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../examples/rules").standardized.path

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rule-figures-\(UUID().uuidString)").path
defer { try? FileManager.default.removeItem(atPath: dir) }
var options = TSDBOptions()
options.backgroundMaintenance = false
let db = try TSDB.open(directory: dir, options: options)

// nginx response counters: 8 status codes × methods × paths × instances; about 3/8 are 4xx.
let statuses = ["200", "201", "301", "400", "404", "429", "500", "503"]
var refs: [SeriesRef] = []
for i in 0..<n {
    refs.append(try db.seriesRef(for: Labels([
        ("__name__", "nginx_http_response_count_total"), ("instance", "host-\(i / 400)"),
        ("method", i % 3 == 0 ? "POST" : "GET"), ("status", statuses[i % statuses.count]), ("path", "/p\(i / 8 % 50)")])))
}
var values = [Double](repeating: 0, count: n)
var t = t0
while t <= t0 + span {
    var batch = AppendBatch(capacity: n)
    for k in 0..<n {
        values[k] += Double((k &* 31 &+ Int(t / step)) % 7)
        batch.add(refs[k], t, values[k])
    }
    try db.append(batch)
    t += step
}
print("rule-figures: \(n) nginx series, 30 min of 15s samples")

func load(_ name: String) throws -> RuleGroup {
    let groups = try RuleGroupLoader.load(examples + "/" + name, defaultInterval: step).get()
    return groups[0]
}

let env = RuleEnvironment(engine: Engine(), storage: db)
let raw = try load("prometheus_nginxlog_exporter_rules_initial.yml")
let recorded = try load("prometheus_nginxlog_exporter_rules.yml")
var rawRound: [Double] = [], recordingRules: [Double] = [], alertOnRecorded: [Double] = [], recordedRound: [Double] = []
for round in 0..<9 {
    let ts = t0 + 20 * 60_000 + Int64(round) * step
    raw.evaluate(at: ts, environment: env)
    rawRound.append(raw.evaluationSeconds)
    recorded.evaluate(at: ts, environment: env)
    recordedRound.append(recorded.evaluationSeconds)
    let perRule = recorded.rules.map(\.status.evaluationSeconds)
    recordingRules.append(perRule.dropLast().reduce(0, +))
    alertOnRecorded.append(perRule.last!)
}
for r in raw.rules + recorded.rules where r.status.health != .ok {
    print("rule \(r.name) unhealthy: \(r.status.lastError ?? "?")")
}
func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }
print("raw alert (3 sum(rate()) over raw series), per round:   \(ms(median(rawRound)))")
print("optimised file, whole round:                            \(ms(median(recordedRound)))")
print("  its 3 recording rules (each over raw series):         \(ms(median(recordingRules)))")
print("  its alert, reading the 3 recorded series:             \(ms(median(alertOnRecorded)))")
print(String(format: "alert alone: raw / on recorded series = %.0f×", median(rawRound) / median(alertOnRecorded)))
print(String(format: "whole round: raw / optimised = %.2f×", median(rawRound) / median(recordedRound)))
try db.close()
