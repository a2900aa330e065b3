import Foundation
import Testing
import TSDB
@testable import Ingest

/// A plain-HTTP target's own kept-alive connection (`ScrapeConnection`) against a real
/// local server: reuse, reconnection, HTTP/1.1 body framings, redirects handed to the
/// general client, and Go's words for a refused connection.
@Suite(.serialized) struct ScrapeConnectionTests {
    /// Scrapes the target on `port` every 100 ms until `done` holds for its status (or 10 s
    /// pass); returns whether it did, the target's last status and the samples of `series`.
    func scrape(port: Int, extra: String = "", path: String? = nil, series: String = "up",
                until done: (TargetStatus?) -> Bool) async throws -> (Bool, TargetStatus?, [(t: Int64, v: Double)]) {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        var yaml = "scrape_configs:\n  - job_name: t\n    scrape_interval: 100ms\n    scrape_timeout: 90ms\n" + extra
        if let path { yaml += "    metrics_path: \(path)\n" }
        yaml += "    static_configs:\n    - targets: ['127.0.0.1:\(port)']\n"
        let manager = ScrapeManager(db: db, logger: quietLogger())
        try await manager.apply(try PrometheusConfig.parse(yaml, file: "t.yml", directory: dir.path))
        let ok = await waitUntil(seconds: 10) { done(manager.activeTargets().first) }
        let status = manager.activeTargets().first
        await manager.stop()
        return (ok, status, try dump(db, [.equal("__name__", series)]).values.first ?? [])
    }

    /// `scrape(port:…)` of `exporter`, until `done` holds for the exporter.
    func scrape(_ exporter: TestExporter, extra: String = "", path: String? = nil, series: String = "up",
                until done: @escaping () -> Bool) async throws -> (Bool, TargetStatus?, [(t: Int64, v: Double)]) {
        try await scrape(port: exporter.port, extra: extra, path: path, series: series) { _ in done() }
    }

    /// Reconnecting for every scrape (which AsyncHTTPClient does for requests pinned to an
    /// event loop) costs the scraper and the target a TCP handshake each time.
    @Test func scrapesReuseOneConnection() async throws {
        let exporter = try TestExporter(page: "m 1\n")
        exporter.mode = .keepAlive
        defer { exporter.stop() }
        let (scraped, status, up) = try await scrape(exporter) { exporter.requestCount >= 8 }
        #expect(scraped)
        #expect(status?.health == .up)
        #expect(exporter.connectionCount == 1)
        // Every scrape landed: one `up` sample per answered request (give or take the one
        // in flight at the stop).
        #expect(up.count >= 8 && up.allSatisfy { $0.v == 1 })
    }

    /// A server that closes kept-alive connections between scrapes costs a reconnect, not
    /// a failed scrape.
    @Test func reconnectsWhenTheServerDropsTheConnection() async throws {
        let exporter = try TestExporter(page: "m 1\n")
        exporter.mode = .keepAliveDroppedAfterEachAnswer
        defer { exporter.stop() }
        let (scraped, status, up) = try await scrape(exporter) { exporter.requestCount >= 6 }
        #expect(scraped)
        #expect(status?.health == .up)
        #expect(exporter.connectionCount == exporter.requestCount)
        #expect(up.count >= 5 && up.allSatisfy { $0.v == 1 })
    }

    /// A request sent on a kept-alive connection the server is closing (FIN) or resetting
    /// (RST) gets no answer; it is sent again on a new connection instead of failing the
    /// scrape.
    @Test(arguments: [false, true]) func retriesOnceWhenAReusedConnectionCloses(reset: Bool) async throws {
        let exporter = try TestExporter(page: "m 1\n")
        exporter.mode = .keepAliveClosedOnSecondRequest(reset: reset)
        defer { exporter.stop() }
        let (scraped, status, up) = try await scrape(exporter) { exporter.connectionCount >= 5 }
        #expect(scraped)
        #expect(status?.health == .up, "\(status?.lastError ?? "")")
        #expect(up.count >= 4 && up.allSatisfy { $0.v == 1 })
    }

    @Test func chunkedBody() async throws {
        let exporter = try TestExporter(page: "")
        exporter.mode = .keepAlive
        defer { exporter.stop() }
        exporter.rawResponder = { _ in
            Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nm 42\r\n3\r\n.5\n\r\n0\r\n\r\n".utf8)
        }
        let (scraped, status, up) = try await scrape(exporter) { exporter.requestCount >= 3 }
        #expect(scraped)
        #expect(status?.health == .up)
        #expect(exporter.connectionCount == 1)
        #expect(!up.isEmpty && up.allSatisfy { $0.v == 1 })
    }

