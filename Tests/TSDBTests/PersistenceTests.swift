import Foundation
import SQLite
import Testing
@testable import TSDB

@Suite struct PersistenceTests {
    static let special: [Double] = [
        .nan, Double(bitPattern: 0x7ff0_0000_0000_0002), Double(bitPattern: 0xfff8_dead_beef_0001), .infinity,
        -.infinity, -0.0, 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-300, 42,
    ]

    func write(_ db: TSDB, series: Int, samples: Int, from: Int = 0) throws {
        var refs: [SeriesRef] = []
        for s in 0..<series { refs.append(try db.seriesRef(for: ls(["__name__": "p", "s": String(s)]))) }
        for i in from..<(from + samples) {
            var b = AppendBatch()
            for (s, ref) in refs.enumerated() {
                b.add(ref, Int64(i) * 10_000, (s + i) % 3 == 0 ? Self.special[(s + i) % Self.special.count] : Double(i) * 1.5)
            }
            try db.append(b)
        }
    }

    @Test func reopenRestoresEverythingWithoutACheckpoint() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let before: [String: [(t: Int64, v: Double)]]
        do {
            let db = try openDB(dir)
            try write(db, series: 20, samples: 300)
            before = try dump(db, [.equal("__name__", "p")])
            // No close(): what recovery sees is only the append log.
        }
        let db = try openDB(dir)
        let after = try dump(db, [.equal("__name__", "p")])
        #expect(after.count == 20)
        for (k, v) in before { #expect(sameBits(v, after[k] ?? []), "\(k)") }
        #expect(db.stats.recoveredSamples == 20 * 300)
    }

    @Test func checkpointThenMoreAppendsThenReopen() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var before: [String: [(t: Int64, v: Double)]] = [:]
        do {
            let db = try openDB(dir)
            try write(db, series: 10, samples: 500)
            let cp = try db.checkpoint()
            #expect(cp.chunksWritten > 0)
            #expect(cp.logRecordsTrimmed == 500)
            try write(db, series: 10, samples: 100, from: 500)
            // Queries span persisted chunks and memory.
            before = try dump(db, [.equal("__name__", "p")])
            #expect(before.values.allSatisfy { $0.count == 600 })
        }
        let db = try openDB(dir)
        let after = try dump(db, [.equal("__name__", "p")])
        for (k, v) in before { #expect(sameBits(v, after[k] ?? []), "\(k)") }
        #expect(db.stats.recoveredSamples == 10 * 100)
        // Appends continue where they stopped.
        let r = try db.append([(ls(["__name__": "p", "s": "0"]), 600 * 10_000, 1)])
        #expect(r.appended == 1)
        let r2 = try db.append([(ls(["__name__": "p", "s": "0"]), 100, 1)])
        #expect(r2.outOfOrder == 1)
    }

