import Foundation
import Testing
import TSDB
@testable import PromQL

/// Instant queries whose raw `/api/v1/query` answer from Prometheus 2.42 (range/oracle.json)
/// the engine and QueryResultJSON must reproduce byte for byte, result order included.
@Suite struct EngineJSONOracleTests {
    @Test func instantJSONMatchesPrometheus() throws {
        guard let data = FileManager.default.contents(atPath: EngineRangeOracleTests.path),
              let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            Issue.record("missing oracle")
            return
        }
        let st = try EngineRangeOracleTests.storage(doc)
        let engine = Engine()
        var total = 0, failures: [String] = []
        for q in doc["instant"] as? [[String: Any]] ?? [] {
            total += 1
            let expr = q["query"] as! String
            let t = Int64(((q["time"] as! Double) * 1000).rounded())
            let body = q["body"] as! String
            let mine: String
            do { mine = QueryResultJSON.encode(try engine.instantQuery(expr, at: t, storage: st)) } catch {
                mine = QueryResultJSON.encode(error)
            }
            if mine != body { failures.append("\(expr) @ \(t):\n    vigil:      \(mine)\n    prometheus: \(body)") }
        }
        for f in failures { Issue.record(Comment(rawValue: f)) }
        print("json oracle: \(total - failures.count)/\(total) instant answers identical to Prometheus 2.42")
    }

    @Test func valueFormatting() {
        #expect(QueryResultJSON.formatValue(-6e-7) == "-6e-07")
        #expect(QueryResultJSON.formatValue(1e21) == "1e+21")
        #expect(QueryResultJSON.formatValue(1.5e300) == "1.5e+300")
        #expect(QueryResultJSON.formatValue(-0.000001) == "-0.000001")
        #expect(QueryResultJSON.formatValue(123456789012345680) == "123456789012345680")
    }
}
