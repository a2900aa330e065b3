import Foundation
import Testing
import TSDB
@testable import PromQL

/// Replays the promtool-verified corpora (ours in Tests/PromQLCorpus, the rule tester's in
/// Tests/RulesTests/Corpus; every case there passes `promtool test rules` 2.42) against the
/// engine, as instant queries over an in-memory storage.
@Suite struct EngineCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func files() -> [String] {
        var out: [String] = []
        for dir in ["PromQLCorpus", "PromQLCorpus/nan", "RulesTests/Corpus"] {
            let d = root.appendingPathComponent(dir).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []
            out += names.filter { $0.hasSuffix(".yml") }.sorted().map { d + "/" + $0 }
        }
        return out
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        if a == b { return true }
        return Swift.abs(a - b) <= 1e-9 * Swift.max(Swift.abs(a), Swift.abs(b))
    }

    /// (file, expr) of the cases listed in Tests/RulesTests/Corpus/known-engine-gaps.txt: known
    /// differences of the engine, reported but not failed (the rule tester's suite does the same).
    static func knownGaps() -> Set<String> {
        let path = root.appendingPathComponent("RulesTests/Corpus/known-engine-gaps.txt").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var out = Set<String>()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.range(of: ": expr: \""), let end = line.range(of: "\", time: ") else { continue }
            let file = line[..<colon.lowerBound]
            let expr = line[colon.upperBound..<end.lowerBound].replacingOccurrences(of: "\\\"", with: "\"")
            out.insert("\(file)|\(expr)")
        }
        return out
    }

    /// Runs every case; returns the failures as text.
    static func runAll() -> (total: Int, failures: [String]) {
        let engine = Engine()
        let gaps = knownGaps()
        var total = 0
        var failures: [String] = []
        for path in files() {
            for g in CorpusReader.read(path) {
                let storage = MemoryStorage(g.series)
                for c in g.cases {
                    total += 1
                    let id = "\(c.file): \(c.expr) @ \(c.evalTime / 1000)s"
                    let result: QueryResult
                    do { result = try engine.instantQuery(c.expr, at: c.evalTime, storage: storage) } catch {
                        if gaps.contains("\(c.file)|\(c.expr)") { print("known engine gap: \(id)") } else {
                            failures.append("\(id): error \(error)")
                        }
                        continue
                    }
                    var got: [(Labels, Double)] = []
                    switch result {
                    case .vector(let v): got = v.map { ($0.labels, $0.v) }
                    case .scalar(_, let v): got = [(.empty, v)]
                    default:
                        failures.append("\(id): unexpected result \(result)")
                        continue
                    }
                    let exp = c.expected.sorted { labelsLess($0.labels, $1.labels) }
                    got.sort { labelsLess($0.0, $1.0) }
                    let ok = exp.count == got.count && zip(exp, got).allSatisfy { e, g in e.labels == g.0 && close(e.value, g.1) }
                    if !ok && gaps.contains("\(c.file)|\(c.expr)") {
                        print("known engine gap: \(id)")
                    } else if !ok {
                        let e = exp.map { "\(goLabelsString($0.labels)) \($0.value)" }.joined(separator: ", ")
                        let g = got.map { "\(goLabelsString($0.0)) \($0.1)" }.joined(separator: ", ")
                        failures.append("\(id):\n    exp: \(e)\n    got: \(g)")
                    }
                }
            }
        }
        return (total, failures)
    }

    @Test func corpusMatchesPromtool() {
        let (total, failures) = Self.runAll()
        #expect(total >= 150)
        for f in failures { Issue.record(Comment(rawValue: f)) }
        print("engine corpus: \(total - failures.count)/\(total) cases agree with promtool 2.42")
    }
}

@Suite struct EngineCorpusReaderTests {
    @Test func readerSeesExpectations() {
        var nonEmpty = 0, series = 0
        for f in EngineCorpusTests.files() {
            for g in CorpusReader.read(f) {
                series += g.series.count
                nonEmpty += g.cases.filter { !$0.expected.isEmpty }.count
            }
        }
        #expect(nonEmpty > 300)
        #expect(series > 50)
        print("corpus: \(nonEmpty) cases with samples, \(series) input series")
    }

    @Test func notation() throws {
        let v = try SeriesNotationLite.expand("1+2x2 _ 5x1 _x2 stale -1-1x1")
        #expect(v.count == 11)
        #expect(v[2] == 5)
        #expect(v[3] == nil)
        #expect(v[9] == -1 && v[10] == -2)
    }
}
