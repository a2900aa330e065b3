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
