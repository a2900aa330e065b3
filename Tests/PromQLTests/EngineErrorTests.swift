import Foundation
import Testing
import TSDB
@testable import PromQL

/// Error messages, checked against what promtool 2.42 reports for the same data. (The two
/// series in "found duplicate series" come in the order Prometheus meets them: the later
/// one first; promtool loads its series in random order, Prometheus's own storage in order.)
@Suite struct EngineErrorTests {
    static func storage() -> MemoryStorage {
        func s(_ l: [(String, String)], _ start: Double, _ inc: Double) -> StoredSeries {
            let ts = (0...10).map { Int64($0) * 60_000 }
            return StoredSeries(labels: try! Labels(l), timestamps: ts, values: (0...10).map { start + Double($0) * inc })
        }
        return MemoryStorage([
            s([("__name__", "err"), ("method", "get"), ("code", "500")], 24, 1),
            s([("__name__", "err"), ("method", "get"), ("code", "404")], 30, 2),
            s([("__name__", "req"), ("method", "get"), ("team", "a")], 600, 10),
            s([("__name__", "req"), ("method", "get"), ("team", "b")], 600, 10),
            s([("__name__", "a"), ("x", "1")], 1, 0),
            s([("__name__", "b"), ("x", "1")], 1, 0),
        ])
    }

    static let dup = "found duplicate series for the match group {method=\"get\"} on the %@ hand-side of the operation: [{__name__=\"req\", method=\"get\", team=\"b\"}, {__name__=\"req\", method=\"get\", team=\"a\"}];many-to-many matching not allowed: matching labels must be unique on one side"
    static let same = "vector cannot contain metrics with the same labelset"
    static let explicit = "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"

    static var cases: [(String, String)] {
        var c: [(String, String)] = []
        c.append(("err / on(method) req", dup.replacingOccurrences(of: "%@", with: "right")))
        c.append(("err / on(method) group_left req", dup.replacingOccurrences(of: "%@", with: "right")))
        c.append(("req / on(method) group_right err", dup.replacingOccurrences(of: "%@", with: "left")))
        c.append(("abs({x=\"1\"})", same))
        c.append(("-{x=\"1\"}", same))
        c.append(("{x=\"1\"} * 1", same))
        c.append(("timestamp({x=\"1\"})", same))
        c.append(("label_replace(err, \"code\", \"x\", \"code\", \".*\")", same))
        c.append(("label_replace(err, \"1x\", \"x\", \"code\", \".*\")", "invalid destination label name in label_replace(): 1x"))
        c.append(("label_replace(err, \"y\", \"x\", \"code\", \"(\")", "invalid regular expression in label_replace(): ("))
        c.append(("label_join(err, \"code\", \"x\", \"method\")", same))
        c.append(("holt_winters(err[5m], 1, 0.5)", "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000"))
        c.append(("holt_winters(err[5m], 0.5, 0)", "invalid trend factor. Expected: 0 < tf < 1, got: 0.000000"))
        c.append(("count_values(\"1x\", err)", "invalid label name \"1x\""))
        c.append(("err - on(method) req{team=\"a\"}", explicit))
        c.append(("err < on(method) req{team=\"a\"}", explicit))
        c.append(("err < bool on(method) req{team=\"a\"}", explicit))
        return c
    }

    @Test func messagesMatchPromtool() {
        let engine = Engine()
        let st = Self.storage()
        for (expr, message) in Self.cases {
            do {
                let r = try engine.instantQuery(expr, at: 0, storage: st)
                Issue.record("\(expr): expected error, got \(r)")
            } catch {
                #expect(error.message == message, "\(expr)")
                #expect(error.kind == .execution)
            }
        }
    }

    @Test func noErrorWhereNothingCollides() throws {
        let engine = Engine()
        let st = Self.storage()
        for expr in ["{x=\"1\"} > 0", "last_over_time({x=\"1\"}[1m])", "err > on(method) req{team=\"a\"}",
                     "err{code=\"500\"} + on(method) group_left(code) req{team=\"a\"}"] {
            _ = try engine.instantQuery(expr, at: 0, storage: st)
        }
    }

    @Test func limits() {
        var o = EngineOptions()
        o.maxSamples = 10
        do {
            _ = try Engine(options: o).rangeQuery("err", start: 0, end: 600_000, step: 60_000, storage: Self.storage())
            Issue.record("expected too many samples")
        } catch {
            #expect(error.kind == .tooManySamples)
            #expect(error.message == "query processing would load too many samples into memory in query execution")
        }
        var t = EngineOptions()
        t.timeout = .zero
        do {
            _ = try Engine(options: t).instantQuery("sum(err)", at: 0, storage: Self.storage())
            Issue.record("expected timeout")
        } catch {
            #expect(error.kind == .timeout)
            #expect(error.message == "query timed out in query execution")
        }
    }

    @Test func badQueries() {
        let engine = Engine()
        do {
            _ = try engine.rangeQuery("err[5m]", start: 0, end: 60_000, step: 1000, storage: Self.storage())
            Issue.record("expected error")
        } catch {
            #expect(error.kind == .badData)
            #expect(error.message == "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector")
        }
        do {
            _ = try engine.instantQuery("sum(", at: 0, storage: Self.storage())
            Issue.record("expected parse error")
        } catch {
            #expect(error.kind == .badData)
        }
    }
}
