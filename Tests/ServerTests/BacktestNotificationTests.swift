import Foundation
import Rules
import Testing
import TSDB
@testable import Server

/// The seed's rules backtested over a generated day of nginx traffic with three incidents,
/// with the seed's alertmanager.yml: three firings with the right start and end, and the
/// notifications its timers produce (its `repeat_interval: 2m` repeats on the default 5m
/// group_interval ticks), nothing sent for real.
@Suite struct BacktestNotificationTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples").standardized.path

    @Test func seedDayWithThreeIncidents() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bt-notify-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = TSDBOptions()
        options.backgroundMaintenance = false
        let db = try TSDB.open(directory: dir, options: options)
        defer { try? db.close() }
        let t0: Int64 = 1_700_000_000_000 - 1_700_000_000_000 % 86_400_000  // midnight
        let step: Int64 = 15_000
        // Incidents (minutes of the day): 03:00–03:20, 11:00–11:06, 18:00–18:45.
        let incidents: [(Int64, Int64)] = [(180, 200), (660, 666), (1080, 1125)]
        var ok = 0.0, notFound = 0.0
        var t = t0
        while t <= t0 + 86_400_000 {
            let minute = (t - t0) / 60_000
            ok += 60
            if incidents.contains(where: { minute >= $0.0 && minute < $0.1 }) { notFound += 300 }
            try db.append([
                (try Labels([("__name__", "nginx_http_response_count_total"), ("status", "200")]), t, ok),
                (try Labels([("__name__", "nginx_http_response_count_total"), ("status", "404")]), t, notFound),
                (try Labels([("__name__", "nginx_http_response_count_total"), ("status", "502")]), t, 0),
            ])
            t += step
        }
        let rulesPath = Self.examples + "/rules/prometheus_nginxlog_exporter_rules.yml"
        let file = try RuleFile.parseFile(rulesPath).get()
        var bt = Backtest.Options(from: t0, to: t0 + 86_400_000)
        bt.captureNotifications = true
        let result = try Backtest.run([(file, rulesPath)], history: db, options: bt, defaultInterval: step)
        let firing = result.alerts.flatMap(\.intervals).filter { $0.state == .firing }
        #expect(firing.count == 3)
        // Each fires 1m15s after its incident starts (15s to pass the 1m-rate threshold, then
        // `for: 1m`) and resolves within a minute after it ends.
        for (iv, inc) in zip(firing, incidents) {
            #expect(iv.start == t0 + inc.0 * 60_000 + 75_000)
            let end = try #require(iv.end)
            #expect(end > t0 + inc.1 * 60_000 && end <= t0 + inc.1 * 60_000 + 60_000)
        }

        let sent = try await NotificationReplay.run(result.sentAlerts, alertmanagerConfig: Self.examples + "/alertmanager.yml",
                                                    from: bt.from, to: bt.to, externalURL: "http://vigil:9090")
        #expect(sent.allSatisfy { $0.receiver == "slack-notifications" })
        #expect(sent.filter { $0.status == "resolved" }.count == 3)
        for (iv, inc) in zip(firing, incidents) {
            let start = Date(timeIntervalSince1970: Double(iv.start) / 1000)
            let end = Date(timeIntervalSince1970: Double(iv.end!) / 1000)
            let mine = sent.filter { $0.at >= start && $0.at < end.addingTimeInterval(400) }
            let firingOnes = mine.filter { $0.status == "firing" }
            // The first FIRING after group_wait (30s), then one every group_interval (5m):
            // repeat_interval 2m cannot repeat faster than the 5m ticks.
            #expect(abs(firingOnes[0].at.timeIntervalSince(start) - 30) <= 1)
            for (a, b) in zip(firingOnes, firingOnes.dropFirst()) {
                #expect(abs(b.at.timeIntervalSince(a.at) - 300) <= 1)
            }
            let expectedFirings = Int((end.timeIntervalSince(start) - 30) / 300) + 1
            #expect(firingOnes.count == expectedFirings, "incident at minute \(inc.0)")
            #expect(mine.filter { $0.status == "resolved" }.count == 1)
            #expect(firingOnes[0].title.contains("Error Status Code Bigger than 10"))
        }
    }
}
