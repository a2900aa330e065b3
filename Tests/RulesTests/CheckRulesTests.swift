import Foundation
import Testing
@testable import Rules

/// `check rules` against promtool 2.42: every rule file in `RuleFiles/valid` and
/// `RuleFiles/invalid` has promtool's exit code, stdout and stderr recorded next to it
/// (`RuleFiles/record.sh`), and vigil must print the same bytes.
@Suite struct CheckRulesTests {
    static let directory: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("RuleFiles").path
    }()

    static var cases: [String] {
        var out: [String] = []
        for sub in ["valid", "invalid"] {
            let all = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(sub)")) ?? []
            out += all.filter { $0.hasSuffix(".promtool.out") }.map { "\(sub)/" + $0.dropLast(".promtool.out".count) }
        }
        return out.sorted()
    }

    static func check(_ paths: [String], lint: CheckRules.LintSettings = .init()) -> (code: Int32, out: String, err: String) {
        var out = "", err = ""
        let code = CheckRules.run(files: paths, lint: lint, stdout: { out += $0 }, stderr: { err += $0 })
        return (code, out, err)
    }

    @Test func everyRecordedCaseIsFound() {
        #expect(Self.cases.count >= 20)
        #expect(Self.cases.contains("valid/prometheus-rules"))
    }

    @Test(arguments: cases)
    func sameOutputAsPromtool(_ name: String) throws {
        let recorded = try String(contentsOfFile: "\(Self.directory)/\(name).promtool.out", encoding: .utf8)
        let dir = "\(Self.directory)/\(name)".split(separator: "/").dropLast().joined(separator: "/")
        var (code, out, err) = Self.check(["/\(dir)/\(name.split(separator: "/").last!).yml"])
        // promtool ran inside the directory; paths are printed relative to it there.
        out = out.replacingOccurrences(of: "/\(dir)/", with: "")
        err = err.replacingOccurrences(of: "/\(dir)/", with: "")
        #expect("exit: \(code)\n--- stdout\n\(out)--- stderr\n\(err)" == recorded)
    }

    @Test func seedRuleFilesLoad() throws {
        let dir = "\(Self.directory)/valid"
        let seed = try RuleFile.parseFile("\(dir)/prometheus-rules.yml").get()
        #expect(seed.groups.map(\.name) == ["ecommerce-alerts"])
        let rules = seed.groups[0].rules
        #expect(rules.map(\.alert) == ["InstanceDown", "HighErrorRate", "NoOrdersPlaced"])
        #expect(rules.map(\.forDuration) == [60_000, 300_000, 600_000])
        #expect(rules[0].expr == "up{job=\"kubernetes-pods\"} == 0")
        #expect(rules[0].labels.map { "\($0.0)=\($0.1)" } == ["severity=critical"])
        #expect(rules[0].annotations.first?.1 == "Instance {{ $labels.pod }} down")

        let nginx = try RuleFile.parseFile("\(dir)/prometheus_nginxlog_exporter_rules.yml").get()
        #expect(nginx.groups[0].rules.map(\.isAlert) == [false, false, false, true])
        #expect(nginx.groups[0].rules[0].record == "job:prometheus_nginxlog_exporter:status_4xx_1m")
        #expect(nginx.groups[0].rules[3].expr.hasSuffix(") >= 50\n"))

        let r = Self.check(["\(dir)/prometheus-rules.yml", "\(dir)/prometheus_nginxlog_exporter_rules.yml",
                            "\(dir)/prometheus_nginxlog_exporter_rules_initial.yml"])
        #expect(r.code == 0)
        #expect(r.err.isEmpty)
        #expect(r.out.components(separatedBy: "SUCCESS: ").count == 4)
    }

    @Test func groupFieldsAndKeepFiringFor() throws {
        let text = """
            groups:
              - name: g
                interval: 30s
                limit: 7
                rules:
                  - alert: A
                    expr: up == 0
                    for: 5m
                    keep_firing_for: 10m
            """
        let f = try RuleFile.parse(text).get()
        #expect(f.groups[0].interval == 30_000)
        #expect(f.groups[0].limit == 7)
        #expect(f.groups[0].rules[0].keepFiringFor == 600_000)
        #expect(f.groups[0].rules[0].exprPosition == RuleFile.Position(line: 7, column: 15))
    }

    @Test func oneBadGroupLoadsNothing() {
        let text = """
            groups:
              - name: good
                rules:
                  - record: a:b
                    expr: sum(up)
              - name: bad
                rules:
                  - record: c:d
                    expr: sum(up
            """
        guard case .failure(let e) = RuleFile.parse(text) else {
            Issue.record("a file with a bad group must not load")
            return
        }
        #expect(e.messages == [
            "9:15: group \"bad\", rule 1, \"c:d\": could not parse expression: 1:7: parse error: unclosed left parenthesis",
        ])
    }

    @Test func lintSettings() {
        let file = "\(Self.directory)/invalid/lint-duplicate-rules.yml"
        var warnings = ""
        let fatal = CheckRules.LintSettings.parse("duplicate-rules", fatal: true) { warnings += $0 }
        #expect(Self.check([file], lint: fatal).code == 3)
        let none = CheckRules.LintSettings.parse("none", fatal: true) { warnings += $0 }
        let r = Self.check([file], lint: none)
        #expect(r.code == 0)
        #expect(r.out.hasSuffix("  SUCCESS: 4 rules found\n\n"))
        _ = CheckRules.LintSettings.parse("all,bogus", fatal: false) { warnings += $0 }
        #expect(warnings == "WARNING: unknown lint option bogus\n")
    }

    @Test func lintAndErrorsTogetherExitOne() {
        let dir = "\(Self.directory)/invalid"
        let r = Self.check(["\(dir)/lint-duplicate-rules.yml", "\(dir)/bad-duration.yml"], lint: .init(fatal: true))
        #expect(r.code == 1)
    }

    @Test func missingFile() {
        let r = Self.check(["/nonexistent/rules.yml"])
        #expect(r.code == 1)
        #expect(r.err == "  FAILED:\n/nonexistent/rules.yml: open /nonexistent/rules.yml: no such file or directory\n")
    }
}
