import Foundation
import Testing
import TSDB
@testable import Server

/// The web UI in a real browser: headless Chromium loads each page against a running Vigil,
/// the rendered DOM is checked, and screenshots are kept in .build/ui-screenshots.
@Suite(.serialized) struct WebUITests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/ui-screenshots").standardized.path

    func browser(_ args: [String]) async throws -> String {
        let (_, out) = try await runProcess([Self.chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                       "--window-size=1280,900", "--virtual-time-budget=4000"] + args)
        return out
    }

    @Test func pagesRenderAlertsRulesAndAGraph() async throws {
        guard Self.chromium != nil else {
            if ProcessInfo.processInfo.environment["VIGIL_REQUIRE_PROMTOOL"] == "1" { Issue.record("chromium missing") }
            return
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let s = try await RunningServer(configure: { o, dir in
            try """
                groups:
                  - name: shop
                    rules:
                      - record: job:orders:rate1m
                        expr: rate(orders_total[1m])
                      - alert: OrdersFlowing
                        expr: job:orders:rate1m > 0
                        labels: {severity: info}
                        annotations: {summary: "orders at {{ $value | humanize }}/s"}
                      - alert: NoOrders
                        expr: job:orders:rate1m == 0
                        for: 10m
                """.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
            o.ruleFiles = [dir + "/rules.yml"]
        }, before: { server in
            var samples: [(Labels, Int64, Double)] = []
            for i in 0..<40 {
                samples.append((try Labels([("__name__", "orders_total"), ("job", "shop")]), now - 600_000 + Int64(i) * 15_000, Double(i * 30)))
            }
            try server.db.append(samples)
        })
        for g in s.server.rules.groups { g.evaluate(at: now, environment: s.server.ruleEnvironment) }
        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)

        let alerts = try await browser(["--dump-dom", s.base + "/#/alerts"])
        #expect(alerts.contains("FIRING 1"))
        #expect(alerts.contains("OrdersFlowing"))
        #expect(alerts.contains("orders at 2/s"))
        #expect(alerts.contains("INACTIVE 1"))
        let rules = try await browser(["--dump-dom", s.base + "/#/rules"])
        #expect(rules.contains("record: job:orders:rate1m"))
        #expect(rules.contains(">OK<"))
        let graph = try await browser(["--dump-dom", s.base + "/#/graph?expr=orders_total&range=15m"])
        #expect(graph.contains("<path d=\"M"))
        #expect(graph.contains("1 series"))
        let status = try await browser(["--dump-dom", s.base + "/#/status"])
        #expect(status.contains("numSeries"))
        for page in ["alerts", "rules", "graph?expr=orders_total&range=15m", "status"] {
            let name = String(page.prefix { $0 != "?" })
            _ = try await browser(["--screenshot=\(Self.screenshots)/\(name).png", s.base + "/#/" + page])
        }
        await s.stop()
    }
}

extension WebUITests {
    @Test func targetsSilencesAndNotificationsPages() async throws {
        guard Self.chromium != nil else { return }
        let exporter = try await FakeNginxExporter()
        let s = try await RunningServer(configure: { o, dir in
            try "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: nginx\n    static_configs:\n      - targets: ['127.0.0.1:\(exporter.port)']\n"
                .write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
            try "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n".write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
            o.configFile = dir + "/prometheus.yml"
            o.alertmanagerConfigFile = dir + "/am.yml"
        })
        let (code, _) = try await s.request("/api/v2/silences", json: #"{"matchers":[{"name":"alertname","value":"Noisy","isRegex":false,"isEqual":true}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"ops","comment":"planned maintenance"}"#)
        #expect(code == 200)
        try await Task.sleep(for: .seconds(2))  // a scrape or two
        let targets = try await browser(["--dump-dom", s.base + "/#/targets"])
        #expect(targets.contains("127.0.0.1:\(exporter.port)/metrics"))
        #expect(targets.contains(">UP<"))
        let silences = try await browser(["--dump-dom", s.base + "/#/silences"])
        #expect(silences.contains("planned maintenance"))
        #expect(silences.contains(">ACTIVE<"))
        let notifications = try await browser(["--dump-dom", s.base + "/#/notifications"])
        #expect(notifications.contains("No notifications sent yet."))
        for page in ["targets", "silences"] {
            _ = try await browser(["--screenshot=\(Self.screenshots)/\(page).png", s.base + "/#/" + page])
        }
        await s.stop()
        await exporter.stop()
    }
}
