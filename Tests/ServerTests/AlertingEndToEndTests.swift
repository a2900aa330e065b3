import Foundation
import Hummingbird
import Synchronization
import Testing
import TSDB
@testable import Server

/// A Slack-shaped HTTP sink on 127.0.0.1 recording every POSTed body.
final class WebhookSink: Sendable {
    final class Bodies: Sendable {
        let list = Mutex<[String]>([])
    }
    let bodies = Bodies()
    let port: Int
    private let task: Task<Void, Error>

    init() async throws {
        let router = Router()
        let bodies = self.bodies
        router.post("/hook") { request, _ -> Response in
            var req = request
            let buf = try await req.collectBody(upTo: 1 << 20)
            bodies.list.withLock { $0.append(String(buffer: buf)) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ch in ready.continuation.yield(ch.localAddress?.port ?? 0) })
        task = Task { try await app.run() }
        var it = ready.stream.makeAsyncIterator()
        port = await it.next() ?? 0
    }

    var received: [String] { bodies.list.withLock { $0 } }
    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// Waits until a body satisfies `predicate` (or the timeout passes).
    func wait(timeout: Double = 20, _ predicate: @escaping (String) -> Bool) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let hit = received.first(where: predicate) { return hit }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}

@Suite(.serialized) struct AlertingEndToEndTests {
    /// Rules fire an alert, the built-in Alertmanager posts FIRING to the Slack sink after
    /// group_wait, then RESOLVED once the series ends; amtool manages silences against Vigil.
    @Test func ruleToSlackAndAmtool() async throws {
        let sink = try await WebhookSink()
        let s = try await RunningServer(configure: { o, dir in
            try """
                groups:
                  - name: shop
                    interval: 500ms
                    rules:
                      - alert: ErrorBurst
                        expr: errors_total > 5
                        labels: {severity: critical}
                        annotations: {summary: "{{ $value }} errors on {{ $labels.instance }}"}
                """.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
            try """
                route:
                  receiver: slack
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 2s
                  repeat_interval: 1h
                receivers:
                  - name: slack
                    slack_configs:
                      - api_url: http://127.0.0.1:\(sink.port)/hook
                        channel: '#alerts'
                        send_resolved: true
                """.write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
            o.ruleFiles = [dir + "/rules.yml"]
            o.alertmanagerConfigFile = dir + "/alertmanager.yml"
        })
        let series = try Labels([("__name__", "errors_total"), ("instance", "web-1")])
        try s.server.db.append([(series, Int64(Date().timeIntervalSince1970 * 1000), 9)])

        let firing = await sink.wait { $0.contains("[FIRING:1] ErrorBurst") }
        #expect(firing != nil)
        #expect(firing?.contains(##""channel":"#alerts""##) == true)
        #expect(firing?.contains(#""title_link":"http://vigil.example:9090/#/alerts?receiver=slack""#) == true)

        // amtool against Vigil's Alertmanager API v2.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/amtool") {
            let url = "--alertmanager.url=\(s.base)"
            let (rc, alerts) = try await runProcess(["/usr/bin/amtool", url, "alert", "query"])
            #expect(rc == 0)
            #expect(alerts.contains("ErrorBurst"))
            let (arc, id) = try await runProcess(["/usr/bin/amtool", url, "silence", "add", "alertname=ErrorBurst",
                                                  "--comment=maintenance", "--author=ops", "--duration=1h"])
            #expect(arc == 0)
            let silenceID = id.trimmingCharacters(in: .whitespacesAndNewlines)
            let (_, listed) = try await runProcess(["/usr/bin/amtool", url, "silence", "query", "-q"])
            #expect(listed.contains(silenceID))
            let (erc, _) = try await runProcess(["/usr/bin/amtool", url, "silence", "expire", silenceID])
            #expect(erc == 0)
            let (_, after) = try await runProcess(["/usr/bin/amtool", url, "silence", "query", "-q"])
            #expect(!after.contains(silenceID))
        } else if ProcessInfo.processInfo.environment["VIGIL_REQUIRE_ALERTMANAGER"] == "1" {
            Issue.record("amtool missing")
        }

        // The series ends: the alert resolves and RESOLVED is sent once.
        try s.server.db.append([(series, Int64(Date().timeIntervalSince1970 * 1000), StaleMarker.value)])
        let resolved = await sink.wait { $0.contains("[RESOLVED] ErrorBurst") }
        #expect(resolved != nil)
        await s.stop()
        await sink.stop()
        #expect(sink.received.filter { $0.contains("[FIRING:1] ErrorBurst") }.count == 1)
    }
}
