import Foundation
import Testing
@testable import TSDB

/// `delete_series` with a time range: samples in the range go from memory and SQLite, at
/// once and across a restart; the rest stays bit for bit.
@Suite struct DeleteSamplesTests {
    @Test func aRangeGoesFromPersistedClosedAndOpenChunksAndStaysGoneAfterARestart() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let a = ls(["__name__": "m", "k": "a"]), b = ls(["__name__": "m", "k": "b"])
        var expected: [String: [(t: Int64, v: Double)]] = [:]
        let ranges: [ClosedRange<Int64>] = [100_000...150_000, 1_150_000...1_190_000]
        do {
            let db = try openDB(dir) { $0.backgroundMaintenance = false }
            let refs = [try db.seriesRef(for: a), try db.seriesRef(for: b)]
            func write(_ range: Range<Int>) throws {
                for i in range {
                    var batch = AppendBatch()
                    for (k, ref) in refs.enumerated() { batch.add(ref, Int64(i) * 1000, Double(i * 2 + k) + 0.25) }
                    try db.append(batch)
                }
            }
            try write(0..<1000)
            try db.checkpoint()  // chunks up to ~1000 s persisted
            try write(1000..<1200)  // closed-but-unpersisted and open chunks
            var removed = 0
            for r in ranges { removed += try db.deleteSamples([.equal("k", "a")], mint: r.lowerBound, maxt: r.upperBound) }
            #expect(removed == 51 + 41)
            for (k, labels) in [a, b].enumerated() {
                expected[labels.description] = (0..<1200).compactMap { i -> (t: Int64, v: Double)? in
                    let t = Int64(i) * 1000
                    if k == 0 && ranges.contains(where: { $0.contains(t) }) { return nil }
                    return (t, Double(i * 2 + k) + 0.25)
                }
            }
            let now = try dump(db, [.equal("__name__", "m")])
            for (key, samples) in expected { #expect(sameBits(now[key] ?? [], samples), "\(key)") }
            // Appends go on after the deleted range; older ones are still refused.
            var late = AppendBatch()
            late.add(refs[0], 1_150_000, 1)
            #expect(try db.append(late).outOfOrder == 1)
            // No close: as after kill -9.
        }
        let db = try openDB(dir) { $0.backgroundMaintenance = false }
        let after = try dump(db, [.equal("__name__", "m")])
        for (key, samples) in expected { #expect(sameBits(after[key] ?? [], samples), "\(key) after reopen") }
    }

    @Test func deletingEverySampleOfARangeKeepsTheSeries() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) { $0.backgroundMaintenance = false }
        try db.append([(ls(["__name__": "x"]), 1000, 1), (ls(["__name__": "x"]), 2000, 2)].map { ($0.0, $0.1, $0.2) })
        #expect(try db.deleteSamples([.equal("__name__", "x")], mint: 0, maxt: 5000) == 2)
        #expect(try dump(db, [.equal("__name__", "x")]).values.allSatisfy(\.isEmpty))
        #expect(db.existingRef(for: ls(["__name__": "x"])) != nil)
        #expect(try db.deleteSamples([.equal("__name__", "nothing")], mint: 0, maxt: 5000) == 0)
    }
}
