import Foundation
import Testing
import TSDB
@testable import Ingest

/// A real exporter over HTTP → scrape manager → relabelling → a real TSDB, queried back.
@Suite(.serialized) struct ScrapeEndToEndTests {
    @Test func scrapeRelabelStalenessAndDeadTarget() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let exporter = try TestExporter(page: "# TYPE requests_total counter\nrequests_total{code=\"200\"} 10\nrequests_total{code=\"500\"} 1\ngo_goroutines 8\ntemp_celsius 21.5\n")
        let yaml = """
        global:
          scrape_interval: 200ms
          scrape_timeout: 150ms
        scrape_configs:
          - job_name: app
            static_configs:
            - targets: ['127.0.0.1:\(exporter.port)']
              labels: {env: test}
            relabel_configs:
            - source_labels: [env]
              target_label: stage
              replacement: 'stage-$1'
            metric_relabel_configs:
            - source_labels: [__name__]
              regex: go_.*
              action: drop
        """
        let config = try PrometheusConfig.parse(yaml, file: "test.yml", directory: dir.path)
        let manager = ScrapeManager(db: db, logger: quietLogger())
        try await manager.apply(config)

        let scraped = await waitUntil(seconds: 5) { exporter.requestCount >= 3 }
        #expect(scraped)
        let status = try #require(manager.activeTargets().first)
        #expect(status.health == .up && status.lastError.isEmpty)
        #expect(status.target.scrapeURL == "http://127.0.0.1:\(exporter.port)/metrics")
        #expect(exporter.requests.first?.contains("Accept: application/openmetrics-text;version=1.0.0") == true)

        let series = try dump(db, [.equal("__name__", "requests_total")])
        let key = "requests_total{code=\"200\", env=\"test\", instance=\"127.0.0.1:\(exporter.port)\", job=\"app\", stage=\"stage-test\"}"
        let samples = try #require(series[key])
        #expect(samples.allSatisfy { $0.v == 10 })
        // Scheduled on a grid: timestamps whole intervals apart (a slot is skipped only when
        // the machine is too busy to scrape in time).
        #expect(zip(samples, samples.dropFirst()).allSatisfy { ($1.t - $0.t) % 200 == 0 && $1.t > $0.t })
        #expect(samples.allSatisfy { ($0.t - samples[0].t) % 200 == 0 })
        #expect(try dump(db, [.equal("__name__", "go_goroutines")]).isEmpty)

        // A series disappears: it gets a stale marker, the others go on.
        exporter.page = "requests_total{code=\"200\"} 11\ntemp_celsius 22\n"
        let before = exporter.requestCount
        _ = await waitUntil(seconds: 5) { exporter.requestCount >= before + 2 }
        let gone = try #require(try dump(db, [.equal("__name__", "requests_total"), .equal("code", "500")]).values.first)
        #expect(isStale(gone.last!.v))
        #expect(gone.filter { isStale($0.v) }.count == 1)
        let kept = try #require(try dump(db, [.equal("code", "200")]).values.first)
        #expect(kept.last?.v == 11)

