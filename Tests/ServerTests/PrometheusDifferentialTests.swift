import Foundation
import Testing
@testable import Server

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The same rule file in Prometheus 2.42 (Debian's binary) and in Vigil: `/api/v1/rules` and
/// `/api/v1/alerts` must be the same JSON, key order included, apart from times.
@Suite(.serialized) struct PrometheusDifferentialTests {
    static let rules = """
        groups:
          - name: demo
            interval: 1s
            rules:
              - record: job:one
                expr: vector(1)
                labels: {team: a}
              - record: plain
                expr: vector(2)
              - alert: AlwaysOn
                expr: vector(3)
                keep_firing_for: 1m
                labels: {severity: info}
                annotations: {summary: "value {{ $value }}"}
              - alert: Pending
                expr: vector(4)
                for: 1h
              - alert: Never
                expr: vector(1) == 0
              - record: clash
                expr: label_replace(vector(1), "a", "x", "", "") or label_replace(vector(2), "a", "x", "", "")
        """

    @Test func rulesAndAlertsAPIsMatchPrometheus() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus") else {
            if ProcessInfo.processInfo.environment["VIGIL_REQUIRE_PROMTOOL"] == "1" { Issue.record("prometheus missing") }
            return
        }
        let s = try await RunningServer(configure: { o, dir in
            try Self.rules.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
            o.ruleFiles = [dir + "/rules.yml"]
        })
        let promDir = s.dir + "/prom"
        try FileManager.default.createDirectory(atPath: promDir, withIntermediateDirectories: true)
        try Self.rules.write(toFile: promDir + "/rules.yml", atomically: true, encoding: .utf8)
        try "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n".write(toFile: promDir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = Int.random(in: 20000..<40000)
        let prom = Process()
        prom.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        prom.arguments = ["--config.file=\(promDir)/prometheus.yml", "--storage.tsdb.path=\(promDir)/data",
                          "--web.listen-address=127.0.0.1:\(port)"]
        prom.standardOutput = FileHandle.nullDevice
        prom.standardError = FileHandle.nullDevice
        try prom.run()
        defer { prom.terminate(); prom.waitUntilExit() }

        // Both evaluate every second; give them a few rounds.
        try await Task.sleep(for: .seconds(4))
        for path in ["/api/v1/rules", "/api/v1/alerts"] {
            let (_, theirs) = try await get("http://127.0.0.1:\(port)\(path)")
            let (_, ours) = try await s.request(path)
            #expect(try normalized(ours) == normalized(theirs), "\(path)")
        }
        await s.stop()
    }

    func get(_ url: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The JSON with times (and the file path) removed, keys in their original order.
    func normalized(_ json: String) throws -> String {
        var out = json
        for key in ["lastEvaluation", "activeAt", "keepFiringSince", "file"] {
            out = out.replacingOccurrences(of: "\"\(key)\":\"[^\"]*\",?", with: "", options: .regularExpression)
        }
        out = out.replacingOccurrences(of: "\"evaluationTime\":[0-9.e+-]+,?", with: "", options: .regularExpression)
        return out
    }
}
