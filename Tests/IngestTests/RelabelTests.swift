import Foundation
import Testing
import TSDB
@testable import Ingest

@Suite struct RelabelTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func dict(_ l: Labels) -> [String: String] {
        var d: [String: String] = [:]
        for x in l { d[x.name] = x.value }
        return d
    }

    /// `relabel_prometheus.yml` was loaded by Prometheus 2.42; `relabel_prometheus_targets.json`
    /// is what its /api/v1/targets showed (discovered labels, labels, scrape URL, dropped).
    @Test func targetsMatchRealPrometheus() throws {
        let config = try PrometheusConfig.load(file: Self.fixtures.appendingPathComponent("relabel_prometheus.yml").path)
        let sc = config.scrapeConfigs[0]
        let (active, dropped) = TargetPopulation.targets(of: sc.staticConfigs[0], config: sc)
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("relabel_prometheus_targets.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let wantActive = try #require(json["active"] as? [[String: Any]])
        let wantDropped = try #require(json["dropped"] as? [[String: String]])
        #expect(active.count == wantActive.count)
        for want in wantActive {
            let wantLabels = try #require(want["labels"] as? [String: String])
            let got = active.first { $0.labels["instance"] == wantLabels["instance"] }
            let visible = got.map { dict($0.labels).filter { !$0.key.hasPrefix("__") } }
            #expect(visible == wantLabels)
            #expect(got.map { dict($0.discoveredLabels) } == want["discovered"] as? [String: String])
            #expect(got?.scrapeURL == want["scrapeUrl"] as? String)
        }
        #expect(dropped.map { dict($0.discoveredLabels) } == wantDropped)
    }

    func run(_ labels: [(String, String)], _ configs: [RelabelConfig]) -> [String: String]? {
        var lb = LabelBuilder(labels)
        guard Relabeler.process(&lb, configs) else { return nil }
        var d: [String: String] = [:]
        for p in lb.pairs { d[p.name] = p.value }
        return d
    }

    @Test func keepAndDrop() throws {
        let keep = try RelabelConfig(action: .keep, sourceLabels: ["a"], regex: "f.*")
        #expect(run([("a", "foo")], [keep]) != nil)
        #expect(run([("a", "xfoo")], [keep]) == nil)  // anchored
        let drop = try RelabelConfig(action: .drop, sourceLabels: ["a", "b"], regex: "foo;bar")
        #expect(run([("a", "foo"), ("b", "bar")], [drop]) == nil)
        #expect(run([("a", "foo")], [drop]) != nil)
    }

    @Test func keepEqualDropEqual() throws {
        let ke = try RelabelConfig(action: .keepequal, sourceLabels: ["a"], targetLabel: "b")
        #expect(run([("a", "1"), ("b", "1")], [ke]) != nil)
        #expect(run([("a", "1"), ("b", "2")], [ke]) == nil)
        let de = try RelabelConfig(action: .dropequal, sourceLabels: ["a"], targetLabel: "b")
        #expect(run([("a", "1"), ("b", "1")], [de]) == nil)
        #expect(run([("a", "1")], [de]) != nil)
    }

    @Test func replaceExpansion() throws {
        let r = try RelabelConfig(sourceLabels: ["a"], regex: "(?P<x>[a-z]+)-(\\d+)", targetLabel: "t", replacement: "${x}:$2:$1x:$$:${3}:$")
        #expect(run([("a", "abc-12")], [r])?["t"] == "abc:12::$::$")
        // No match: nothing changes.
        #expect(run([("a", "ABC")], [r])?["t"] == nil)
        // Empty result deletes the target label.
        let del = try RelabelConfig(sourceLabels: ["missing"], regex: "", targetLabel: "a", replacement: "")
        #expect(run([("a", "1")], [del])?["a"] == nil)
    }

    @Test func labelmapLabeldropLabelkeep() throws {
        let m = try RelabelConfig(action: .labelmap, regex: "__meta_(.+)")
        #expect(run([("__meta_a", "1"), ("b", "2")], [m]) == ["__meta_a": "1", "a": "1", "b": "2"])
        let d = try RelabelConfig(action: .labeldrop, regex: "__meta_.*")
        #expect(run([("__meta_a", "1"), ("b", "2")], [d]) == ["b": "2"])
        let k = try RelabelConfig(action: .labelkeep, regex: "b|c")
        #expect(run([("__meta_a", "1"), ("b", "2")], [k]) == ["b": "2"])
    }

    @Test func caseActions() throws {
        let l = try RelabelConfig(action: .lowercase, sourceLabels: ["a", "b"], targetLabel: "x")
        let u = try RelabelConfig(action: .uppercase, sourceLabels: ["a"], targetLabel: "y")
        #expect(run([("a", "AbC"), ("b", "D")], [l, u]) == ["a": "AbC", "b": "D", "x": "abc;d", "y": "ABC"])
    }

    /// Values from the real Prometheus run above (targets.json): hashmod over md5.
    @Test func hashmodMatchesPrometheus() throws {
        let h = try RelabelConfig(action: .hashmod, sourceLabels: ["__address__"], modulus: 8, targetLabel: "s")
        #expect(run([("__address__", "web-1.example.com:9100")], [h])?["s"] == "1")
        #expect(run([("__address__", "Cache-3")], [h])?["s"] == "3")
        let h2 = try RelabelConfig(action: .hashmod, sourceLabels: ["__address__", "zone"], modulus: 1000, targetLabel: "s")
        #expect(run([("__address__", "web-1.example.com:9100"), ("zone", "eu-west-1a")], [h2])?["s"] == "804")
        #expect(MD5.digest(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined() == "900150983cd24fb0d6963f7d28e17f72")
    }

    @Test func relabelTargetNames() {
        #expect(RelabelConfig.isRelabelTarget("abc"))
        #expect(RelabelConfig.isRelabelTarget("${1}bad"))
        #expect(RelabelConfig.isRelabelTarget("shard_$1"))
        #expect(RelabelConfig.isRelabelTarget("a1"))
        #expect(!RelabelConfig.isRelabelTarget("1bad"))
        #expect(!RelabelConfig.isRelabelTarget("a-b"))
        #expect(!RelabelConfig.isRelabelTarget(""))
    }
}
