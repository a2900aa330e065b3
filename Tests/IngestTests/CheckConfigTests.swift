import Foundation
import Testing
@testable import Ingest

/// Every `Fixtures/configs/*.yml` against what `promtool check config` 2.42 printed for it
/// (recorded next to it: `.stdout`, `.stderr`, `.rc`, and `.syntax.*` for `--syntax-only`;
/// the fixture directory is written `$DIR`). Only the config part is compared: the rule file
/// checks that follow are the Rules module's.
@Suite struct CheckConfigTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/configs").path

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".yml") }.map { String($0.dropLast(4)) }.sorted()
    }

    func read(_ name: String) -> String {
        (try? String(contentsOfFile: "\(Self.dir)/\(name)", encoding: .utf8)) ?? "<missing \(name)>"
    }

    /// The output up to and including the first blank line: the config's own report.
    func configPart(_ s: String) -> String {
        guard let r = s.range(of: "\n\n") else { return s }
        return String(s[..<r.upperBound])
    }

    @Test(arguments: cases)
    func sameOutputAsPromtool(name: String) {
        for syntaxOnly in [false, true] {
            let suffix = syntaxOnly ? ".syntax" : ""
            var out = "", err = ""
            let outcome = CheckConfig.check(file: "\(Self.dir)/\(name).yml", syntaxOnly: syntaxOnly,
                                            stdout: { out += $0 }, stderr: { err += $0 })
            out = out.replacingOccurrences(of: Self.dir, with: "$DIR")
            err = err.replacingOccurrences(of: Self.dir, with: "$DIR")
            let rc = read("\(name)\(suffix).rc").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(configPart(out) == configPart(read("\(name)\(suffix).stdout")), "\(name)\(suffix) stdout")
            #expect(err == read("\(name)\(suffix).stderr"), "\(name)\(suffix) stderr")
            #expect(outcome.ok == (rc == "0"), "\(name)\(suffix) exit code")
        }
    }

    @Test func seedConfigLoadsWithPrometheusDefaults() throws {
        let c = try PrometheusConfig.load(file: "\(Self.dir)/good_seed002.yml")
        #expect(c.global.scrapeInterval == 15_000)
        #expect(c.global.scrapeTimeout == 10_000)
        #expect(c.global.evaluationInterval == 15_000)
        #expect(c.ruleFiles == ["rules/prometheus_nginxlog_exporter_rules.yml"])
        #expect(c.alerting.alertmanagers.first?.staticConfigs.first?.targets == ["alertmanager:9093"])
        #expect(c.alerting.alertmanagers.first?.timeout == 10_000)
        let job = try #require(c.scrapeConfigs.first)
        #expect(job.jobName == "prometheus-nginxlog-exporter")
        #expect(job.scrapeInterval == 15_000 && job.scrapeTimeout == 10_000)
        #expect(job.metricsPath == "/metrics" && job.scheme == "http" && job.honorTimestamps && !job.honorLabels)
        #expect(job.staticConfigs.first?.targets == ["localhost:4040"])
    }

    @Test func fullConfigValues() throws {
        let c = try PrometheusConfig.load(file: "\(Self.dir)/good_full.yml")
        #expect(c.global.externalLabels.map { $0.0 } == ["cluster", "replica"])
        let node = c.scrapeConfigs[0]
        #expect(node.scrapeInterval == 5000 && node.scrapeTimeout == 5000)
        #expect(node.honorLabels && !node.honorTimestamps)
        #expect(node.bodySizeLimit == 10 << 20)
        #expect(node.http.basicAuth?.password.value == "s3cret")
        #expect("\(node.http.basicAuth!.password)" == "<secret>")
        #expect(node.fileSDConfigs.first?.files == ["\(Self.dir)/sd/*.json"])
        #expect(node.relabelConfigs.map(\.action) == [.replace, .hashmod, .labelmap])
        #expect(node.metricRelabelConfigs.count == 4)
        let spring = c.scrapeConfigs[1]
        #expect(spring.scrapeInterval == 10_000 && spring.scrapeTimeout == 5000)
        #expect(spring.http.authorization?.type == "Bearer")
        #expect(c.remoteWrite.first?.queue.maxSamplesPerSend == 1000)
    }

    @Test func errorsCarryLineAndColumn() {
        do {
            _ = try PrometheusConfig.parse("global:\n  scrape_interval: 15x\n", file: "p.yml", directory: "")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "p.yml:2:20: parsing YAML file p.yml: not a valid duration string: \"15x\"")
        }
        do {
            _ = try PrometheusConfig.parse("scrape_configs:\n  - job_name: a\n    bogus: 1\n", file: "p.yml", directory: "")
            Issue.record("expected an error")
        } catch {
            #expect(error.position == ConfigPosition(line: 3, column: 5))
        }
    }

    @Test func secretsAreNotPrinted() throws {
        let c = try PrometheusConfig.parse("scrape_configs:\n- job_name: a\n  bearer_token: topsecret\n", file: "p.yml", directory: "")
        #expect(!"\(c)".contains("topsecret"))
        #expect(!String(reflecting: c).contains("topsecret"))
    }
}
