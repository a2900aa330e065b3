import Foundation
import Hummingbird
import Synchronization
import Testing
import TSDB
@testable import Server

/// An nginx log exporter stand-in: a counter page whose 4xx count the test drives.
final class FakeNginxExporter: Sendable {
    final class Counts: Sendable {
        let value = Mutex<(ok: Double, notFound: Double, badGateway: Double)>((0, 0, 0))
    }
    let counts = Counts()
    let port: Int
    private let task: Task<Void, Error>

    init() async throws {
        let router = Router()
        let counts = self.counts
        router.get("/metrics") { _, _ -> Response in
            let c = counts.value.withLock { $0 }
            let page = """
                # HELP nginx_http_response_count_total Amount of processed HTTP requests
                # TYPE nginx_http_response_count_total counter
                nginx_http_response_count_total{method="GET",status="200"} \(c.ok)
                nginx_http_response_count_total{method="GET",status="404"} \(c.notFound)
                nginx_http_response_count_total{method="GET",status="502"} \(c.badGateway)

                """
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ch in ready.continuation.yield(ch.localAddress?.port ?? 0) })
        task = Task { try await app.run() }
        var it = ready.stream.makeAsyncIterator()
        port = await it.next() ?? 0
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// The second seed end to end: `vigil run --config.file prometheus.yml --alertmanager.config
/// alertmanager.yml` (the seed's files, with the scrape target and Slack URL pointed at
/// servers the test starts and the intervals shortened); an nginx error burst drives the
/// recording rules and the alert through PENDING to FIRING, and the Slack sink gets FIRING,
/// a repeat, then RESOLVED once.
@Suite(.serialized) struct SeedScenarioTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples").standardized.path

    @Test func nginxBurstFiresRepeatsAndResolvesInSlack() async throws {
        let exporter = try await FakeNginxExporter()
        let sink = try await WebhookSink()
        let s = try await RunningServer(configure: { o, dir in
            try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
            // The seed's files, shortened: 1s intervals, rates over 4s, `for: 2s`.
            var prom = try String(contentsOfFile: Self.examples + "/prometheus.yml", encoding: .utf8)
            prom = prom.replacingOccurrences(of: "scrape_interval:     15s", with: "scrape_interval: 1s")
                .replacingOccurrences(of: "evaluation_interval: 15s", with: "evaluation_interval: 1s")
                .replacingOccurrences(of: "localhost:4040", with: "127.0.0.1:\(exporter.port)")
                .replacingOccurrences(of: "alertmanager:9093", with: "127.0.0.1:1")  // an external Alertmanager that is down
            try prom.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
            var rules = try String(contentsOfFile: Self.examples + "/rules/prometheus_nginxlog_exporter_rules.yml", encoding: .utf8)
            rules = rules.replacingOccurrences(of: "[1m]", with: "[4s]").replacingOccurrences(of: "for: 1m", with: "for: 2s")
            try rules.write(toFile: dir + "/rules/prometheus_nginxlog_exporter_rules.yml", atomically: true, encoding: .utf8)
            var am = try String(contentsOfFile: Self.examples + "/alertmanager.yml", encoding: .utf8)
            am = am.replacingOccurrences(of: "https://hooks.slack.com/services/REPLACE/WITH/YOURS", with: "http://127.0.0.1:\(sink.port)/hook")
                .replacingOccurrences(of: "repeat_interval: 2m", with: "repeat_interval: 2s\n  group_wait: 1s\n  group_interval: 3s")
            try am.write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
            o.configFile = dir + "/prometheus.yml"
            o.alertmanagerConfigFile = dir + "/alertmanager.yml"
        })
        // Normal traffic, then a burst of 404s.
        let traffic = Task {
            var tick = 0
            while !Task.isCancelled {
                exporter.counts.value.withLock { c in
                    c.ok += 4
                    if tick >= 4 && tick < 60 { c.notFound += 40 }  // 14 s of 404s
                }
                tick += 1
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer { traffic.cancel() }

        // PENDING, then FIRING, as the UI and API show it.
        var states: [String] = []
        let deadline = Date().addingTimeInterval(25)
        while Date() < deadline, !states.contains("firing") {
            let (_, obj) = try await s.json("/api/v1/rules?type=alert")
            let rule = ((obj["data"] as? [String: Any])?["groups"] as? [[String: Any]])?.first.flatMap { ($0["rules"] as? [[String: Any]])?.first }
            if let st = rule?["state"] as? String, states.last != st { states.append(st) }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(states.contains("pending"))
        #expect(states.last == "firing")

        let firing = await sink.wait(timeout: 20) { $0.contains("Error Status Code Bigger than 10") && !$0.contains("RESOLVED") }
        #expect(firing?.contains(##""channel":"#_monitoring""##) == true)
        // A repeat while the burst goes on (repeat_interval 2s, on the 3s group_interval ticks).
        let repeated = await sink.waitCount(2, timeout: 15) { $0.contains("Error Status Code Bigger than 10") && $0.contains(#""color":"danger""#) }
        #expect(repeated)
        // The burst ends: RESOLVED, once.
        let resolved = await sink.wait(timeout: 30) { $0.contains(#""color":"good""#) }
        #expect(resolved != nil)
        try await Task.sleep(for: .seconds(4))
        #expect(sink.received.filter { $0.contains(#""color":"good""#) }.count == 1)
        // The recording rules materialized the rates the alert read.
        let (_, recorded) = try await s.request("/api/v1/query?query=job:prometheus_nginxlog_exporter:status_total_1m")
        #expect(recorded.contains(#""__name__":"job:prometheus_nginxlog_exporter:status_total_1m""#))
        let (_, targets) = try await s.request("/api/v1/targets")
        #expect(targets.contains(#""health":"up""#))
        await s.stop()
        await sink.stop()
        await exporter.stop()
    }
}

extension WebhookSink {
    /// Waits until `n` bodies satisfy `predicate`.
    func waitCount(_ n: Int, timeout: Double, _ predicate: @escaping (String) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if received.filter(predicate).count >= n { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
