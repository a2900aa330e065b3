import Foundation
import Testing
@testable import Notify

/// The same alerts through the real Alertmanager 0.25 and through Vigil, both posting to
/// local sinks: the Slack, webhook and PagerDuty bodies must be identical byte for byte.
@Suite(.serialized) struct DifferentialTests {
    static func config(_ url: String) -> String {
        """
        global:
          slack_api_url: '\(url)/slack-global'
          pagerduty_url: '\(url)/pd'
        route:
          receiver: all
          group_by: [alertname]
          group_wait: 1s
          group_interval: 1m
          repeat_interval: 1h
        receivers:
        - name: all
          slack_configs:
          - channel: '#_monitoring'
            api_url: '\(url)/slack0'
            send_resolved: true
            title: "{{ range .Alerts }}{{ .Annotations.summary }}\\n{{ end }}"
            text: "{{ range .Alerts }}{{ .Annotations.description }}\\n{{ end }}"
          - api_url: '\(url)/slack1'
            channel: '#dev-all'
            link_names: true
            short_fields: true
            image_url: 'http://img/{{ .GroupLabels.alertname }}.png'
            mrkdwn_in: [text]
            fields:
            - title: Severity
              value: '{{ .CommonLabels.severity }}'
            - title: Count
              value: '{{ len .Alerts }}'
              short: false
            actions:
            - type: button
              text: 'Runbook <{{ .GroupLabels.alertname }}>'
              url: 'http://runbook/{{ .GroupLabels.alertname }}?a=1&b=2'
          - api_url: '\(url)/slack2'
          webhook_configs:
          - url: '\(url)/hook'
          - url: '\(url)/hook-max'
            max_alerts: 1
          pagerduty_configs:
          - routing_key: 'KEY123'
            severity: '{{ .CommonLabels.severity }}'
            class: cls
            links:
            - href: 'http://dash/{{ .GroupLabels.alertname }}'
              text: dashboard
            details:
              extra: '{{ .CommonAnnotations.summary }}'
        """
    }

    /// Start times a moment ago, so group_wait applies: with older ones Alertmanager flushes
    /// on the first insert, racing the second alert of the same POST.
    static let startA = startTimes.0
    static let startB = startTimes.1
    static let startTimes: (String, String) = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = Date()
        return (f.string(from: now), f.string(from: now.addingTimeInterval(-0.2)))
    }()

    static let alertsJSON = """
        [{"labels":{"alertname":"DiskFull","instance":"db-2:9100","job":"node","severity":"critical"},
          "annotations":{"summary":"Disk <90%> & rising on db-2","description":"Only 3% left — 한국어 \\u2028 ok"},
          "startsAt":"\(startA)","generatorURL":"http://prom:9090/graph?g0.expr=up&g0.tab=1"},
         {"labels":{"alertname":"DiskFull","instance":"db-1:9100","job":"node","severity":"critical"},
          "annotations":{"summary":"Disk full on db-1","description":"Only 1% left"},
          "startsAt":"\(startB)","generatorURL":"http://prom:9090/graph"}]
        """

    static func vigilAlerts() -> [PostableAlert] {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return [
            PostableAlert(
                labels: ["alertname": "DiskFull", "instance": "db-2:9100", "job": "node", "severity": "critical"],
                annotations: ["summary": "Disk <90%> & rising on db-2", "description": "Only 3% left — 한국어 \u{2028} ok"],
                startsAt: f.date(from: startA), generatorURL: "http://prom:9090/graph?g0.expr=up&g0.tab=1"),
            PostableAlert(
                labels: ["alertname": "DiskFull", "instance": "db-1:9100", "job": "node", "severity": "critical"],
                annotations: ["summary": "Disk full on db-1", "description": "Only 1% left"],
                startsAt: f.date(from: startB), generatorURL: "http://prom:9090/graph"),
        ]
    }

    static let paths = ["/slack0", "/slack1", "/slack2", "/hook", "/hook-max", "/pd"]

    @Test func bodiesIdenticalToAlertmanager() async throws {
        guard referenceAvailable(alertmanagerPath) else { return }
        let external = "http://am.example:9093"
        let amSink = try HTTPSink()
        defer { amSink.stop() }
        let am = try AlertmanagerProcess(config: Self.config(amSink.url), externalURL: external)
        defer { am.stop() }
        #expect(await am.waitReady())
        #expect(try await am.post(alerts: Self.alertsJSON) == 200)

        let vigilSink = try HTTPSink()
        defer { vigilSink.stop() }
        let cfg = try ConfigLoader.parse(Self.config(vigilSink.url))
        let store = try NotifyStore(path: Fixtures.tempDir() + "/n.db")
        let clock = ManualClock(Date())
        let d = try Dispatcher(
            config: cfg, templates: Fixtures.templates(), store: store, sender: HTTPSender(), clock: clock,
            options: NotifierOptions(externalURL: external))
        await d.receive(Self.vigilAlerts())
        clock.advance(by: 2)
        await d.tick()

        #expect(await amSink.waitFor(Self.paths.count, timeout: 20))
        #expect(vigilSink.requests.count == Self.paths.count)
        for path in Self.paths {
            let theirs = amSink.requests.first { $0.path == path }?.body
            let ours = vigilSink.requests.first { $0.path == path }?.body
            #expect(theirs != nil, "Alertmanager sent nothing to \(path)")
            #expect(ours == theirs, "\(path) differs; Alertmanager sent \(theirs ?? "")")
        }
        let ua = amSink.requests.first?.headers.first { $0.0.lowercased() == "user-agent" }?.1
        let ourUA = vigilSink.requests.first?.headers.first { $0.0.lowercased() == "user-agent" }?.1
        #expect(ua == ourUA)
    }
}