    /// No Content-Length, no chunking: the body runs until the server closes.
    @Test func bodyUntilTheConnectionCloses() async throws {
        let exporter = try TestExporter(page: "")
        defer { exporter.stop() }
        exporter.rawResponder = { _ in Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nm 7\n".utf8) }
        let (_, status, m) = try await scrape(exporter, series: "m") { exporter.requestCount >= 3 }
        #expect(status?.health == .up)
        #expect(!m.isEmpty && m.allSatisfy { $0.v == 7 })
    }

    /// Redirects are followed (by the general client, from then on), as Prometheus follows
    /// them unless `follow_redirects: false`.
    @Test func redirectsAreFollowedUnlessDisabled() async throws {
        let exporter = try TestExporter(page: "m 3\n")
        exporter.mode = .keepAlive
        defer { exporter.stop() }
        exporter.rawResponder = { head in
            guard head.hasPrefix("GET /old ") else { return nil }
            return Array("HTTP/1.1 302 Found\r\nLocation: /metrics\r\nContent-Length: 0\r\n\r\n".utf8)
        }
        let (scraped, status, up) = try await scrape(exporter, path: "/old") {
            exporter.requests.filter { $0.hasPrefix("GET /metrics ") }.count >= 3
        }
        #expect(scraped)
        #expect(status?.health == .up)
        #expect(!up.isEmpty && up.allSatisfy { $0.v == 1 })

        let (_, refused, _) = try await scrape(exporter, extra: "    follow_redirects: false\n", path: "/old") {
            exporter.requests.filter { $0.hasPrefix("GET /old ") }.count >= 8
        }
        #expect(refused?.health == .down)
        #expect(refused?.lastError == "server returned HTTP status 302 Found")
    }

    /// A path with bytes a request line cannot carry is sent escaped, as Go sends it.
    @Test func pathsAreSentEscaped() async throws {
        let exporter = try TestExporter(page: "m 1\n")
        defer { exporter.stop() }
        let (scraped, status, _) = try await scrape(exporter, path: "'/my metrics'") { exporter.requestCount >= 1 }
        #expect(scraped)
        #expect(status?.health == .up)
        #expect(exporter.requests.first?.hasPrefix("GET /my%20metrics HTTP/1.1\r\n") == true)
    }

    @Test func refusedConnectionInGoWords() async throws {
        let exporter = try TestExporter(page: "")
        let port = exporter.port
        exporter.stop()
        let (_, status, _) = try await scrape(port: port) { $0?.health == .down }
        #expect(status?.lastError == "Get \"http://127.0.0.1:\(port)/metrics\": dial tcp 127.0.0.1:\(port): connect: connection refused")
    }

    @Test func endpointsFromScrapeURLs() {
        let a = ScrapeEndpoint(url: "http://127.0.0.1:9100/metrics")
        #expect(a?.host == "127.0.0.1" && a?.port == 9100 && a?.authority == "127.0.0.1:9100" && a?.uri == "/metrics")
        let b = ScrapeEndpoint(url: "http://[::1]:9090/probe?target=a+b")
        #expect(b?.host == "::1" && b?.port == 9090 && b?.authority == "[::1]:9090" && b?.uri == "/probe?target=a+b")
        let c = ScrapeEndpoint(url: "http://exporter?x=1")
        #expect(c?.host == "exporter" && c?.port == 80 && c?.uri == "/?x=1")
        let d = ScrapeEndpoint(url: "https://kubelet/metrics/cadvisor")
        #expect(d?.tls == true && d?.port == 443 && d?.uri == "/metrics/cadvisor")
        #expect(a?.tls == false)
        // The general client's: credentials in the URL, nonsense ports.
        #expect(ScrapeEndpoint(url: "http://u:p@h:80/metrics") == nil)
        #expect(ScrapeEndpoint(url: "http://h:99999/metrics") == nil)
        #expect(ScrapeEndpoint(url: "http://h:x/metrics") == nil)
        #expect(ScrapeEndpoint(url: "http://[::1/metrics") == nil)
        // Bytes a request line cannot carry: the general client escapes them.
        #expect(ScrapeEndpoint(url: "http://h:80/my metrics") == nil)
        #expect(ScrapeEndpoint(url: "http://h:80/caf\u{e9}") == nil)
        #expect(ScrapeEndpoint(url: "http://h:80/a%20b?x=1&y=%2F") != nil)
    }
}
