import Foundation
import Testing
@testable import Notify

/// `vigil notify test RECEIVER`, `vigil template render`, PagerDuty v1 and the history API.
@Suite(.serialized) struct ReceiverToolsTests {
    @Test func notifyTestSendsToEveryIntegration() async throws {
        let sink = try HTTPSink()
        defer { sink.stop() }
        let config = try ConfigLoader.parse("""
            route:
              receiver: team
            receivers:
            - name: team
              slack_configs:
              - api_url: '\(sink.url)/slack'
                channel: '#alerts'
              webhook_configs:
              - url: '\(sink.url)/hook'
            - name: empty
            """)
        let store = try NotifyStore(path: Fixtures.tempDir() + "/n.db")
        let r = await ReceiverTest.run(receiver: "team", config: config, templates: Fixtures.templates(), sender: HTTPSender(), store: store)
        #expect(r.exitCode == 0)
        #expect(r.output == "team webhook/0: sent (1 attempt)\nteam slack/0: sent (1 attempt)\n")
        #expect(Set(sink.requests.map(\.path)) == ["/slack", "/hook"])
        #expect(sink.requests.first { $0.path == "/slack" }?.body.contains("VigilTestAlert") == true)
        let history = try store.history(receiver: "team")
        #expect(history.count == 2)
        #expect(history.allSatisfy { $0.outcome == .sent })

        let missing = await ReceiverTest.run(receiver: "nope", config: config, templates: Fixtures.templates(), sender: HTTPSender(), store: nil)
        #expect(missing.exitCode == 1)
        #expect(missing.output.contains(#"no receiver named "nope""#))
    }

    @Test func notifyTestReportsFailureWithoutTheURL() async throws {
        let sink = try HTTPSink()
        defer { sink.stop() }
        sink.enqueue([.init(status: 404, body: "no_service")])
        let config = try ConfigLoader.parse("route:\n  receiver: r\nreceivers:\n- name: r\n  slack_configs:\n  - api_url: '\(sink.url)/services/T0/B0/SECRETTOKEN'\n")
        let r = await ReceiverTest.run(receiver: "r", config: config, templates: Fixtures.templates(), sender: HTTPSender(), store: nil)
        #expect(r.exitCode == 1)
        #expect(r.output == "r slack/0: FAILED: unexpected status code 404: no_service\n")
        #expect(!r.output.contains("SECRETTOKEN"))
    }

    @Test func templateRender() throws {
        let (out, code) = TemplateRender.render(#"{{ template "slack.default.title" . }}"#, externalURL: "http://am:9093")
        #expect(code == 0)
        #expect(out == "[FIRING:1] VigilTestAlert (vigil info)")
        let (err, bad) = TemplateRender.render("{{ .Nope ")
        #expect(bad == 1)
        #expect(err.hasPrefix("vigil: error: template: "))
    }

    @Test func pagerDutyV1Body() throws {
        let config = try ConfigLoader.parse("route:\n  receiver: r\nreceivers:\n- name: r\n  pagerduty_configs:\n  - service_key: SK\n")
        let integration = try #require(Integration.all(for: config.receivers[0]).first)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let alert = Alert(labels: ["alertname": "A"], startsAt: now, endsAt: .distantPast, updatedAt: now)
        let context = NotificationContext(receiver: "r", groupKey: "{}:{}", groupLabels: [:], alerts: [alert], now: now, externalURL: "http://am")
        let req = try integration.request(context, templates: Fixtures.templates())
        #expect(req.url == PagerdutyConfig.v1URL)
        #expect(req.body.hasPrefix(#"{"service_key":"SK","incident_key":""#))
        #expect(req.body.contains(#""event_type":"trigger","description":"[FIRING:1]  (A)","event_action":"","payload":null,"client":"Alertmanager""#))
    }

    @Test func historyIsQueryable() throws {
        let store = try NotifyStore(path: Fixtures.tempDir() + "/n.db")
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        for i in 0..<5 {
            try store.appendHistory(NotificationRecord(
                at: t0.addingTimeInterval(Double(i) * 60), receiver: i % 2 == 0 ? "a" : "b", integration: "slack/0",
                groupKey: "{}:{}", status: "firing", numFiring: 1, numResolved: 0, outcome: i == 4 ? .failed : .sent, attempts: 1,
                error: "", body: "body \(i)"))
        }
        #expect(try store.history(receiver: "a").map(\.body) == ["body 4", "body 2", "body 0"])
        #expect(try store.history(since: t0.addingTimeInterval(120)).count == 3)
        #expect(try store.history(limit: 2).map(\.body) == ["body 4", "body 3"])
        #expect(try store.history(receiver: "a").first?.outcome == .failed)
        let json = NotificationRecord.apiResponse(try store.history(limit: 1))
        #expect(json.hasPrefix(#"{"status":"success","data":[{"id":5,"time":"2023-11-14T22:17:20Z","receiver":"a","integration":"slack/0""#))
        #expect(json.hasSuffix(#""outcome":"failed","attempts":1,"error":"","body":"body 4"}]}"# + "\n"))
    }
}
