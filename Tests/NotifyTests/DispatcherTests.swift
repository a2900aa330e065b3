import Foundation
import Testing
@testable import Notify

/// Scripted timelines on a manual clock, with real HTTP posts to a local sink.
@Suite(.serialized) struct DispatcherTests {
    struct Harness {
        let sink: HTTPSink
        let clock: ManualClock
        let dispatcher: Dispatcher
        let store: NotifyStore
        let dir: String
        let start: Date

        /// Ticks every `step` seconds until `until` seconds after start; returns the offset of
        /// each request the sink received, in order.
        func run(until: TimeInterval, step: TimeInterval = 10, at events: [TimeInterval: () async -> Void] = [:]) async -> [TimeInterval] {
            var offsets: [TimeInterval] = []
            var t: TimeInterval = 0
            while t <= until {
                clock.set(start.addingTimeInterval(t))
                if let e = events[t] { await e() }
                let before = sink.requests.count
                await dispatcher.tick()
                for _ in before..<sink.requests.count { offsets.append(t) }
                t += step
            }
            return offsets
        }
    }

    static func harness(_ yaml: (String) -> String, options: NotifierOptions = NotifierOptions(externalURL: "http://am.example:9093"), dir: String? = nil, sink: HTTPSink? = nil) throws -> Harness {
        let sink = try sink ?? HTTPSink()
        let dir = dir ?? Fixtures.tempDir()
        let config = try ConfigLoader.parse(yaml(sink.url))
        let store = try NotifyStore(path: dir + "/notify.db")
        let clock = ManualClock()
        let d = try Dispatcher(config: config, templates: Fixtures.templates(), store: store, sender: HTTPSender(), clock: clock, options: options)
        return Harness(sink: sink, clock: clock, dispatcher: d, store: store, dir: dir, start: clock.now())
    }

    static func seedConfig(_ url: String) -> String {
        Fixtures.text("alertmanager.yml").replacingOccurrences(of: "https://hooks.slack.com/services/REPLACE/WITH/YOURS", with: url + "/slack")
    }

    /// The seed: FIRING after group_wait (30s), repeats on the 5m group_interval ticks since
    /// the 2m repeat_interval has passed by then, RESOLVED once.
    @Test func seedScenarioTimeline() async throws {
        let h = try Self.harness(Self.seedConfig)
        defer { h.sink.stop() }
        let labels = ["alertname": "HighCPU", "instance": "web-1"]
        let annotations = ["summary": "CPU high on web-1", "description": "CPU above 90% for 5m"]
        // Like Prometheus, the rule engine re-sends the firing alert every minute (no end
        // time, so each post extends it by resolve_timeout), then sends it resolved at 7m.
        var events: [TimeInterval: () async -> Void] = [:]
        for t in stride(from: 0.0, to: 420, by: 60) {
            events[t] = { await h.dispatcher.receive([PostableAlert(labels: labels, annotations: annotations, startsAt: h.start)]) }
        }
        events[420] = {
            await h.dispatcher.receive([PostableAlert(labels: labels, annotations: annotations, startsAt: h.start, endsAt: h.start.addingTimeInterval(420))])
        }
        let offsets = await h.run(until: 1200, at: events)
        #expect(offsets == [30, 330, 630])
        let bodies = h.sink.bodies
        #expect(bodies.count == 3)
        #expect(bodies.first?.contains(#""title":"CPU high on web-1\n""#) == true)
        #expect(bodies.first?.contains(#""color":"danger""#) == true)
        #expect(bodies.last?.contains(#""color":"good""#) == true)
        #expect(h.sink.requests.allSatisfy { $0.path == "/slack" })
        let counters = await h.dispatcher.deliveryCounters(receiver: "slack-notifications")
        #expect(counters == DeliveryCounters(sent: 3, failed: 0))
        let history = try h.store.history(receiver: "slack-notifications")
        #expect(history.map(\.status) == ["resolved", "firing", "firing"])
        #expect(history.allSatisfy { $0.outcome == .sent && !$0.body.isEmpty })
    }

