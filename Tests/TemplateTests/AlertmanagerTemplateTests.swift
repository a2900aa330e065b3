import Foundation
import Testing
@testable import Template

/// Alertmanager's default Slack message for a sample alert group, and its data model.
@Suite struct AlertmanagerTemplateTests {
    @Test func slackDefaultsOnASampleGroup() throws {
        let set = try AlertmanagerDefaultTemplates.templateSet()
        let data = Fixtures.alertmanagerData.templateValue
        // What a Slack receiver with no templates of its own sends (slack_config defaults).
        func field(_ text: String) throws -> String { try set.executeText(text, data: data) }
        #expect(try field(#"{{ template "slack.default.title" . }}"#) == "[FIRING:2] InstanceDown (node critical)")
        #expect(try field(#"{{ template "slack.default.username" . }}"#) == "Alertmanager")
        #expect(try field(#"{{ template "slack.default.titlelink" . }}"#)
                == "http://alertmanager.example.com:9093/#/alerts?receiver=slack-critical")
        #expect(try field(#"{{ template "slack.default.fallback" . }}"#)
                == "[FIRING:2] InstanceDown (node critical) | http://alertmanager.example.com:9093/#/alerts?receiver=slack-critical")
        #expect(try field(#"{{ template "slack.default.text" . }}"#) == "")
        #expect(try field(#"{{ template "slack.default.pretext" . }}{{ template "slack.default.footer" . }}"#) == "")
    }

    @Test func resolvedGroupSubject() throws {
        var group = Fixtures.alertmanagerData
        group.status = "resolved"
        group.alerts = group.alerts.map { var a = $0; a.status = "resolved"; return a }
        group.groupLabels = ["alertname": "InstanceDown", "job": "node"]
        group.commonLabels = ["alertname": "InstanceDown", "job": "node"]
        let set = try AlertmanagerDefaultTemplates.templateSet()
        #expect(try set.executeText(#"{{ template "slack.default.title" . }}"#, data: group.templateValue)
                == "[RESOLVED] InstanceDown node ")
    }

    @Test func typicalUserSlackTemplate() throws {
        var set = try AlertmanagerDefaultTemplates.templateSet()
        try set.parse("""
            {{ define "slack.ops.text" }}
            {{- range .Alerts }}
            *Alert:* {{ .Annotations.summary }} - `{{ .Labels.severity }}`
            *Details:*
              {{- range .Labels.SortedPairs }}
              • *{{ .Name }}:* `{{ .Value }}`
              {{- end }}
            {{ end }}
            {{- end }}
            """, name: "ops.tmpl")
        let resolved = Fixtures.alertmanagerData.alerts[2]
        var group = Fixtures.alertmanagerData
        group.alerts = [resolved]
        let text = try set.executeText(#"{{ template "slack.ops.text" . }}"#, data: group.templateValue)
        #expect(text == """

            *Alert:* Instance host3:9100 down - `critical`
            *Details:*
              • *alertname:* `InstanceDown`
              • *instance:* `host3:9100`
              • *job:* `node`
              • *severity:* `critical`

            """)
    }

    @Test func kvMethods() throws {
        let kv = AlertmanagerTemplateData.kv(["b": "2", "alertname": "X", "a": "1"])
        func run(_ text: String) throws -> String {
            try TemplateSet.render(text, data: kv, functions: .alertmanager)
        }
        #expect(try run("{{ .SortedPairs }}|{{ .Names }}|{{ .Values }}|{{ . }}") == "[{alertname X} {a 1} {b 2}]|[alertname a b]|[X 1 2]|map[a:1 alertname:X b:2]")
        #expect(try run(#"{{ (.Remove (stringSlice "a")).Names }}|{{ .SortedPairs.Values | join "," }}|{{ .alertname }}|{{ len . }}"#) == "[alertname b]|X,1,2|X|3")
    }

    @Test func defaultTemplateTextIsAlertmanagers() throws {
        #expect(AlertmanagerDefaultTemplates.text.contains(#"{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}"#))
        let path = "/usr/share/prometheus/alertmanager/default.tmpl"
        if let installed = try? String(contentsOfFile: path, encoding: .utf8) {
            #expect(installed == AlertmanagerDefaultTemplates.text)
        }
        let set = try AlertmanagerDefaultTemplates.templateSet()
        for name in ["__subject", "__text_alert_list", "slack.default.title", "pagerduty.default.description", "opsgenie.default.message"] {
            #expect(set.contains(name), "\(name)")
        }
    }

    @Test func sinceAndDateUseTheClock() throws {
        let now = Fixtures.utc(2024, 3, 5, 15, 0, 0)
        let f = FunctionRegistry.alertmanager(now: { now.date })
        let data = Fixtures.alertmanagerData.templateValue
        let text = #"{{ range .Alerts.Firing }}{{ .StartsAt | since | humanizeDuration }} {{ date "15:04 MST" (tz "Asia/Tokyo" .StartsAt) }};{{ end }}"#
        #expect(try TemplateSet.render(text, data: data, functions: f) == "56m 52s 23:03 JST;55m 0s 23:05 JST;")
        #expect(throws: TemplateError.self) {
            try TemplateSet.render(#"{{ tz "Nowhere/Special" (index .Alerts 0).StartsAt }}"#, data: data, functions: f)
        }
    }
}
