import Foundation
import Testing
@testable import Notify

/// The API v2 bodies against the real Alertmanager 0.25 holding the same alerts and
/// silence: the same JSON once times and silence ids are masked.
@Suite(.serialized) struct APIv2Tests {
    static let config = """
        route:
          receiver: x
          group_by: [alertname]
          routes:
          - receiver: y
            matchers: [team=a]
            continue: true
        inhibit_rules:
        - source_matchers: [severity=critical]
          target_matchers: [severity=warning]
          equal: [alertname]
        receivers:
        - name: x
        - name: y
        """
    static let alertsJSON = #"[{"labels":{"alertname":"A","severity":"critical","team":"a"},"annotations":{"s":"x <&> y"},"generatorURL":"http://g?a=1&b=2"},{"labels":{"alertname":"A","severity":"warning"}},{"labels":{"alertname":"B"}}]"#
    static let silenceJSON = #"{"matchers":[{"name":"alertname","value":"B","isRegex":false,"isEqual":true},{"name":"x","value":"y.*","isRegex":true,"isEqual":false}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2030-01-01T00:00:00.5Z","createdBy":"me","comment":"c <b>"}"#

    /// Times and ids masked.
    static func mask(_ s: String, ids: [String]) -> String {
        var out = s
        for id in ids { out = out.replacingOccurrences(of: id, with: "ID") }
        let re = try! NSRegularExpression(pattern: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"#)
        return re.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "T")
    }

    @Test func sameJSONAsAlertmanager() async throws {
        guard referenceAvailable(alertmanagerPath) else { return }
        let am = try AlertmanagerProcess(config: Self.config, externalURL: "http://am.example:9093")
        defer { am.stop() }
        #expect(await am.waitReady())
        #expect(try await am.post(alerts: Self.alertsJSON) == 200)
        let (created, code) = try await am.http("POST", "/api/v2/silences", body: Self.silenceJSON)
        #expect(code == 200)
        let theirID = ((try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: String])?["silenceID"]) ?? ""
        try await Task.sleep(for: .milliseconds(300))
        let (theirAlerts, _) = try await am.http("GET", "/api/v2/alerts", body: nil)
        let (theirSilences, _) = try await am.http("GET", "/api/v2/silences", body: nil)
        let (theirGroups, _) = try await am.http("GET", "/api/v2/alerts/groups", body: nil)
        let (theirReceivers, _) = try await am.http("GET", "/api/v2/receivers", body: nil)

        let cfg = try ConfigLoader.parse(Self.config)
        let d = try Dispatcher(config: cfg, templates: Fixtures.templates(), store: try NotifyStore(path: Fixtures.tempDir() + "/n.db"), sender: HTTPSender())
        let errors = await d.receive(try AlertmanagerAPIv2.decodeAlerts(Data(Self.alertsJSON.utf8)))
        #expect(errors.isEmpty)
        let ourID = try d.silences.set(try AlertmanagerAPIv2.decodeSilence(Data(Self.silenceJSON.utf8)))
        let ourAlerts = AlertmanagerAPIv2.alerts(await d.alertStatuses())
        let ourSilences = AlertmanagerAPIv2.silences(d.silences.list(), now: Date())
        let ourGroups = AlertmanagerAPIv2.groups(await d.groupStatuses())

        #expect(Self.mask(ourAlerts, ids: [ourID]) == Self.mask(theirAlerts, ids: [theirID]))
        #expect(Self.mask(ourSilences, ids: [ourID]) == Self.mask(theirSilences, ids: [theirID]))
        #expect(Self.mask(ourGroups, ids: [ourID]) == Self.mask(theirGroups, ids: [theirID]))
        #expect(AlertmanagerAPIv2.receivers(cfg) == theirReceivers)
    }

    @Test func decodingErrors() {
        #expect(throws: AlertmanagerAPIv2.BadRequest.self) { try AlertmanagerAPIv2.decodeAlerts(Data("{}".utf8)) }
        #expect(throws: AlertmanagerAPIv2.BadRequest.self) {
            try AlertmanagerAPIv2.decodeAlerts(Data(#"[{"labels":{"a":"b"},"startsAt":"yesterday"}]"#.utf8))
        }
        #expect(AlertmanagerAPIv2.parseRFC3339("2026-01-01T00:00:00.123456789+02:00") != nil)
        #expect(AlertmanagerAPIv2.millis(Date(timeIntervalSince1970: 1_700_000_000.25)) == "2023-11-14T22:13:20.250Z")
    }
}

@Suite struct StatusTests {
    @Test func statusHidesEverySecret() throws {
        let text = """
            global:
              slack_api_url: 'https://hooks.slack.com/services/T0/B0/GLOBALSECRET'
            route:
              receiver: x
            receivers:
            - name: x
              slack_configs:
              - api_url: https://hooks.slack.com/services/T0/B0/SLACKSECRET
                channel: '#a'
                actions:
                - type: button
                  text: t
                  url: http://runbook/visible
              webhook_configs:
              - url: http://hooks.internal/WEBHOOKSECRET
                http_config:
                  basic_auth: {username: u, password: PASSWORDSECRET}
              pagerduty_configs:
              - routing_key: ROUTINGSECRET
            """
        let body = AlertmanagerAPIv2.status(configText: text, startedAt: Date(timeIntervalSince1970: 1_700_000_000), version: "vigil")
        for secret in ["GLOBALSECRET", "SLACKSECRET", "WEBHOOKSECRET", "PASSWORDSECRET", "ROUTINGSECRET"] {
            #expect(!body.contains(secret), "\(secret) leaked")
        }
        #expect(body.contains("http://runbook/visible"))
        #expect(body.hasPrefix(#"{"cluster":{"peers":[],"status":"disabled"},"config":{"original":"global:\n  slack_api_url: \u003csecret\u003e\n"#))
        #expect(body.contains(#""uptime":"2023-11-14T22:13:20.000Z""#))
        // The echoed config is still YAML with the same shape.
        let obj = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let original = ((obj?["config"] as? [String: Any])?["original"] as? String) ?? ""
        #expect(original.contains("receivers:\n- name: x\n"))
        #expect(AlertmanagerAPIv2.redactedConfig("a: [") == nil)
    }
}