    /// A new alert joining a group is sent on the next group_interval tick, not after repeat.
    @Test func newAlertInGroupWaitsForTick() async throws {
        let h = try Self.harness { url in
            "route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 30s\n  group_interval: 1m\n  repeat_interval: 1h\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: \(url)/hook\n"
        }
        defer { h.sink.stop() }
        let offsets = await h.run(until: 300, at: [
            0: { await h.dispatcher.receive([PostableAlert(labels: ["alertname": "A", "i": "1"], startsAt: h.start)]) },
            40: { await h.dispatcher.receive([PostableAlert(labels: ["alertname": "A", "i": "2"], startsAt: h.start.addingTimeInterval(40))]) },
        ])
        // 30s: first flush; 90s: the tick after the second alert arrived; nothing after.
        #expect(offsets == [30, 90])
        #expect(h.sink.bodies.last?.contains(#""i":"2""#) == true)
        #expect(h.sink.bodies.last?.contains(#""groupKey":"{}:{alertname=\"A\"}""#) == true)
    }

    /// Routing example: critical → dev-all Slack and PagerDuty; payment → its channel; a
    /// warning inhibited by a critical of the same alertname and application; a silence
    /// mutes exactly what it matches.
    @Test func routingInhibitionAndSilences() async throws {
        let h = try Self.harness { url in
            Fixtures.text("alertmanager-routing.yml")
                .replacingOccurrences(of: "https://hooks.slack.com/services/REPLACE/WITH/YOURS", with: url + "/slack")
                .replacingOccurrences(of: "  resolve_timeout: 5m", with: "  resolve_timeout: 5m\n  pagerduty_url: \(url)/pd")
        }
        defer { h.sink.stop() }
        let critical = ["alertname": "Down", "application": "pay", "severity": "critical"]
        let warning = ["alertname": "Down", "application": "pay", "severity": "warning"]
        let payment = ["alertname": "Slow", "application": "checkout", "team": "payment"]
        let silenced = ["alertname": "Noisy", "application": "batch", "team": "payment"]
        _ = try h.dispatcher.silences.set(Silence(
            matchers: try MatcherParser.parseMatchers("alertname=Noisy"), startsAt: h.start,
            endsAt: h.start.addingTimeInterval(3600), createdBy: "test", comment: "mute batch"), now: h.start)
        _ = await h.run(until: 60, at: [0: {
            await h.dispatcher.receive([critical, warning, payment, silenced].map { PostableAlert(labels: $0, startsAt: h.start) })
        }])
        let reqs = h.sink.requests
        let slack = reqs.filter { $0.path == "/slack" }.map(\.body)
        let pd = reqs.filter { $0.path == "/pd" }.map(\.body)
        #expect(pd.count == 1)
        #expect(pd.first?.contains(#""routing_key":"REPLACE-WITH-INTEGRATION-KEY""#) == true)
        #expect(pd.first?.contains(#""severity":"critical""#) == true)
        #expect(slack.count == 2)
        #expect(slack.contains { $0.contains(##""channel":"#dev-all""##) && $0.contains("[FIRING:1] Down pay") })
        #expect(slack.contains { $0.contains(##""channel":"#payment""##) && $0.contains("Slow") })
        #expect(!slack.joined().contains("Noisy"))
        #expect(!reqs.map(\.body).joined().contains(#""severity":"warning""#))
        #expect(await h.dispatcher.isInhibited(warning))
        // The PagerDuty history never shows the routing key.
        let pdHistory = try h.store.history(receiver: "pagerduty-sre")
        #expect(pdHistory.count == 1)
        #expect(pdHistory.first?.body.contains("REPLACE-WITH-INTEGRATION-KEY") == false)
    }

    /// resolve_timeout: an alert without endsAt resolves on its own after 5m without updates.
    @Test func resolveTimeout() async throws {
        let h = try Self.harness { url in
            "global:\n  resolve_timeout: 2m\nroute:\n  receiver: hook\n  group_wait: 10s\n  group_interval: 1m\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: \(url)/hook\n"
        }
        defer { h.sink.stop() }
        let offsets = await h.run(until: 400, at: [0: { await h.dispatcher.receive([PostableAlert(labels: ["alertname": "Gone"])]) }])
        // Firing at 10s; resolves at 120s; told at the next tick (130s).
        #expect(offsets == [10, 130])
        #expect(h.sink.bodies.last?.contains(#""status":"resolved""#) == true)
    }

