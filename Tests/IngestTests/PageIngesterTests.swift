import Testing
import TSDB
@testable import Ingest

/// The page → batch step on its own, with exact timestamps.
@Suite struct PageIngesterTests {
    func ingest(_ ing: PageIngester, _ page: String, at t: Int64, format: ExpositionFormat = .prometheusText) -> ScrapeOutcome {
        Array(page.utf8).withUnsafeBufferPointer { ing.ingest(page: $0, format: format, time: t, duration: 0.01) }
    }

    @Test func staleMarkersForDisappearedSeriesAndReportSeries() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let ing = PageIngester(db: db, targetLabels: [Label("instance", "h:1"), Label("job", "j")])
        var o = ingest(ing, "a 1\nb{x=\"1\"} 2\nc 3 1000\n", at: 10_000)
        #expect(o.error == nil && o.samplesScraped == 3 && o.seriesAdded == 3 && o.staleMarkers == 0)
        o = ingest(ing, "a 4\n", at: 20_000)
        #expect(o.seriesAdded == 0 && o.staleMarkers == 1)  // b only: c had an explicit timestamp
        let b = try dump(db, [.equal("__name__", "b")])
        #expect(b["b{instance=\"h:1\", job=\"j\", x=\"1\"}"]?.map(\.t) == [10_000, 20_000])
        #expect(b.values.first.map { isStale($0[1].v) } == true)
        let up = try dump(db, [.equal("__name__", "up")])
        #expect(up["up{instance=\"h:1\", job=\"j\"}"]?.map(\.v) == [1, 1])
        let c = try dump(db, [.equal("__name__", "c")])
        #expect(c.values.first?.map(\.t) == [1000])
    }

    @Test func parseErrorFailsTheScrapeAndKeepsNothingOfThePage() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let ing = PageIngester(db: db, targetLabels: [Label("job", "j")])
        _ = ingest(ing, "a 1\n", at: 1000)
        let o = ingest(ing, "a 2\nb{ 3\n", at: 2000)
        #expect(o.error == "parsing the page: line 2: invalid label name in metric b")
        let a = try dump(db, [.equal("__name__", "a")]).values.first ?? []
        #expect(a.count == 2 && a[0].v == 1 && isStale(a[1].v))
        let up = try dump(db, [.equal("__name__", "up")]).values.first ?? []
        #expect(up.map(\.v) == [1, 0])
    }

    /// Expectations are what Prometheus 2.42 stored for the same page (checked by hand with a
    /// real scrape: honor_labels false and true).
    @Test func honorLabelsAndExportedConflicts() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let target = [Label("instance", "h:1"), Label("job", "j")]
        let plain = PageIngester(db: db, targetLabels: target)
        _ = ingest(plain, "m{job=\"inner\",exported_job=\"x\",instance=\"i\"} 1\n", at: 1000)
        #expect(try dump(db, [.equal("__name__", "m")]).keys.first
                == "m{exported_exported_job=\"inner\", exported_instance=\"i\", exported_job=\"x\", instance=\"h:1\", job=\"j\"}")
        let honor = PageIngester(db: db, targetLabels: target, honorLabels: true)
        _ = ingest(honor, "n{job=\"inner\"} 1\n", at: 1000)
        #expect(try dump(db, [.equal("__name__", "n")]).keys.first == "n{instance=\"h:1\", job=\"inner\"}")
    }

    @Test func metricRelabelAndLimits() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let drop = try RelabelConfig(action: .drop, sourceLabels: ["__name__"], regex: "go_.*")
        var limits = ScrapeLimits()
        limits.sampleLimit = 2
        let ing = PageIngester(db: db, targetLabels: [Label("job", "j")], metricRelabel: [drop], limits: limits)
        var o = ingest(ing, "go_x 1\ngo_y 1\na 1\nb 2\n", at: 1000)
        #expect(o.error == nil && o.samplesScraped == 4 && o.samplesPostRelabeling == 2)
        o = ingest(ing, "a 1\nb 2\nc 3\n", at: 2000)
        #expect(o.error == "sample limit exceeded")
        var l2 = ScrapeLimits()
        l2.labelValueLengthLimit = 3
        let ing2 = PageIngester(db: db, targetLabels: [Label("job", "j")], limits: l2)
        o = ingest(ing2, "z{v=\"long\"} 1\n", at: 1000)
        #expect(o.error == "label_value_length_limit exceeded (metric: z, label name: v, value: \"long\", length: 4, limit: 3)")
    }

    @Test func metadataFromTypeHelpAndUnit() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let ing = PageIngester(db: db, targetLabels: [Label("job", "j")])
        _ = ingest(ing, "# HELP a Requests \\\\ total\\nnext.\n# TYPE a counter\na 1\n# TYPE b gauge\nb 2\n", at: 1000)
        #expect(ing.metadata["a"] == ScrapedMetadata(type: .counter, help: "Requests \\ total\nnext.", unit: ""))
        #expect(ing.metadata["b"]?.type == .gauge)
        _ = ingest(ing, "# TYPE b counter\n# UNIT b seconds\nb 3\n# EOF\n", at: 2000, format: .openMetrics)
        #expect(ing.metadata["b"] == ScrapedMetadata(type: .counter, help: "", unit: "seconds"))
    }

    @Test func openMetricsTimestampsAreSecondsAndHonoured() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let ing = PageIngester(db: db, targetLabels: [Label("job", "j")])
        let o = ingest(ing, "# TYPE a gauge\na 1 1.5\n# EOF\n", at: 9000, format: .openMetrics)
        #expect(o.error == nil)
        #expect(try dump(db, [.equal("__name__", "a")]).values.first?.map(\.t) == [1500])
    }
}

@Suite struct SeriesCacheEvictionTests {
    /// Churning series are evicted from the cache; staleness tracking survives the reindexing.
    @Test func churnEvictsAndStalenessStillWorks() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let ing = PageIngester(db: db, targetLabels: [Label("job", "j")])
        for round in 0..<80 {
            let page = "steady 1\nchurn{round=\"\(round)\"} 1\n" + (round < 79 ? "last 1\n" : "")
            let o = Array(page.utf8).withUnsafeBufferPointer { ing.ingest(page: $0, format: .prometheusText, time: Int64(round + 1) * 1000, duration: 0) }
            #expect(o.error == nil)
            #expect(o.staleMarkers == (round == 0 ? 0 : round == 79 ? 2 : 1))
        }
        let last = try dump(db, [.equal("__name__", "last")]).values.first ?? []
        #expect(last.count == 80 && isStale(last[79].v))
        let steady = try dump(db, [.equal("__name__", "steady")]).values.first ?? []
        #expect(steady.count == 80 && !steady.contains { isStale($0.v) })
    }
}