/// Firing then resolved, in real time, through both: every body (firing and resolved) of
/// every integration is identical, PagerDuty's resolve event included.
@Suite(.serialized) struct ResolvedDifferentialTests {
    static func config(_ url: String) -> String {
        DifferentialTests.config(url)
            .replacingOccurrences(of: "group_wait: 1s", with: "group_wait: 500ms")
            .replacingOccurrences(of: "group_interval: 1m", with: "group_interval: 1s")
    }

    @Test func firingAndResolvedBodiesIdentical() async throws {
        guard referenceAvailable(alertmanagerPath) else { return }
        let external = "http://am.example:9093"
        let amSink = try HTTPSink()
        let vigilSink = try HTTPSink()
        defer { amSink.stop(); vigilSink.stop() }
        let am = try AlertmanagerProcess(config: Self.config(amSink.url), externalURL: external)
        defer { am.stop() }
        #expect(await am.waitReady())
        let d = try Dispatcher(
            config: try ConfigLoader.parse(Self.config(vigilSink.url)), templates: Fixtures.templates(),
            store: try NotifyStore(path: Fixtures.tempDir() + "/n.db"), sender: HTTPSender(),
            options: NotifierOptions(externalURL: external))
        let loop = Task { await d.run(every: .milliseconds(20)) }
        defer { loop.cancel() }

        #expect(try await am.post(alerts: DifferentialTests.alertsJSON) == 200)
        await d.receive(DifferentialTests.vigilAlerts())
        let paths = DifferentialTests.paths
        #expect(await amSink.waitFor(paths.count, timeout: 10))
        #expect(await vigilSink.waitFor(paths.count, timeout: 10))

        // Both alerts resolved at the same instant, written the same way to both.
        let end = Date()
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let endText = iso.string(from: end)
        let resolvedJSON = DifferentialTests.alertsJSON
            .replacingOccurrences(of: #""startsAt""#, with: #""endsAt":"\#(endText)","startsAt""#)
        #expect(try await am.post(alerts: resolvedJSON) == 200)
        await d.receive(DifferentialTests.vigilAlerts().map { var a = $0; a.endsAt = iso.date(from: endText); return a })
        // slack1 and slack2 keep Slack's default send_resolved: false.
        let expected = ["/slack0": 2, "/slack1": 1, "/slack2": 1, "/hook": 2, "/hook-max": 2, "/pd": 2]
        #expect(await amSink.waitFor(10, timeout: 10))
        #expect(await vigilSink.waitFor(10, timeout: 10))
        try await Task.sleep(for: .milliseconds(1500))

        for path in paths {
            let theirs = amSink.requests.filter { $0.path == path }.map(\.body)
            let ours = vigilSink.requests.filter { $0.path == path }.map(\.body)
            #expect(theirs.count == expected[path], "\(path): Alertmanager sent \(theirs.count)")
            #expect(ours == theirs, "\(path) differs; Alertmanager sent \(theirs)")
        }
    }
}

/// The routing example (critical to dev-all Slack and PagerDuty, payment to its channel, a
/// warning inhibited by its critical, a silence) through both: the same requests, the same
/// bodies, nothing more.
@Suite(.serialized) struct RoutingDifferentialTests {
    static func config(_ url: String) -> String {
        Fixtures.text("alertmanager-routing.yml")
            .replacingOccurrences(of: "https://hooks.slack.com/services/REPLACE/WITH/YOURS", with: url + "/slack")
            .replacingOccurrences(of: "  resolve_timeout: 5m", with: "  resolve_timeout: 5m\n  pagerduty_url: \(url)/pd")
            .replacingOccurrences(of: "group_wait: 30s", with: "group_wait: 1s")
    }

