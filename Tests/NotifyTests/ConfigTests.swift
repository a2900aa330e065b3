import Foundation
import Testing
@testable import Notify

@Suite struct ConfigTests {
    @Test func seedExampleLoadsWithDefaults() throws {
        let c = try ConfigLoader.load(file: Fixtures.example("alertmanager.yml"))
        #expect(c.global.resolveTimeout == .minutes(5))
        #expect(c.global.pagerdutyURL == "https://events.pagerduty.com/v2/enqueue")
        #expect(c.global.smtpHello == "localhost")
        let route = Route(c.route)
        #expect(route.options.groupWait == .seconds(30))
        #expect(route.options.groupInterval == .minutes(5))
        #expect(route.options.repeatInterval == .minutes(2))
        let slack = try #require(c.receivers.first?.slackConfigs.first)
        #expect(slack.channel == "#_monitoring")
        #expect(slack.sendResolved)
        #expect(slack.apiURL?.value == "https://hooks.slack.com/services/REPLACE/WITH/YOURS")
        #expect(slack.username == #"{{ template "slack.default.username" . }}"#)
        #expect("\(slack.apiURL!)" == "<secret>")
    }

    @Test func routingExampleLoads() throws {
        let c = try ConfigLoader.load(file: Fixtures.example("alertmanager-routing.yml"))
        #expect(c.receivers.map(\.name) == ["slack-default", "slack-dev-all", "slack-payment", "pagerduty-sre"])
        #expect(c.inhibitRules.count == 1)
        #expect(c.inhibitRules[0].equal == ["alertname", "application"])
        let pd = try #require(c.receivers[3].pagerdutyConfigs.first)
        #expect(pd.sendResolved)
        #expect(pd.severity == "critical")
        #expect(pd.url == "https://events.pagerduty.com/v2/enqueue")
        #expect(pd.details.map(\.0) == ["firing", "resolved", "num_firing", "num_resolved"])
    }

    @Test func unknownFieldsReportEveryLineWithPosition() {
        let text = "route:\n  receiver: x\n  foo: 1\nreceivers:\n- name: x\n  slack_configs:\n  - channel: a\n    baz: 1\n    api_url: http://x\n"
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "am.yml") }
        do {
            _ = try ConfigLoader.parse(text, file: "am.yml")
        } catch {
            #expect(error.message == "yaml: unmarshal errors:\n  line 3: field foo not found in type config.plain\n  line 8: field baz not found in type config.plain")
            #expect(error.line == 3)
            #expect(error.column == 3)
            #expect(error.description.hasPrefix("am.yml:3:3: yaml: unmarshal errors:"))
        }
    }

    @Test func badDurationIsAnError() {
        do {
            _ = try ConfigLoader.parse("route:\n  receiver: x\n  group_wait: abc\nreceivers:\n- name: x\n", file: "f.yml")
            Issue.record("accepted a bad duration")
        } catch {
            #expect(error.message == #"not a valid duration string: "abc""#)
            #expect(error.line == 3)
            #expect(error.column == 15)
        }
    }

    @Test func durations() {
        #expect(ModelDuration.parse("1h30m") == .minutes(90))
        #expect(ModelDuration.parse("0") == ModelDuration(milliseconds: 0))
        #expect(ModelDuration.parse("30m1h") == nil)
        #expect(ModelDuration.parse("") == nil)
        #expect(ModelDuration.parse("1.5h") == nil)
        #expect(ModelDuration.minutes(90).description == "1h30m")
        #expect(ModelDuration.hours(24).description == "1d")
    }

    @Test func repeatShorterThanGroupIntervalWarns() throws {
        let c = try ConfigLoader.load(file: Fixtures.example("alertmanager.yml"))
        let w = CheckConfig.warnings(c)
        #expect(w.count == 1)
        #expect(w.first?.contains("repeat_interval 2m is shorter than group_interval 5m") == true)
        #expect(w.first?.contains("so every 5m") == true)
        let routing = try ConfigLoader.load(file: Fixtures.example("alertmanager-routing.yml"))
        #expect(CheckConfig.warnings(routing).isEmpty)
    }

    @Test func secretsNeverPrinted() throws {
        let text = "global:\n  slack_api_url: https://hooks.slack.com/services/T/B/SECRET\nroute:\n  receiver: x\nreceivers:\n- name: x\n  pagerduty_configs:\n  - routing_key: ROUTINGKEY\n  slack_configs:\n  - channel: a\n"
        let c = try ConfigLoader.parse(text)
        let dump = "\(c)"
        #expect(!dump.contains("SECRET"))
        #expect(!dump.contains("ROUTINGKEY"))
    }
}