        // The target dies: up 0 with the error, stale markers for what it had.
        exporter.stop()
        let down = await waitUntil(seconds: 5) { manager.activeTargets().first?.health == .down }
        #expect(down)
        let st = try #require(manager.activeTargets().first)
        #expect(st.lastError.contains("Get \"http://127.0.0.1:\(exporter.port)/metrics\""))
        let up = try #require(try dump(db, [.equal("__name__", "up")]).values.first)
        #expect(up.first?.v == 1 && up.last?.v == 0)
        let temp = try #require(try dump(db, [.equal("__name__", "temp_celsius")]).values.first)
        #expect(isStale(temp.last!.v))
        await manager.stop()
    }

    @Test func targetRemovedFromFileSDGetsStaleMarkers() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let exporter = try TestExporter(page: "# EOF\n")
        exporter.contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"
        exporter.page = "# TYPE x gauge\nx 1\n# EOF\n"
        let sd = "\(dir.path)/targets.json"
        try Data("[{\"targets\": [\"127.0.0.1:\(exporter.port)\"], \"labels\": {\"team\": \"a\"}}]".utf8).write(to: URL(fileURLWithPath: sd))
        let yaml = """
        scrape_configs:
          - job_name: sd
            scrape_interval: 200ms
            scrape_timeout: 100ms
            file_sd_configs:
            - files: ['*.json']
        """
        let config = try PrometheusConfig.parse(yaml, file: "test.yml", directory: dir.path)
        let manager = ScrapeManager(db: db, logger: quietLogger())
        try await manager.apply(config)
        #expect(await waitUntil(seconds: 5) { exporter.requestCount >= 2 })
        #expect(manager.activeTargets().first?.target.labels["team"] == "a")
        let x0 = try dump(db, [.equal("__name__", "x")])
        #expect(x0.keys.first == "x{instance=\"127.0.0.1:\(exporter.port)\", job=\"sd\", team=\"a\"}")

        try Data("[]".utf8).write(to: URL(fileURLWithPath: sd))
        #expect(await waitUntil(seconds: 10) { manager.activeTargets().isEmpty })
        // The removed target's loop writes its stale markers as it ends, just after it leaves
        // the active list.
        func lastIsStale(_ name: String) -> Bool {
            guard let samples = try? dump(db, [.equal("__name__", name)]).values.first, let last = samples.last else { return false }
            return isStale(last.v)
        }
        #expect(await waitUntil(seconds: 10) { lastIsStale("x") && lastIsStale("up") })
        await manager.stop()
        exporter.stop()
    }
}

@Suite(.serialized) struct ScrapeReloadTests {
    /// Re-applying an unchanged config keeps scraping without a gap or stale marker;
    /// dropping the job stops it with stale markers.
    @Test func reloadKeepsUnchangedPoolsAndStopsRemovedOnes() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let exporter = try TestExporter(page: "x 1\n")
        defer { exporter.stop() }
        let job = """
          - job_name: keep
            scrape_interval: 200ms
            scrape_timeout: 100ms
            static_configs: [{targets: ['127.0.0.1:\(exporter.port)']}]
        """
        let other = """
          - job_name: gone
            scrape_interval: 200ms
            scrape_timeout: 100ms
            static_configs: [{targets: ['127.0.0.1:\(exporter.port)'], labels: {k: v}}]
        """
        let both = try PrometheusConfig.parse("scrape_configs:\n" + job + "\n" + other, file: "a.yml", directory: dir.path)
        let one = try PrometheusConfig.parse("scrape_configs:\n" + job, file: "a.yml", directory: dir.path)
        let manager = ScrapeManager(db: db, logger: quietLogger())
        try await manager.apply(both)
        #expect(await waitUntil(seconds: 5) { exporter.requestCount >= 4 })
        try await manager.apply(both)
        try await manager.apply(one)
        let before = exporter.requestCount
        #expect(await waitUntil(seconds: 5) { exporter.requestCount >= before + 2 })
        #expect(manager.activeTargets().map(\.scrapePool) == ["keep"])
        let kept = try #require(try dump(db, [.equal("__name__", "x"), .equal("job", "keep")]).values.first)
        #expect(!kept.contains { isStale($0.v) })
        let gone = try #require(try dump(db, [.equal("__name__", "x"), .equal("job", "gone")]).values.first)
        #expect(isStale(gone.last!.v))
        await manager.stop()
    }
}

@Suite(.serialized) struct ScrapeShutdownTests {
    /// Shutting down writes no stale markers (as Prometheus): series resume after a restart.
    @Test func stopWritesNoStaleMarkers() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let exporter = try TestExporter(page: "x 1\n")
        defer { exporter.stop() }
        let yaml = "scrape_configs:\n  - job_name: j\n    scrape_interval: 200ms\n    scrape_timeout: 100ms\n    static_configs: [{targets: ['127.0.0.1:\(exporter.port)']}]\n"
        let manager = ScrapeManager(db: db, logger: quietLogger())
        try await manager.apply(try PrometheusConfig.parse(yaml, file: "a.yml", directory: dir.path))
        #expect(await waitUntil(seconds: 5) { exporter.requestCount >= 2 })
        await manager.stop()
        let x = try #require(try dump(db, [.equal("__name__", "x")]).values.first)
        #expect(!x.contains { isStale($0.v) })
    }
}
