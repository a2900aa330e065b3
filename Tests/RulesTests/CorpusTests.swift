import Foundation
import Testing
@testable import Rules
import PromQL
import TSDB

/// Runs every file of `Corpus/` (each one also passes `promtool test rules` 2.42, see
/// scripts/test-corpus.sh) through the rule unit tester in-process.
///
/// Cases listed in `Corpus/known-engine-gaps.txt` may fail: they are differences of the PromQL engine
/// from Prometheus that are known and reported (each test run prints them) rather than
/// hidden; any other failing case fails the test. A listed case that passes is reported
/// too, so the list can shrink.
@Suite struct CorpusTests {
    static let corpusDirectory: String = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return here.appendingPathComponent("Corpus").path
    }()

    static var corpusFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }

    /// Cases the engine does not get right yet (`Corpus/known-engine-gaps.txt`), keyed
    /// `FILE: expr: "EXPR", time: T`, with the reason.
    static let knownEngineGaps: [String: String] = {
        let path = corpusDirectory + "/known-engine-gaps.txt"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.components(separatedBy: "  # ")
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if !key.isEmpty { out[key] = parts.count > 1 ? parts[1] : "" }
        }
        return out
    }()

    static func key(_ file: String, _ c: RuleUnitTests.CaseResult) -> String {
        "\(file): expr: \(Labels.quote(c.expr)), time: \(PromQLDuration.format(milliseconds: c.evalTime))"
    }

    @Test func corpusIsLargeEnough() {
        var cases = 0
        for f in Self.corpusFiles {
            cases += RuleUnitTests.testFile(Self.corpusDirectory + "/" + f).cases.count
        }
        #expect(Self.corpusFiles.count >= 10)
        #expect(cases >= 300, "corpus has \(cases) promql_expr_test cases")
    }

    @Test(arguments: corpusFiles)
    func corpusFile(_ name: String) {
        let result = RuleUnitTests.testFile(Self.corpusDirectory + "/" + name)
        // Errors that are not about one case (bad file, bad input series) always fail.
        let caseErrors = Set(result.cases.compactMap(\.error))
        for e in result.errors where !caseErrors.contains(e) {
            Issue.record("\(name): \(e)")
        }
        var gaps: [String] = []
        for c in result.cases {
            let key = Self.key(name, c)
            if c.passed {
                if Self.knownEngineGaps[key] != nil { print("known gap now passes, remove it from the list: \(key)") }
            } else if let why = Self.knownEngineGaps[key] {
                gaps.append("\(key) (\(why))")
            } else {
                Issue.record("\(key) failed:\n\(c.error ?? "")")
            }
        }
        let passed = result.cases.filter(\.passed).count
        print("corpus \(name): \(passed)/\(result.cases.count) cases pass under vigil")
        for g in gaps { print("  known engine gap: \(g)") }
    }
}
