import Testing
@testable import TSDB

@Suite struct RetentionTests {
    static let hour: Int64 = 3_600_000

    /// Three series: one with data over 10h, one that stopped after 2h, one that started at 9h.
    func populate(_ db: TSDB) throws {
        let long = try db.seriesRef(for: ls(["__name__": "r", "s": "long"]))
        let dead = try db.seriesRef(for: ls(["__name__": "r", "s": "dead"]))
        let young = try db.seriesRef(for: ls(["__name__": "r", "s": "young"]))
        var t: Int64 = 0
        while t <= 10 * Self.hour {
            var b = AppendBatch()
            b.add(long, t, Double(t))
            if t <= 2 * Self.hour { b.add(dead, t, Double(t)) }
            if t >= 9 * Self.hour { b.add(young, t, Double(t)) }
            try db.append(b)
            t += 60_000
            if t % (3 * Self.hour) == 0 { try db.checkpoint() }
        }
    }

    @Test func dropsWhatIsOlderThanTheWindowAndNothingElse() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) { $0.retentionMilliseconds = 5 * Self.hour }
        try populate(db)
        try db.checkpoint()
        try db.compact()
        let before = try dump(db, [.equal("__name__", "r")])
        let result = try db.applyRetention()
        let cutoff = 10 * Self.hour - 5 * Self.hour
        #expect(result.cutoff == cutoff)
        #expect(result.seriesRemoved == 1)
        let after = try dump(db, [.equal("__name__", "r")])
        #expect(after["r{s=\"dead\"}"] == nil)
        // Everything at or after the cutoff is still there, bit for bit; nothing before it is.
        for key in ["r{s=\"long\"}", "r{s=\"young\"}"] {
            let kept = before[key]!.filter { $0.t >= cutoff }
            #expect(sameBits(after[key]!, kept), "\(key)")
        }
        #expect(after["r{s=\"long\"}"]!.first!.t == cutoff)
        // The same holds after a reopen: deleted data stays deleted.
        try db.close()
        let reopened = try openDB(dir) { $0.retentionMilliseconds = 5 * Self.hour }
        let again = try dump(reopened, [.equal("__name__", "r")])
        #expect(again.keys.sorted() == after.keys.sorted())
        for (k, v) in after { #expect(sameBits(again[k]!, v), "\(k)") }
        // Samples older than the window are refused.
        let r = try reopened.append([(ls(["__name__": "r", "s": "new"]), Self.hour, 1)])
        #expect(r.outOfBounds == 1)
    }
}

@Suite struct SizeRetentionTests {
    @Test func dropsOldestDataUntilTheFileFits() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        // Random-bit values compress badly: ~8 bytes a sample, so 20 series × 3 days is several MB.
        let db = try openDB(dir) { $0.retentionBytes = 1 << 19 }
        var refs: [SeriesRef] = []
        for s in 0..<20 { refs.append(try db.seriesRef(for: ls(["__name__": "big", "s": String(s)]))) }
        var x: UInt64 = 0x1234_5678
        for i in 0..<(3 * 24 * 60) {
            var b = AppendBatch()
            for ref in refs {
                x = x &* 6364136223846793005 &+ 1442695040888963407
                b.add(ref, Int64(i) * 60_000, Double(bitPattern: x >> 2))
            }
            try db.append(b)
            if i % 600 == 0 { try db.checkpoint() }
        }
        try db.checkpoint()
        let before = db.stats.databaseBytes
        #expect(before > 1 << 19)
        let r = try db.applyRetention()
        let stats = db.stats
        #expect(stats.databaseBytes + stats.sqliteWALBytes <= 1 << 19, "\(stats.databaseBytes) + \(stats.sqliteWALBytes)")
        #expect(r.chunksDeleted > 0)
        #expect(r.cutoff > 0)
        // What is left is the newest data, contiguous up to the last sample.
        let left = try dump(db, [.equal("__name__", "big")])
        #expect(left.count == 20)
        for (_, samples) in left {
            #expect(samples.last!.t == Int64(3 * 24 * 60 - 1) * 60_000)
            #expect(samples.first!.t >= r.cutoff)
            #expect(samples.count >= 500, "size retention keeps as much as fits, not just the head")
            #expect(samples.count == Int((samples.last!.t - samples.first!.t) / 60_000) + 1)
        }
    }
}