    @Test func sameRequestsAsAlertmanager() async throws {
        guard referenceAvailable(alertmanagerPath) else { return }
        let external = "http://am.example:9093"
        let amSink = try HTTPSink()
        let vigilSink = try HTTPSink()
        defer { amSink.stop(); vigilSink.stop() }
        let am = try AlertmanagerProcess(config: Self.config(amSink.url), externalURL: external)
        defer { am.stop() }
        #expect(await am.waitReady())
        let d = try Dispatcher(
            config: try ConfigLoader.parse(Self.config(vigilSink.url)), templates: Fixtures.templates(),
            store: try NotifyStore(path: Fixtures.tempDir() + "/n.db"), sender: HTTPSender(),
            options: NotifierOptions(externalURL: external))
        let loop = Task { await d.run(every: .milliseconds(20)) }
        defer { loop.cancel() }

        let silence = #"{"matchers":[{"name":"alertname","value":"Noisy","isRegex":false,"isEqual":true}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"t","comment":"c"}"#
        _ = try await am.http("POST", "/api/v2/silences", body: silence)
        try d.silences.set(try AlertmanagerAPIv2.decodeSilence(Data(silence.utf8)))
        let labelSets: [[String: String]] = [
            ["alertname": "Down", "application": "pay", "severity": "critical", "instance": "p-1"],
            ["alertname": "Down", "application": "pay", "severity": "warning", "instance": "p-1"],
            ["alertname": "Slow", "application": "checkout", "team": "payment"],
            ["alertname": "Noisy", "application": "batch", "team": "payment"],
            ["alertname": "Disk", "application": "db"],
        ]
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let start = iso.string(from: Date())
        let json = "[" + labelSets.map { ls in
            let labels = ls.keys.sorted().map { "\"\($0)\":\"\(ls[$0]!)\"" }.joined(separator: ",")
            return #"{"labels":{\#(labels)},"annotations":{"summary":"s","description":"d"},"startsAt":"\#(start)"}"#
        }.joined(separator: ",") + "]"
        #expect(try await am.post(alerts: json) == 200)
        await d.receive(try AlertmanagerAPIv2.decodeAlerts(Data(json.utf8)))
        try await Task.sleep(for: .milliseconds(3000))

        func requests(_ sink: HTTPSink) -> [String] { sink.requests.map { $0.path + " " + $0.body }.sorted() }
        #expect(amSink.requests.count == 4, "Alertmanager sent \(requests(amSink))")
        #expect(requests(vigilSink) == requests(amSink))
    }
}
