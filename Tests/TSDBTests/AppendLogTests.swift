import Foundation
import Testing
@testable import TSDB

/// The append log as a durable stream for consumers (remote-write senders).
@Suite struct AppendLogTests {
    /// `rounds` batches over `series` series, sample value = round * 1000 + series.
    func write(_ db: TSDB, series: Int, rounds: Range<Int>, step: Int64 = 1000) throws {
        var refs: [SeriesRef] = []
        for s in 0..<series { refs.append(try db.seriesRef(for: ls(["__name__": "m", "s": String(s)]))) }
        for r in rounds {
            var b = AppendBatch()
            for (s, ref) in refs.enumerated() { b.add(ref, Int64(r) * step, Double(r * 1000 + s)) }
            try db.append(b)
        }
    }

    func readAll(_ db: TSDB, after: Int64) throws -> (AppendBatch, LogReadResult) {
        var batch = AppendBatch()
        let r = try db.readLog(after: after, maxSamples: .max, into: &batch)
        return (batch, r)
    }

    @Test func consumerReadsEveryBatchInOrderAndHoldsRowsBackFromCheckpoints() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) { $0.backgroundMaintenance = false }
        try write(db, series: 3, rounds: 0..<2)  // before the consumer exists: not for it
        let c = try db.openLogConsumer(name: "rw")
        #expect(c.position == db.lastLogID)
        try write(db, series: 3, rounds: 2..<12)
        let (batch, r) = try readAll(db, after: c.position)
        #expect(r.records == 10 && r.damagedRecords == 0 && r.skippedRecords == 0)
        #expect(batch.count == 30)
        #expect(batch.timestamps.first == 2000 && batch.timestamps.last == 11_000)
        #expect(batch.values[4] == 3001)
        // Unread rows survive a checkpoint; read and committed ones go at the next.
        try db.checkpoint()
        #expect(try readAll(db, after: c.position).1.records == 10)
        let mid = c.position + 5
        try db.commitLogPosition(name: "rw", position: mid)
        try db.checkpoint()
        let rest = try readAll(db, after: mid)
        #expect(rest.1.records == 5 && rest.1.skippedRecords == 0)
        #expect(try db.scalarLogRows() == 5)
        try db.commitLogPosition(name: "rw", position: rest.1.lastID)
        try db.checkpoint()
        #expect(try db.scalarLogRows() == 0)
    }

    @Test func positionsAndRetainedRowsSurviveARestartWithoutBeingReplayed() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var position: Int64 = 0
        do {
            let db = try openDB(dir) { $0.backgroundMaintenance = false }
            position = try db.openLogConsumer(name: "rw").position
            try write(db, series: 4, rounds: 0..<20)
            try db.checkpoint()  // rows covered, kept for the consumer
            try write(db, series: 4, rounds: 20..<25)  // not checkpointed: replayed at reopen
            try db.commitLogPosition(name: "rw", position: position + 3)
            // No close: as after kill -9.
        }
        let db = try openDB(dir) { $0.backgroundMaintenance = false }
        #expect(db.stats.recoveredSamples == 4 * 5)
        let c = try #require(try db.logConsumer(name: "rw"))
        #expect(c.position == position + 3)
        let (batch, r) = try readAll(db, after: c.position)
        #expect(r.records == 22)
        #expect(batch.timestamps.first == 3000 && batch.timestamps.last == 24_000)
        // New records continue the ids.
        try write(db, series: 4, rounds: 25..<26)
        #expect(db.lastLogID == r.lastID + 1)
        #expect(try readAll(db, after: r.lastID).0.timestamps == [25_000, 25_000, 25_000, 25_000])
    }

    @Test func idsAreNeverReusedAfterTheLogIsEmptied() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var last: Int64 = 0
        do {
            let db = try openDB(dir) { $0.backgroundMaintenance = false }
            try write(db, series: 1, rounds: 0..<5)
            try db.checkpoint()
            #expect(try db.scalarLogRows() == 0)
            last = db.lastLogID
            #expect(last >= 5)
            try db.close()
        }
        let db = try openDB(dir) { $0.backgroundMaintenance = false }
        #expect(db.lastLogID == last)
        try write(db, series: 1, rounds: 5..<6)
        #expect(db.lastLogID == last + 1)
    }

    @Test func retentionByTimeDropsUnreadRowsAndCountsTheirSamples() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) {
            $0.backgroundMaintenance = false
            $0.logRetentionMilliseconds = 10_000
        }
        let c = try db.openLogConsumer(name: "slow")
        _ = try db.openLogConsumer(name: "fast")
        try write(db, series: 2, rounds: 0..<30)  // t = 0 ... 29 s
        try db.commitLogPosition(name: "fast", position: db.lastLogID)
        try db.checkpoint()
        // Newest is 29 s: records whose newest sample is before 19 s (rounds 0..18) are dropped.
        let slow = try #require(try db.logConsumer(name: "slow"))
        #expect(slow.droppedSamples == 19 * 2)
        #expect(slow.position == c.position + 19)
        #expect(try db.logConsumer(name: "fast")?.droppedSamples == 0)
        let (batch, r) = try readAll(db, after: c.position)
        #expect(r.skippedRecords == 19)
        #expect(batch.timestamps.first == 19_000)
    }

    @Test func retentionBySizeKeepsTheNewestRows() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) {
            $0.backgroundMaintenance = false
            $0.logRetentionBytes = 2_000
        }
        let c = try db.openLogConsumer(name: "rw")
        try write(db, series: 10, rounds: 0..<50)
        try db.checkpoint()
        let state = try #require(try db.logConsumer(name: "rw"))
        #expect(state.droppedSamples > 0)
        let (batch, r) = try readAll(db, after: state.position)
        #expect(batch.count + Int(state.droppedSamples) == 500)
        #expect(r.lastID == c.position + 50)
        #expect(try db.logBytesStored() <= 2_000)
    }

    @Test func removingTheConsumerReleasesItsRows() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir) { $0.backgroundMaintenance = false }
        _ = try db.openLogConsumer(name: "gone")
        try write(db, series: 2, rounds: 0..<10)
        try db.checkpoint()
        #expect(try db.scalarLogRows() == 10)
        try db.removeLogConsumer(name: "gone")
        try db.checkpoint()
        #expect(try db.scalarLogRows() == 0)
        #expect(try db.logConsumers().isEmpty)
    }
}

extension TSDB {
    func scalarLogRows() throws -> Int64 {
        try commitLock.withLock { try storage.writer.scalarInt("SELECT count(*) FROM wal") ?? 0 }
    }

    func logBytesStored() throws -> Int64 {
        try commitLock.withLock { try storage.writer.scalarInt("SELECT coalesce(sum(length(data)), 0) FROM wal") ?? 0 }
    }
}
