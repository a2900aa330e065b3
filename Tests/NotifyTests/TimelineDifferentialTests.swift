import Foundation
import Testing
@testable import Notify

/// A scripted timeline (new alert in the group, repeat, partial resolve, full resolve) run
/// in real time through Alertmanager 0.25 and through Vigil side by side, with short
/// intervals: the same notifications, in the same order, at the same times.
@Suite(.serialized) struct TimelineDifferentialTests {
    static func config(_ url: String) -> String {
        """
        route:
          receiver: hook
          group_by: [alertname]
          group_wait: 1s
          group_interval: 2s
          repeat_interval: 3s
        receivers:
        - name: hook
          webhook_configs:
          - url: '\(url)/hook'
        """
    }

    struct Event: Equatable, CustomStringConvertible {
        var at: Double
        var status: String
        var firing: Int
        var resolved: Int
        var description: String { String(format: "%.2fs ", at) + "\(status) firing=\(firing) resolved=\(resolved)" }
    }

    /// The same notifications in the same order, spaced the same (each within 0.4s of the
    /// other's, counted from each side's first notification), the first ones within 0.8s of
    /// each other (both run on a 1s/2s grid; the slack absorbs a loaded 2-core machine, where
    /// the two processes receive the posted alerts a few hundred milliseconds apart).
    static func same(_ a: [Event], _ b: [Event]) -> Bool {
        guard a.count == b.count, let a0 = a.first?.at, let b0 = b.first?.at else { return a.isEmpty && b.isEmpty }
        return abs(a0 - b0) <= 0.8 && zip(a, b).allSatisfy { x, y in
            x.status == y.status && x.firing == y.firing && x.resolved == y.resolved && abs((x.at - a0) - (y.at - b0)) <= 0.4
        }
    }

    static func events(_ sink: HTTPSink, since start: Date) -> [Event] {
        sink.requests.map { r in
            let obj = (try? JSONSerialization.jsonObject(with: Data(r.body.utf8))) as? [String: Any] ?? [:]
            let alerts = obj["alerts"] as? [[String: Any]] ?? []
            let firing = alerts.filter { ($0["status"] as? String) == "firing" }.count
            let at = r.at.timeIntervalSince(start)
            return Event(at: at, status: obj["status"] as? String ?? "", firing: firing, resolved: alerts.count - firing)
        }
    }

    @Test func sameNotificationsAtSameTimes() async throws {
        guard referenceAvailable(alertmanagerPath) else { return }
        let amSink = try HTTPSink()
        let vigilSink = try HTTPSink()
        defer { amSink.stop(); vigilSink.stop() }
        let am = try AlertmanagerProcess(config: Self.config(amSink.url), externalURL: "http://am.example:9093")
        defer { am.stop() }
        #expect(await am.waitReady())
        let d = try Dispatcher(
            config: try ConfigLoader.parse(Self.config(vigilSink.url)), templates: Fixtures.templates(),
            store: try NotifyStore(path: Fixtures.tempDir() + "/n.db"), sender: HTTPSender(),
            options: NotifierOptions(externalURL: "http://am.example:9093"))
        let loop = Task { await d.run(every: .milliseconds(20)) }
        defer { loop.cancel() }

        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func post(_ name: String, resolved: Bool) async throws {
            let now = Date()
            let end = resolved ? #","endsAt":"\#(iso.string(from: now))""# : ""
            _ = try await am.post(alerts: #"[{"labels":{"alertname":"Timeline","instance":"\#(name)"}\#(end)}]"#)
            await d.receive([PostableAlert(labels: ["alertname": "Timeline", "instance": name], endsAt: resolved ? now : nil)])
        }
        let start = Date()
        func at(_ t: Double) async { let wait = t - Date().timeIntervalSince(start); if wait > 0 { try? await Task.sleep(for: .milliseconds(Int64(wait * 1000))) } }
        try await post("a", resolved: false)
        await at(2.5); try await post("b", resolved: false)
        await at(4.5); try await post("a", resolved: false); try await post("b", resolved: false)
        await at(7.5); try await post("a", resolved: true)
        await at(9.5); try await post("b", resolved: true)
        await at(12.5)

        let theirs = Self.events(amSink, since: start)
        let ours = Self.events(vigilSink, since: start)
        print("timeline: Alertmanager \(theirs)\n          Vigil        \(ours)")
        #expect(theirs.count >= 4, "Alertmanager sent \(theirs)")
        #expect(Self.same(ours, theirs), "Vigil \(ours) vs Alertmanager \(theirs)")
    }
}

/// The seed's alertmanager.yml as written (Slack, repeat_interval 2m under the default 5m
/// group_interval), its timers divided by 60, through Alertmanager 0.25 and Vigil: FIRING
/// after group_wait, repeats only on group_interval ticks, RESOLVED once, same bodies.
@Suite(.serialized) struct SeedDifferentialTests {
    static func config(_ url: String) -> String {
        Fixtures.text("alertmanager.yml")
            .replacingOccurrences(of: "https://hooks.slack.com/services/REPLACE/WITH/YOURS", with: url + "/slack")
            .replacingOccurrences(of: "  repeat_interval: 2m", with: "  repeat_interval: 2s\n  group_wait: 500ms\n  group_interval: 5s")
    }

