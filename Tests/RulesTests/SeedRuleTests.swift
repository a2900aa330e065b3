import Foundation
import Testing
@testable import Rules

/// The seed's rule files (examples/rules, copies of ../shared/examples/rules) and their unit
/// tests: each alert fires exactly when it should, with its labels and rendered annotations.
/// scripts/test-corpus.sh runs the same files through promtool 2.42.
@Suite struct SeedRuleTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/rules").standardized.path

    @Test(arguments: ["prometheus-rules", "prometheus_nginxlog_exporter_rules", "prometheus_nginxlog_exporter_rules_initial"])
    func seedRulesPassTheirUnitTests(_ name: String) {
        let r = RuleUnitTests.testFile(Self.examples + "/tests/\(name).test.yml")
        #expect(r.errors == [])
    }

    @Test func aBrokenExpectationIsReportedWithWhatFired() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-seed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The seed test, expecting InstanceDown one minute too early.
        var text = try String(contentsOfFile: Self.examples + "/tests/prometheus-rules.test.yml", encoding: .utf8)
        text = text.replacingOccurrences(of: "../prometheus-rules.yml", with: Self.examples + "/prometheus-rules.yml")
        text = text.replacingOccurrences(of: "      - eval_time: 2m # down, but pending: not yet a minute\n        alertname: InstanceDown\n      - eval_time: 3m",
                                         with: "      - eval_time: 3m\n        alertname: InstanceDown\n      - eval_time: 2m")
        try text.write(toFile: dir + "/t.yml", atomically: true, encoding: .utf8)
        let r = RuleUnitTests.testFile(dir + "/t.yml")
        #expect(r.errors.count == 2)
        #expect(r.errors.first?.hasPrefix("    name: instance down,\n    alertname: InstanceDown, time: 2m, \n        exp:[\n") == true)
        #expect(r.errors.first?.hasSuffix("got:[]") == true)
    }
}
