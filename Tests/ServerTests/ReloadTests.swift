import Foundation
import Testing
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
