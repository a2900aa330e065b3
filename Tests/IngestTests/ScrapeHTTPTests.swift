import Foundation
import Testing
import TSDB
@testable import Ingest

/// HTTP-level behaviour of a scrape against a real local server: auth headers, params,
/// body size limit, timeout, non-200 answers.
@Suite(.serialized) struct ScrapeHTTPTests {
    func scrapeOnce(_ exporter: TestExporter, _ jobYAML: String) async throws -> (TargetStatus?, TSDB, TempDir) {
        let dir = TempDir()
        let db = try openTestDB(dir)
        let yaml = "scrape_configs:\n  - job_name: t\n    scrape_interval: 300ms\n    scrape_timeout: 250ms\n"
            + jobYAML + "    static_configs:\n    - targets: ['127.0.0.1:\(exporter.port)']\n"
        let config = try PrometheusConfig.parse(yaml, file: "t.yml", directory: dir.path)
        let manager = ScrapeManager(db: db, logger: quietLogger())
        try await manager.apply(config)
        _ = await waitUntil(seconds: 5) { manager.activeTargets().first?.health != .unknown }
        let status = manager.activeTargets().first
        await manager.stop()
        return (status, db, dir)
    }

    @Test func basicAuthParamsAndHeaders() async throws {
        let exporter = try TestExporter(page: "m 1\n")
        defer { exporter.stop() }
        let (status, db, dir) = try await scrapeOnce(exporter, """
            metrics_path: /probe
            params: {module: [http_2xx], target: ['a b']}
            basic_auth: {username: alice, password: s3cret}

        """)
        defer { try? db.close(); dir.cleanup() }
        #expect(status?.health == .up)
        let req = exporter.requests.first ?? ""
        #expect(req.hasPrefix("GET /probe?module=http_2xx&target=a+b HTTP/1.1"))
        #expect(req.contains("Authorization: Basic YWxpY2U6czNjcmV0"))
        #expect(req.contains("X-Prometheus-Scrape-Timeout-Seconds: 0.25"))
        #expect(req.contains("Accept-Encoding: gzip"))
    }

    /// client_golang exporters (node_exporter, ...) gzip their page when asked to.
    @Test func gzipPages() async throws {
        let exporter = try TestExporter(page: "")
        defer { exporter.stop() }
        exporter.gzipBody = try gzipped("# TYPE g gauge\ng{a=\"1\"} 42\n")
        let (status, db, dir) = try await scrapeOnce(exporter, "")
        defer { try? db.close(); dir.cleanup() }
        #expect(status?.health == .up)
        #expect(try dump(db, [.equal("__name__", "g")]).values.first?.first?.v == 42)
    }

    @Test func bearerTokenFromFile() async throws {
        let exporter = try TestExporter(page: "m 1\n")
        defer { exporter.stop() }
        let tokenDir = TempDir()
        defer { tokenDir.cleanup() }
        try Data("tok-123\n".utf8).write(to: URL(fileURLWithPath: "\(tokenDir.path)/token"))
        let (status, db, dir) = try await scrapeOnce(exporter, "    bearer_token_file: \(tokenDir.path)/token\n")
        defer { try? db.close(); dir.cleanup() }
        #expect(status?.health == .up)
        #expect(exporter.requests.first?.contains("Authorization: Bearer tok-123\r\n") == true)
    }

    @Test func bodySizeLimit() async throws {
        let exporter = try TestExporter(page: String(repeating: "metric_with_a_long_name 1\n", count: 100))
        defer { exporter.stop() }
        let (status, db, dir) = try await scrapeOnce(exporter, "    body_size_limit: 1KB\n")
        defer { try? db.close(); dir.cleanup() }
        #expect(status?.health == .down)
        #expect(status?.lastError == "body size limit exceeded")
        #expect(try dump(db, [.equal("__name__", "metric_with_a_long_name")]).isEmpty)
    }

    @Test func timeoutAndHTTPErrors() async throws {
        let slow = try TestExporter(page: "m 1\n")
        defer { slow.stop() }
        slow.handler = { _, _, _ in
            Thread.sleep(forTimeInterval: 0.6)
            return (200, "m 1\n")
        }
        let (s1, db1, dir1) = try await scrapeOnce(slow, "")
        defer { try? db1.close(); dir1.cleanup() }
        #expect(s1?.health == .down)
        #expect(s1?.lastError.hasSuffix("context deadline exceeded") == true)

        let failing = try TestExporter(page: "")
        defer { failing.stop() }
        failing.handler = { _, _, _ in (500, "boom") }
        let (s2, db2, dir2) = try await scrapeOnce(failing, "")
        defer { try? db2.close(); dir2.cleanup() }
        #expect(s2?.lastError == "server returned HTTP status 500 Internal Server Error")
        let up = try dump(db2, [.equal("__name__", "up")]).values.first ?? []
        #expect(up.first?.v == 0)
    }
}

@Suite(.serialized) struct TargetLimitTests {
    @Test func overTheTargetLimitEveryTargetIsDown() async throws {
        let exporter = try TestExporter(page: "m 1\n")
        defer { exporter.stop() }
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let yaml = """
        scrape_configs:
          - job_name: t
            scrape_interval: 300ms
            scrape_timeout: 200ms
            target_limit: 1
            static_configs:
            - targets: ['127.0.0.1:\(exporter.port)']
              labels: {n: '1'}
            - targets: ['127.0.0.1:\(exporter.port)']
              labels: {n: '2'}
        """
        let manager = ScrapeManager(db: db, logger: quietLogger())
        try await manager.apply(try PrometheusConfig.parse(yaml, file: "t.yml", directory: dir.path))
        _ = await waitUntil(seconds: 5) { manager.activeTargets().allSatisfy { $0.health != .unknown } }
        let statuses = manager.activeTargets()
        #expect(statuses.count == 2)
        #expect(statuses.allSatisfy { $0.health == .down && $0.lastError == "target_limit exceeded (number of targets: 2, limit: 1)" })
        #expect(exporter.requestCount == 0)
        await manager.stop()
    }
}