    @Test func seedTimelineAndBodies() async throws {
        guard referenceAvailable(alertmanagerPath) else { return }
        let amSink = try HTTPSink()
        let vigilSink = try HTTPSink()
        defer { amSink.stop(); vigilSink.stop() }
        let am = try AlertmanagerProcess(config: Self.config(amSink.url), externalURL: "http://am.example:9093")
        defer { am.stop() }
        #expect(await am.waitReady())
        let d = try Dispatcher(
            config: try ConfigLoader.parse(Self.config(vigilSink.url)), templates: Fixtures.templates(),
            store: try NotifyStore(path: Fixtures.tempDir() + "/n.db"), sender: HTTPSender(),
            options: NotifierOptions(externalURL: "http://am.example:9093"))
        let loop = Task { await d.run(every: .milliseconds(20)) }
        defer { loop.cancel() }

        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let start = Date()
        let annotations = #""annotations":{"summary":"Instance web-1 down","description":"web-1 has been down for more than 1 minute."}"#
        _ = try await am.post(alerts: #"[{"labels":{"alertname":"InstanceDown","instance":"web-1"},\#(annotations)}]"#)
        let vigilAnnotations = ["summary": "Instance web-1 down", "description": "web-1 has been down for more than 1 minute."]
        await d.receive([PostableAlert(labels: ["alertname": "InstanceDown", "instance": "web-1"], annotations: vigilAnnotations)])
        try await Task.sleep(for: .milliseconds(7000))
        let end = iso.string(from: Date())
        _ = try await am.post(alerts: #"[{"labels":{"alertname":"InstanceDown","instance":"web-1"},\#(annotations),"endsAt":"\#(end)"}]"#)
        await d.receive([PostableAlert(labels: ["alertname": "InstanceDown", "instance": "web-1"], annotations: vigilAnnotations, endsAt: iso.date(from: end))])
        try await Task.sleep(for: .milliseconds(5000))

        func timeline(_ sink: HTTPSink) -> [TimelineDifferentialTests.Event] {
            sink.requests.map { r in
                let firing = r.body.contains(#""color":"danger""#)
                return .init(at: r.at.timeIntervalSince(start), status: firing ? "firing" : "resolved", firing: firing ? 1 : 0, resolved: firing ? 0 : 1)
            }
        }
        print("seed: Alertmanager \(timeline(amSink))\n      Vigil        \(timeline(vigilSink))")
        // FIRING after group_wait, the repeat on the 5s tick (not after 2s), RESOLVED once.
        let expected: [TimelineDifferentialTests.Event] = [
            .init(at: 0.5, status: "firing", firing: 1, resolved: 0), .init(at: 5.5, status: "firing", firing: 1, resolved: 0),
            .init(at: 10.5, status: "resolved", firing: 0, resolved: 1),
        ]
        #expect(TimelineDifferentialTests.same(timeline(amSink), expected))
        #expect(TimelineDifferentialTests.same(timeline(vigilSink), timeline(amSink)))
        #expect(vigilSink.bodies == amSink.bodies)
    }
}
