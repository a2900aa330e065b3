import Foundation
import Testing
@testable import Notify

/// Options that change how a notification is sent or whether it is: http_config auth,
/// api_url_file, time intervals; and the counters the Server exposes.
@Suite(.serialized) struct IntegrationOptionsTests {
    @Test func authHeadersAndURLFile() async throws {
        let sink = try HTTPSink()
        defer { sink.stop() }
        let dir = Fixtures.tempDir()
        _ = Fixtures.write(sink.url + "/from-file\n", "slack_url", in: dir)
        _ = Fixtures.write("s3cret\n", "password", in: dir)
        let path = Fixtures.write("""
            route:
              receiver: r
            receivers:
            - name: r
              slack_configs:
              - api_url_file: slack_url
                http_config:
                  basic_auth:
                    username: vigil
                    password_file: password
              webhook_configs:
              - url: '\(sink.url)/hook'
                http_config:
                  authorization:
                    credentials: tok
            """, "am.yml", in: dir)
        let config = try ConfigLoader.load(file: path)
        let r = await ReceiverTest.run(receiver: "r", config: config, templates: Fixtures.templates(), sender: HTTPSender(), store: nil)
        #expect(r.exitCode == 0, "\(r.output)")
        let slack = try #require(sink.requests.first { $0.path == "/from-file" })
        let hook = try #require(sink.requests.first { $0.path == "/hook" })
        func header(_ r: HTTPSink.Request) -> String? { r.headers.first { $0.0.lowercased() == "authorization" }?.1 }
        #expect(header(slack) == "Basic " + Data("vigil:s3cret".utf8).base64EncodedString())
        #expect(header(hook) == "Bearer tok")
    }

    @Test func muteAndActiveTimeIntervals() async throws {
        // 2023-11-14 is a Tuesday; the manual clock starts at 22:13:20 UTC.
        let h = try DispatcherTests.harness { url in
            """
            route:
              receiver: hook
              group_wait: 10s
              group_interval: 1m
              routes:
              - matchers: [team=night]
                receiver: hook
                mute_time_intervals: [evenings]
              - matchers: [team=day]
                receiver: hook
                active_time_intervals: [evenings]
              - matchers: [team=weekend]
                receiver: hook
                active_time_intervals: [weekends]
            time_intervals:
            - name: evenings
              time_intervals:
              - times:
                - start_time: '18:00'
                  end_time: '24:00'
                weekdays: ['monday:friday']
            - name: weekends
              time_intervals:
              - weekdays: [saturday, sunday]
            receivers:
            - name: hook
              webhook_configs:
              - url: \(url)/hook
            """
        }
        defer { h.sink.stop() }
        _ = await h.run(until: 30, at: [0: {
            await h.dispatcher.receive(["night", "day", "weekend"].map { PostableAlert(labels: ["alertname": "T", "team": $0], startsAt: h.start) })
        }])
        let bodies = h.sink.bodies
        #expect(bodies.count == 1)
        #expect(bodies.first?.contains(#""team":"day""#) == true)
    }

    @Test func metricsText() async throws {
        let h = try DispatcherTests.harness { url in "route:\n  receiver: hook\n  group_wait: 10s\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: \(url)/hook\n" }
        defer { h.sink.stop() }
        _ = await h.run(until: 20, at: [0: { await h.dispatcher.receive([PostableAlert(labels: ["alertname": "M"], startsAt: h.start)]) }])
        let text = await h.dispatcher.metricsText()
        #expect(text.contains("alertmanager_notifications_total{integration=\"webhook\"} 1\n"))
        #expect(text.contains("alertmanager_notifications_failed_total{integration=\"slack\"} 0\n"))
        #expect(text.contains("vigil_notify_receiver_notifications_total{outcome=\"sent\",receiver=\"hook\"} 1\n"))
        #expect(text.contains("alertmanager_alerts{state=\"active\"} 1\n"))
    }

    @Test func tellsConfigKinds() {
        #expect(ConfigLoader.looksLikeAlertmanagerConfig(Fixtures.text("alertmanager.yml")))
        #expect(!ConfigLoader.looksLikeAlertmanagerConfig("global:\n  scrape_interval: 15s\nscrape_configs: []\n"))
    }
}