    /// send_resolved false: no resolved message, and the log forgets the alert so it can fire again.
    @Test func sendResolvedFalse() async throws {
        let h = try Self.harness { url in
            "route:\n  receiver: hook\n  group_wait: 10s\n  group_interval: 1m\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: \(url)/hook\n    send_resolved: false\n"
        }
        defer { h.sink.stop() }
        let labels = ["alertname": "Flap"]
        let offsets = await h.run(until: 400, at: [
            0: { await h.dispatcher.receive([PostableAlert(labels: labels, startsAt: h.start)]) },
            30: { await h.dispatcher.receive([PostableAlert(labels: labels, startsAt: h.start, endsAt: h.start.addingTimeInterval(30))]) },
            200: { await h.dispatcher.receive([PostableAlert(labels: labels, startsAt: h.start.addingTimeInterval(200))]) },
        ])
        #expect(offsets.count == 2)
        #expect(offsets.first == 10)
        #expect(h.sink.bodies.allSatisfy { $0.contains(#""status":"firing""#) })
    }
}

@Suite struct ReceiveValidationTests {
    @Test func invalidAlertsReportedValidOnesKept() async throws {
        let h = try DispatcherTests.harness { url in "route:\n  receiver: hook\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: \(url)/hook\n" }
        defer { h.sink.stop() }
        let now = h.start
        let errors = await h.dispatcher.receive([
            PostableAlert(labels: ["alertname": "Good", "empty": ""]),
            PostableAlert(labels: ["empty": ""]),
            PostableAlert(labels: ["bad-name": "x"]),
            PostableAlert(labels: ["alertname": "Backwards"], startsAt: now, endsAt: now.addingTimeInterval(-60)),
        ])
        #expect(errors == ["at least one label pair required", #"invalid label set: invalid name "bad-name""#, "start time must be before end time"])
        #expect(await h.dispatcher.activeAlerts().map(\.labels) == [["alertname": "Good"]])
    }
}

@Suite(.serialized) struct DispatcherScaleTests {
    /// 5,000 alerts in 500 groups, one tick flushing them all to a real sink: every group
    /// notified once, in reasonable time even in a debug build.
    @Test func manyGroupsOneTick() async throws {
        let h = try DispatcherTests.harness { url in
            """
            route:
              receiver: hook
              group_by: [service]
              group_wait: 10s
            inhibit_rules:
            - source_matchers: [severity=critical]
              target_matchers: [severity=warning]
              equal: [service]
            receivers:
            - name: hook
              webhook_configs:
              - url: \(url)/hook
            """
        }
        defer { h.sink.stop() }
        let alerts = (0..<5000).map { i in
            PostableAlert(labels: ["alertname": "A\(i % 10)", "service": "s\(i % 500)", "severity": i % 3 == 0 ? "critical" : "info", "i": "\(i)"], startsAt: h.start)
        }
        let t0 = ContinuousClock.now
        await h.dispatcher.receive(alerts)
        let received = ContinuousClock.now - t0
        h.clock.advance(by: 10)
        let t1 = ContinuousClock.now
        await h.dispatcher.tick()
        let flushed = ContinuousClock.now - t1
        print("scale: receive 5000 alerts \(received), flush 500 groups \(flushed)")
        #expect(h.sink.requests.count == 500)
        #expect(flushed < .seconds(60))
    }
}

@Suite struct SubmitTests {
    /// Alerts submitted without waiting are taken in order: a firing alert then its
    /// resolution ends resolved, not the other way round.
    @Test func submittedInOrderOnNextTick() async throws {
        let h = try DispatcherTests.harness { url in "route:\n  receiver: hook\n  group_wait: 10s\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: \(url)/hook\n" }
        defer { h.sink.stop() }
        h.dispatcher.submit([PostableAlert(labels: ["alertname": "S"], startsAt: h.start)])
        h.dispatcher.submit([PostableAlert(labels: ["alertname": "S"], startsAt: h.start, endsAt: h.start)])
        #expect(await h.dispatcher.activeAlerts().isEmpty)
        await h.dispatcher.tick()
        let alerts = await h.dispatcher.activeAlerts()
        #expect(alerts.count == 1)
        #expect(alerts.first?.resolved(at: h.start) == true)
    }
}
