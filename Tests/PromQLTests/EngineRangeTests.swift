import Foundation
import Testing
import TSDB
@testable import PromQL

/// A range query must equal the instant queries at each of its steps (Prometheus evaluates
/// range queries that way by definition); the engine computes them in one pass over the
/// grid instead, so this checks that machinery on every corpus expression.
@Suite struct EngineRangeTests {
    static func key(_ l: Labels) -> String { goLabelsString(l) }

    static func check(expr: String, storage: MemoryStorage, start: Int64, end: Int64, step: Int64) -> String? {
        let engine = Engine()
        guard let e = try? PromQL.parse(expr), PromQL.rangeQueryTypeError(e) == nil else { return nil }
        let range: QueryResult
        do { range = try engine.rangeQuery(e, start: start, end: end, step: step, storage: storage) } catch {
            // An error must also happen at some step of the instant evaluation.
            var t = start
            while t <= end {
                if (try? engine.instantQuery(e, at: t, storage: storage)) == nil { return nil }
                t += step
            }
            return "\(expr): range error \(error) but every instant query succeeds"
        }
        guard case .matrix(let series) = range else { return "\(expr): range result not a matrix" }
        var byKey: [String: [Int64: Double]] = [:]
        for s in series {
            var pts: [Int64: Double] = [:]
            for p in s.points { pts[p.t] = p.v }
            byKey[key(s.labels)] = pts
        }
        var t = start
        while t <= end {
            let inst: QueryResult
            do { inst = try engine.instantQuery(e, at: t, storage: storage) } catch {
                return "\(expr): instant error at \(t) (\(error)) but range succeeded"
            }
            var got: [String: Double] = [:]
            switch inst {
            case .vector(let v): for s in v { got[key(s.labels)] = s.v }
            case .scalar(_, let v): got["{}"] = v
            default: return nil
            }
            var rangeAt: [String: Double] = [:]
            for (k, pts) in byKey { if let v = pts[t] { rangeAt[k] = v } }
            if Set(got.keys) != Set(rangeAt.keys) {
                return "\(expr) @\(t): instant \(got.keys.sorted()) vs range \(rangeAt.keys.sorted())"
            }
            for (k, v) in got where !(EngineCorpusTests.close(v, rangeAt[k]!)) {
                return "\(expr) @\(t) \(k): instant \(v) vs range \(rangeAt[k]!)"
            }
            t += step
        }
        return nil
    }

    @Test(arguments: [Int64(60_000), 37_000, 300_000])
    func rangeEqualsInstantSteps(step: Int64) {
        var total = 0
        var failures: [String] = []
        for path in EngineCorpusTests.files() {
            for g in CorpusReader.read(path) {
                let storage = MemoryStorage(g.series)
                var seen = Set<String>()
                for c in g.cases where seen.insert(c.expr).inserted && !c.expr.contains("start()") && !c.expr.contains("end()")
                    && !(c.expr.contains("predict_linear") && c.expr.contains("@"))
                    && !(c.expr.contains("@") && c.expr.contains(":1m] offset -")) {
                    // (predict_linear over `@` moves its window with the step in Prometheus 2.42,
                    // and `@` inside a subquery starting at its parent's start is shifted by the
                    // subquery's offset there: both differ between range and instant by design.)
                    total += 1
                    if let f = Self.check(expr: c.expr, storage: storage, start: 0, end: c.evalTime + 600_000, step: step) {
                        failures.append(f)
                    }
                }
            }
        }
        for f in failures.prefix(40) { Issue.record(Comment(rawValue: f)) }
        print("range vs instant (step \(step / 1000)s): \(total - failures.count)/\(total) expressions agree")
    }
}
