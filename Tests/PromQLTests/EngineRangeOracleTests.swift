import Foundation
import Testing
import TSDB
@testable import PromQL

/// Range queries answered by a real Prometheus 2.42 over the same data
/// (Tests/PromQLCorpus/range_oracle.py records them in range/oracle.json).
@Suite struct EngineRangeOracleTests {
    static let path = EngineCorpusTests.root.appendingPathComponent("PromQLCorpus/range/oracle.json").path

    static func storage(_ doc: [String: Any]) throws -> MemoryStorage {
        var out: [StoredSeries] = []
        for s in doc["series"] as? [[String: Any]] ?? [] {
            let labels = try SeriesNotationLite.parseMetric(s["labels"] as? String ?? "")
            var ts: [Int64] = [], vs: [Double] = []
            for p in s["samples"] as? [[Double]] ?? [] {
                ts.append(Int64((p[0] * 1000).rounded()))
                vs.append(p[1])
            }
            out.append(StoredSeries(labels: labels, timestamps: ts, values: vs))
        }
        return MemoryStorage(out)
    }

    static func key(_ metric: [String: String]) -> String {
        goLabelsString(Labels(sortedUnchecked: metric.map { Label($0.key, $0.value) }.sorted()))
    }

    /// Which duplicate a range query reports first depends on Prometheus's map order there.
    static func sameDuplicateError(_ a: String, _ b: String?) -> Bool {
        let p = "found duplicate series for the match group"
        return a.hasPrefix(p) && (b ?? "").hasPrefix(p)
    }

    @Test func rangeQueriesMatchPrometheus() throws {
        guard let data = FileManager.default.contents(atPath: Self.path),
              let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            Issue.record("missing \(Self.path)")
            return
        }
        let st = try Self.storage(doc)
        let engine = Engine()
        var total = 0, failures: [String] = []
        for q in doc["queries"] as? [[String: Any]] ?? [] {
            total += 1
            let expr = q["query"] as! String
            let start = Int64((q["start"] as! Double) * 1000), end = Int64((q["end"] as! Double) * 1000)
            let step = Int64((q["step"] as! Double) * 1000)
            let resp = q["response"] as! [String: Any]
            let id = "\(expr) [\(start / 1000), \(end / 1000), \(step / 1000)s]"
            let got: QueryResult
            do { got = try engine.rangeQuery(expr, start: start, end: end, step: step, storage: st) } catch {
                if resp["status"] as? String != "error" {
                    failures.append("\(id): error \(error.message), Prometheus succeeded")
                } else if error.message != resp["error"] as? String && !Self.sameDuplicateError(error.message, resp["error"] as? String) {
                    failures.append("\(id): error \(error.message)\n    Prometheus: \(resp["error"] ?? "")")
                }
                continue
            }
            guard resp["status"] as? String == "success" else {
                failures.append("\(id): succeeded, Prometheus: \(resp["error"] ?? "")")
                continue
            }
            guard case .matrix(let series) = got else { failures.append("\(id): not a matrix"); continue }
            var mine: [String: [(Int64, Double)]] = [:]
            for s in series { mine[goLabelsString(s.labels)] = s.points.map { ($0.t, $0.v) } }
            var theirs: [String: [(Int64, Double)]] = [:]
            let result = ((resp["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
            for r in result {
                let k = Self.key(r["metric"] as? [String: String] ?? [:])
                theirs[k] = (r["values"] as? [[Any]] ?? []).map { p in
                    (Int64(((p[0] as! Double) * 1000).rounded()), parseGoFloat(p[1] as! String) ?? .nan)
                }
            }
            if Set(mine.keys) != Set(theirs.keys) {
                failures.append("\(id): series \(mine.keys.sorted()) vs Prometheus \(theirs.keys.sorted())")
                continue
            }
            for (k, pts) in theirs {
                let m = mine[k]!
                let same = m.count == pts.count && zip(m, pts).allSatisfy { $0.0 == $1.0 && EngineCorpusTests.close($0.1, $1.1) }
                if !same {
                    let firstDiff = zip(m, pts).first { !($0.0 == $1.0 && EngineCorpusTests.close($0.1, $1.1)) }
                    failures.append("\(id) \(k): \(m.count) vs \(pts.count) points; first difference \(String(describing: firstDiff))")
                    break
                }
            }
        }
        for f in failures { Issue.record(Comment(rawValue: f)) }
        print("range oracle: \(total - failures.count)/\(total) range queries agree with Prometheus 2.42")
    }
}