    @Test func rangeQueriesClipToTheRange() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        try write(db, series: 1, samples: 1000)
        try db.checkpoint()
        let s = try db.querier(mint: 2_000_000, maxt: 2_500_000).select([.equal("__name__", "p")])
        #expect(s.count == 1)
        let ts = s[0].samples().map(\.t)
        #expect(ts.first == 2_000_000 && ts.last == 2_500_000 && ts.count == 51)
        #expect(try db.querier(mint: 20_000_000, maxt: 30_000_000).select([.equal("__name__", "p")]).isEmpty)
    }

    @Test func damagedLogTailIsCutNotFatal() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        do {
            let db = try openDB(dir)
            try write(db, series: 5, samples: 10)
        }
        // Damage the last record and add garbage after it.
        do {
            let conn = try Connection(path: dir.path + "/vigil.db")
            let last = try conn.scalarInt("SELECT max(id) FROM wal")!
            try conn.run("UPDATE wal SET data = substr(data, 1, length(data) - 3) || x'000102' WHERE id = ?1", .int(last))
            try conn.run("INSERT INTO wal(data) VALUES(x'0102030405060708090a0b0c')")
        }
        do {
            let db = try openDB(dir)
            let data = try dump(db, [.equal("__name__", "p")])
            #expect(data.count == 5)
            #expect(data.values.allSatisfy { $0.count == 9 }, "the damaged tenth batch is cut, the nine before it kept")
            #expect(db.stats.truncatedRecords == 2)
            try db.close()
        }
        // And it opens again cleanly.
        let again = try openDB(dir)
        #expect(again.stats.truncatedRecords == 0)
    }

    @Test func fullDurabilityModeWorks() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        do {
            let db = try openDB(dir) { $0.durability = .full }
            try write(db, series: 3, samples: 20)
        }
        let conn = try Connection(path: dir.path + "/vigil.db")
        #expect(try conn.scalarInt("PRAGMA synchronous") != nil)
        let db = try openDB(dir)
        #expect(try dump(db, [.equal("__name__", "p")]).values.allSatisfy { $0.count == 20 })
    }

    @Test func compactionPreservesEverySampleAndShrinksTheFile() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        // 2 days at 15s for 50 series: counters and gauges.
        var refs: [SeriesRef] = []
        for s in 0..<50 { refs.append(try db.seriesRef(for: ls(["__name__": "cmp", "s": String(s)]))) }
        var counter = [Double](repeating: 0, count: 50)
        for i in 0..<(2 * 5760) {
            var b = AppendBatch()
            for (s, ref) in refs.enumerated() {
                counter[s] += Double((i * 7 + s) % 13)
                b.add(ref, Int64(i) * 15_000 + Int64(i % 5), s % 2 == 0 ? counter[s] : Double((i + s) % 100) / 10)
            }
            try db.append(b)
            if i % 2000 == 0 { try db.checkpoint() }
        }
        try db.checkpoint()
        let before = try dump(db, [.equal("__name__", "cmp")])
        let result = try db.compact()
        #expect(result.windows > 0)
        #expect(result.bytesAfter < result.bytesBefore)
        let after = try dump(db, [.equal("__name__", "cmp")])
        for (k, v) in before { #expect(sameBits(v, after[k] ?? []), "\(k)") }
        // A second run has nothing left to do.
        #expect(try db.compact().chunksMerged == 0)
        // And everything survives a reopen.
        try db.close()
        let reopened = try openDB(dir)
        let again = try dump(reopened, [.equal("__name__", "cmp")])
        for (k, v) in before { #expect(sameBits(v, again[k] ?? []), "\(k)") }
    }
}

@Suite struct SeriesIteratorTests {
    @Test func seekAcrossPersistedCompactedAndMemoryChunks() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        let ref = try db.seriesRef(for: ls(["__name__": "seek"]))
        for i in 0..<5000 {
            var b = AppendBatch()
            b.add(ref, Int64(i) * 15_000, Double(i))
            try db.append(b)
            if i == 3000 { try db.checkpoint(); try db.compact() }
        }
        let s = try db.querier(mint: 1_000 * 15_000, maxt: 4_500 * 15_000).select([.equal("__name__", "seek")])[0]
        var it = s.makeIterator()
        var ok = it.next()
        #expect(ok && it.t == 1_000 * 15_000)
        ok = it.seek(2_500 * 15_000 + 1)
        #expect(ok && it.t == 2_501 * 15_000 && it.v == 2_501)
        ok = it.seek(0)
        #expect(ok && it.t == 2_501 * 15_000, "seek never moves backwards")
        ok = it.seek(4_200 * 15_000)
        #expect(ok && it.v == 4_200)
        ok = it.next()
        #expect(ok && it.v == 4_201)
        ok = it.seek(4_600 * 15_000)
        #expect(!ok, "nothing past maxt")
        var all = s.makeIterator()
        let samples = all.collect()
        #expect(samples.count == 3_501)
        #expect(samples.enumerated().allSatisfy { $0.element.v == Double(1_000 + $0.offset) })
    }
}

@Suite struct StaleSeriesTests {
    @Test func stoppedSeriesAreClosedPersistedAndStillAnswer() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        do {
            let db = try openDB(dir)
            let gone = try db.seriesRef(for: ls(["__name__": "pod", "name": "gone"]))
            let live = try db.seriesRef(for: ls(["__name__": "pod", "name": "live"]))
            for i in 0..<2000 {
                var b = AppendBatch()
                if i < 100 { b.add(gone, Int64(i) * 15_000, 7) }
                b.add(live, Int64(i) * 15_000, Double(i))
                try db.append(b)
            }
            try db.checkpoint()
            // The stopped series' open chunk was closed and persisted: memory holds nothing of it.
            let inMemory = db.head.withSeries(gone) { $0!.open.count + $0!.closed.count }
            #expect(inMemory == 0)
            let data = try dump(db, [.equal("name", "gone")])
            #expect(data.values.first?.count == 100)
        }
        // After a restart, re-sending its last sample is still an ignored duplicate, not an error.
        let db = try openDB(dir)
        let r = try db.append([(ls(["__name__": "pod", "name": "gone"]), 99 * 15_000, 7)])
        #expect(r.duplicatesIgnored == 1 && r.duplicate == 0)
        #expect(try dump(db, [.equal("name", "gone")]).values.first?.count == 100)
    }
}

