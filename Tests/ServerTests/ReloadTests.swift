import Foundation
import Testing
import TSDB
@testable import Server

@Suite(.serialized) struct ReloadTests {
    @Test func reloadAppliesGoodRulesAndKeepsOldOnesOfABrokenFile() async throws {
        var rulesPath = ""
        let s = try await RunningServer(configure: { o, dir in
            rulesPath = dir + "/rules.yml"
            try "groups:\n  - name: g\n    rules:\n      - record: first\n        expr: vector(1)\n"
                .write(toFile: rulesPath, atomically: true, encoding: .utf8)
            o.ruleFiles = [dir + "/*.yml"]
            o.enableLifecycle = true
        })
        func ruleNames() async throws -> [String] {
            let (_, obj) = try await s.json("/api/v1/rules")
            let groups = (obj["data"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            return groups.flatMap { ($0["rules"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
        }
        #expect(try await ruleNames() == ["first"])

        try "groups:\n  - name: g\n    rules:\n      - record: second\n        expr: vector(2)\n"
            .write(toFile: rulesPath, atomically: true, encoding: .utf8)
        let (ok, _) = try await s.request("/-/reload", form: "")
        #expect(ok == 200)
        #expect(try await ruleNames() == ["second"])

        try "groups:\n  - name: g\n    rules:\n      - record: third\n        expr: vector(\n"
            .write(toFile: rulesPath, atomically: true, encoding: .utf8)
        let (bad, body) = try await s.request("/-/reload", form: "")
        #expect(bad == 500)
        #expect(body.hasPrefix("failed to reload config: "))
        #expect(body.contains("parse error"))
        #expect(try await ruleNames() == ["second"])
        await s.stop()
    }

    @Test func reloadNeedsTheLifecycleFlag() async throws {
        let s = try await RunningServer()
        let (code, _) = try await s.request("/-/reload", form: "")
        #expect(code == 403)
        await s.stop()
    }
}

@Suite struct StatusConfigTests {
    @Test func secretsAreNeverShown() {
        let text = """
            scrape_configs:
              - job_name: a
                basic_auth: {username: u, password: hunter2}
                authorization: {credentials: tok3n}
                static_configs: [{targets: ['x:1']}]
            """
        let out = StatusConfigAPI.redacted(text) ?? ""
        #expect(!out.contains("hunter2"))
        #expect(!out.contains("tok3n"))
        #expect(out.contains("password: <secret>"))
        #expect(out.contains("username: u"))
    }
}

@Suite(.serialized) struct AdminAPITests {
    @Test func deleteSeriesAndSnapshotOnlyWhenEnabled() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let s = try await RunningServer(configure: { o, _ in o.enableAdminAPI = true }, before: { server in
            try server.db.append([
                (try Labels([("__name__", "keep"), ("job", "a")]), now - 3000, 1),
                (try Labels([("__name__", "keep"), ("job", "a")]), now - 2000, 2),
                (try Labels([("__name__", "keep"), ("job", "a")]), now - 1000, 3),
                (try Labels([("__name__", "drop"), ("job", "a")]), now - 1000, 2),
            ])
            _ = try server.db.checkpoint()
        })
        let (code, _) = try await s.request("/api/v1/admin/tsdb/delete_series", form: "match%5B%5D=drop")
        #expect(code == 204)
        let (_, series) = try await s.request("/api/v1/series?match%5B%5D=%7Bjob%3D%22a%22%7D")
        #expect(series == #"{"status":"success","data":[{"__name__":"keep","job":"a"}]}"#)
        // A time range deletes only the samples in it (here the middle one).
        let mid = Double(now - 2000) / 1000
        let (partial, _) = try await s.request("/api/v1/admin/tsdb/delete_series", form: "match%5B%5D=keep&start=\(mid - 0.5)&end=\(mid + 0.5)")
        #expect(partial == 204)
        let (_, left) = try await s.json("/api/v1/query", form: "query=count_over_time(keep%5B1m%5D)&time=\(Double(now) / 1000)")
        let value = ((left["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first?["value"] as? [Any]
        #expect(value?.last as? String == "2")
        let (backwards, _) = try await s.request("/api/v1/admin/tsdb/delete_series", form: "match%5B%5D=keep&start=10&end=5")
        #expect(backwards == 400)
        let (scode, snap) = try await s.json("/api/v1/admin/tsdb/snapshot", form: "")
        #expect(scode == 200)
        let name = try #require((snap["data"] as? [String: String])?["name"])
        #expect(FileManager.default.fileExists(atPath: s.dir + "/data/snapshots/\(name)/vigil.db"))
        await s.stop()

        let off = try await RunningServer()
        let (disabled, text) = try await off.request("/api/v1/admin/tsdb/snapshot", form: "")
        #expect(disabled == 503)
        #expect(text == #"{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}"#)
        await off.stop()
    }
}

@Suite(.serialized) struct ConfigReloadTests {
    @Test func aBrokenPrometheusYmlKeepsTheRunningConfig() async throws {
        let exporter = try await FakeNginxExporter()
        var configPath = ""
        let s = try await RunningServer(configure: { o, dir in
            configPath = dir + "/prometheus.yml"
            try "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: nginx\n    static_configs:\n      - targets: ['127.0.0.1:\(exporter.port)']\n"
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            o.configFile = configPath
            o.enableLifecycle = true
        })
        try "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: nginx\n    static_configz: []\n"
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let (code, body) = try await s.request("/-/reload", form: "")
        #expect(code == 500)
        #expect(body.contains("static_configz"))
        #expect(body.contains("prometheus.yml:5:"))  // the file, line and column of the mistake
        try await Task.sleep(for: .milliseconds(1500))
        let (_, targets) = try await s.request("/api/v1/targets")
        #expect(targets.contains(#""scrapePool":"nginx""#))
        #expect(targets.contains(#""health":"up""#))
        await s.stop()
        await exporter.stop()
    }
}
