import Foundation
import Testing
@testable import TSDB

@Suite struct HeadTests {
    @Test func rejectsPerSampleAndKeepsTheRestOfTheBatch() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        let a = try db.seriesRef(for: ls(["__name__": "a"]))
        let b = try db.seriesRef(for: ls(["__name__": "b"]))
        var batch = AppendBatch()
        batch.add(a, 1000, 1)
        batch.add(b, 1000, 10)
        #expect(try db.append(batch).appended == 2)

        batch.removeAll()
        batch.add(a, 500, 2)        // out of order
        batch.add(a, 1000, 3)       // same time, other value: duplicate
        batch.add(a, 1000, 1)       // same time, same value: ignored silently
        batch.add(b, 2000, 20)      // fine
        batch.add(SeriesRef(999), 2000, 1)  // unknown series
        batch.add(a, 3000, 4)       // fine
        let r = try db.append(batch)
        #expect(r.appended == 2)
        #expect(r.outOfOrder == 1)
        #expect(r.duplicate == 1)
        #expect(r.duplicatesIgnored == 1)
        #expect(r.unknownSeries == 1)
        let data = try dump(db, [Matcher(.regexMatch, "__name__", "a|b")])
        #expect(data["a"]!.map(\.t) == [1000, 3000])
        #expect(data["a"]!.map(\.v) == [1, 4])
        #expect(data["b"]!.map(\.v) == [10, 20])
        let stats = db.stats
        #expect(stats.rejected[.outOfOrder] == 1)
        #expect(stats.rejected[.duplicate] == 1)
        #expect(stats.samplesAppended == 4)
    }

    @Test func rejectsInvalidLabelSets() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        #expect(throws: TSDBError.invalidLabels(.emptyLabelSet)) { try db.seriesRef(for: .empty) }
        let good = ls(["__name__": "ok"])
        let r = try db.append([(Labels.empty, 1, 1), (good, 1, 1)])
        #expect(r.appended == 1)
        #expect(r.unknownSeries == 1)
        #expect(db.activeSeries == 1)
    }

    @Test func sameLabelsGiveTheSameRef() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        let r1 = try db.seriesRef(for: ls(["__name__": "x", "a": "1"]))
        let r2 = try db.seriesRef(for: try Labels([("a", "1"), ("__name__", "x")]))
        let r3 = try db.seriesRef(for: ls(["__name__": "x", "a": "2"]))
        #expect(r1 == r2)
        #expect(r1 != r3)
        #expect(db.labels(of: r3) == ls(["__name__": "x", "a": "2"]))
        // Canonically equivalent but byte-different values are different series, as in Prometheus.
        let composed = try db.seriesRef(for: ls(["__name__": "x", "a": "\u{e9}"]))
        let decomposed = try db.seriesRef(for: ls(["__name__": "x", "a": "e\u{301}"]))
        #expect(composed != decomposed)
    }

    @Test func seriesLimitRejectsNewSeriesOnly() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) { $0.maxSeries = 3 }
        for i in 0..<3 { _ = try db.seriesRef(for: ls(["__name__": "s", "i": String(i)])) }
        #expect(throws: TSDBError.seriesLimit(3)) { try db.seriesRef(for: ls(["__name__": "s", "i": "3"])) }
        // Existing series still resolve and take samples.
        let r = try db.append([(ls(["__name__": "s", "i": "0"]), 1, 1), (ls(["__name__": "s", "i": "9"]), 1, 1)])
        #expect(r.appended == 1)
        #expect(db.stats.seriesLimitRejections == 2)
    }

    @Test func chunksAreCutByCountAndRange() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        let ref = try db.seriesRef(for: ls(["__name__": "c"]))
        var batch = AppendBatch()
        for i in 0..<1000 { batch.add(ref, Int64(i) * 15_000, Double(i)) }
        try db.append(batch)
        let s = try db.querier(mint: .min, maxt: .max).select([.equal("__name__", "c")])[0]
        // 1000 samples at 15s span ~4.2h: cut at 120 samples and at the 2h boundaries.
        #expect(s.chunks.count >= 9)
        #expect(s.samples().count == 1000)
        #expect(s.samples().last!.v == 999)
    }

    @Test func concurrentAppendersAndReaders() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        let writers = 8, seriesPerWriter = 200, rounds = 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    var refs: [SeriesRef] = []
                    for s in 0..<seriesPerWriter {
                        // Half the series are shared between writers: creation races on purpose.
                        let id = s % 2 == 0 ? "shared\(s)" : "w\(w)s\(s)"
                        refs.append(try db.seriesRef(for: ls(["__name__": "conc", "id": id])))
                    }
                    for r in 0..<rounds {
                        var b = AppendBatch(capacity: refs.count)
                        for (i, ref) in refs.enumerated() where i % 2 == 1 { b.add(ref, Int64(r) * 1000, Double(r)) }
                        let res = try db.append(b)
                        #expect(res.rejected == 0)
                    }
                }
            }
            group.addTask {
                for _ in 0..<20 {
                    _ = try db.querier(mint: .min, maxt: .max).select([.equal("__name__", "conc")])
                }
            }
            try await group.waitForAll()
        }
        let all = try dump(db, [.equal("__name__", "conc")])
        #expect(db.activeSeries == seriesPerWriter / 2 + writers * seriesPerWriter / 2)
        let unique = all.filter { $0.key.contains("w") }
        #expect(unique.count == writers * seriesPerWriter / 2)
        #expect(unique.values.allSatisfy { $0.count == rounds })
    }
}

@Suite struct MetadataAndLookupTests {
    @Test func metadataSurvivesReopenAndLookupsDoNotCreate() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        do {
            let db = try openDB(dir)
            try db.setMetadata(MetricMetadata(type: "counter", help: "Requests served.", unit: ""), for: "http_requests_total")
            try db.setMetadata(MetricMetadata(type: "gauge", help: "Up.", unit: ""), for: "up")
            #expect(db.existingRef(for: ls(["__name__": "up"])) == nil)
            let ref = try db.seriesRef(for: ls(["__name__": "up", "job": "a"]))
            #expect(db.existingRef(for: ls(["__name__": "up", "job": "a"])) == ref)
            #expect(db.existingRef(for: ls(["__name__": "up", "job": "b"])) == nil)
            #expect(db.activeSeries == 1)
            try db.close()
        }
        let db = try openDB(dir)
        let all = try db.metadata()
        #expect(all["http_requests_total"] == MetricMetadata(type: "counter", help: "Requests served.", unit: ""))
        #expect(try db.metadata(metric: "up").keys.sorted() == ["up"])
        #expect(db.existingRef(for: ls(["__name__": "up", "job": "a"])) != nil)
    }
}