@Suite struct MaintenanceTests {
    @Test func backgroundCheckpointBoundsTheLog() async throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) { $0.checkpointLogBytes = 200_000 }
        var refs: [SeriesRef] = []
        for s in 0..<100 { refs.append(try db.seriesRef(for: ls(["__name__": "m", "s": String(s)]))) }
        for i in 0..<400 {
            var b = AppendBatch()
            for ref in refs { b.add(ref, Int64(i) * 1000, Double(i)) }
            try db.append(b)
        }
        // ~400 KB of log were written; the loop must have checkpointed without being asked.
        for _ in 0..<100 where db.stats.checkpoints == 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(db.stats.checkpoints >= 1)
        #expect(db.stats.logBytesSinceCheckpoint < 400_000)
        #expect(try dump(db, [.equal("__name__", "m")]).values.allSatisfy { $0.count == 400 })
        try db.close()
    }
}

@Suite struct DamagedHeadBlockTests {
    @Test func aDamagedHeadBlockIsReportedAndTheRestOpens() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        do {
            let db = try openDB(dir)
            // Refs 1...1500 span two head blocks (1024 refs each).
            var refs: [SeriesRef] = []
            for s in 0..<1500 { refs.append(try db.seriesRef(for: ls(["__name__": "hb", "s": String(s)]))) }
            for i in 0..<10 {
                var b = AppendBatch()
                for ref in refs { b.add(ref, Int64(i) * 1000, Double(i)) }
                try db.append(b)
            }
            try db.checkpoint()
        }
        do {
            let conn = try Connection(path: dir.path + "/vigil.db")
            #expect(try conn.scalarInt("SELECT count(*) FROM head_blocks") == 2)
            try conn.run("UPDATE head_blocks SET data = x'00112233445566778899' WHERE block = 1")
        }
        let db = try openDB(dir)
        #expect(db.activeSeries == 1500)
        let data = try dump(db, [.equal("__name__", "hb")])
        // Series of the intact block keep all ten samples; the damaged block's lost their head chunk.
        #expect(data.filter { $0.value.count == 10 }.count == 1023)
        let r = try db.append([(ls(["__name__": "hb", "s": "1400"]), 20_000, 1)])
        #expect(r.appended == 1)
    }
}

@Suite struct AccessModeTests {
    @Test func oneWriterPerDirectoryAndReadersAlongside() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try openDB(dir)
        try writer.append([(ls(["__name__": "rw"]), 1000, 1)])
        #expect(throws: TSDBError.locked(dir.path)) { try openDB(dir) }
        // A read-only opening sees what the writer acknowledged, and cannot write.
        let reader = try openDB(dir) { $0.readOnly = true }
        #expect(try dump(reader, [.equal("__name__", "rw")]).values.first?.count == 1)
        #expect(throws: TSDBError.readOnly) { try reader.append([(ls(["__name__": "rw"]), 2000, 2)]) }
        #expect(throws: TSDBError.readOnly) { try reader.checkpoint() }
        try reader.close()
        try writer.close()
    }

    @Test func readOnlyNeedsAnExistingDatabase() {
        #expect(throws: TSDBError.self) {
            try openDB(TempDir()) { $0.readOnly = true }
        }
    }
}

@Suite struct RecentChunkTests {
    @Test func recentPersistedChunksStayInMemoryWithoutDuplicates() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        let ref = try db.seriesRef(for: ls(["__name__": "recent"]))
        // 1s samples: a chunk closes every 120 samples (2 minutes).
        for i in 0..<3600 {
            var b = AppendBatch()
            b.add(ref, Int64(i) * 1000, Double(i))
            try db.append(b)
        }
        try db.checkpoint()
        let (kept, persisted, oldest) = db.head.withSeries(ref) { s in (s!.closed.count, s!.persistedChunks, s!.memoryFrom) }
        // The last 15 minutes of closed chunks stay (about 7), all of them already persisted.
        #expect(kept >= 6 && kept <= 9)
        #expect(persisted == kept)
        #expect(oldest > 3600 * 1000 - 20 * 60 * 1000)
        // Whole-range and recent-range reads see every sample exactly once.
        let all = try dump(db, [.equal("__name__", "recent")])["recent"]!
        #expect(all.count == 3600)
        #expect(all.enumerated().allSatisfy { $0.element.t == Int64($0.offset) * 1000 })
        let recent = try dump(db, [.equal("__name__", "recent")], mint: 3300 * 1000, maxt: .max)["recent"]!
        #expect(recent.count == 300)
    }
}
