import Foundation
import Testing
@testable import SQLite

private func tempDB() throws -> (Connection, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("t.db").path
    return (try Connection(path: path), path)
}

@Suite struct SQLiteTests {
    @Test func walModeIsEnabled() throws {
        let (db, _) = try tempDB()
        #expect(try db.setJournalMode(.wal).lowercased() == "wal")
        #expect(try db.scalarText("PRAGMA journal_mode") == "wal")
    }

    @Test func typedValuesRoundTrip() throws {
        let (db, _) = try tempDB()
        try db.execute("CREATE TABLE t(i INTEGER, d REAL, s TEXT, b BLOB)")
        let ints: [Int64] = [0, 1, -1, .max, .min]
        // (-0.0 is not here: SQLite stores integral REALs as integers, so it comes back as 0.
        // The TSDB keeps sample values in blobs, where every bit pattern survives.)
        let doubles: [Double] = [0, 1.5, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let texts = ["", "héllo", "日本語", "a\u{0}b", "😀"]
        let blobs: [[UInt8]] = [[], [0], [0xff, 0, 1], Array(repeating: 7, count: 100_000)]
        for i in 0..<5 {
            try db.run("INSERT INTO t VALUES(?1, ?2, ?3, ?4)", .int(ints[i]), .double(doubles[i]), .text(texts[i]), .blob(blobs[i % blobs.count]))
        }
        var row = 0
        try db.query("SELECT i, d, s, b FROM t ORDER BY rowid") { st in
            #expect(st.int64(0) == ints[row])
            #expect(st.double(1).bitPattern == doubles[row].bitPattern)
            #expect(st.text(2).utf8.elementsEqual(texts[row].utf8))
            #expect(st.blob(3) == blobs[row % blobs.count])
            #expect(!st.isNull(3), "an empty blob is a blob, not NULL")
            row += 1
        }
        #expect(row == 5)
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        struct Boom: Error {}
        let (db, _) = try tempDB()
        try db.execute("CREATE TABLE t(x INTEGER)")
        try db.transaction { try db.run("INSERT INTO t VALUES(1)") }
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES(2)")
                throw Boom()
            }
        }
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 1)
        #expect(!db.isInTransaction)
    }

    @Test func errorsCarrySQLiteMessageAndSQL() throws {
        let (db, _) = try tempDB()
        do {
            try db.run("INSERT INTO missing VALUES(1)")
            Issue.record("expected an error")
        } catch let e as SQLiteError {
            #expect(e.message.contains("no such table: missing"))
            #expect(e.sql == "INSERT INTO missing VALUES(1)")
            #expect(e.description.contains("no such table"))
        }
        try db.execute("CREATE TABLE u(x INTEGER PRIMARY KEY)")
        try db.run("INSERT INTO u VALUES(1)")
        #expect(throws: SQLiteError.self) { try db.run("INSERT INTO u VALUES(1)") }
        // The statement is reusable after a failed step.
        try db.run("INSERT INTO u VALUES(2)")
        #expect(try db.scalarInt("SELECT count(*) FROM u") == 2)
    }

    @Test func preparedStatementsAreCachedAndReset() throws {
        let (db, _) = try tempDB()
        try db.execute("CREATE TABLE t(x INTEGER)")
        let a = try db.prepare("INSERT INTO t VALUES(?1)")
        let b = try db.prepare("INSERT INTO t VALUES(?1)")
        #expect(a === b)
        for i in 0..<100 {
            let s = try db.prepare("INSERT INTO t VALUES(?1)")
            try s.bind(Int64(i), at: 1)
            try s.step()
        }
        #expect(try db.scalarInt("SELECT sum(x) FROM t") == 4950)
    }

    @Test func readersSeeCommittedDataWhileAWriterIsOpen() throws {
        let (w, path) = try tempDB()
        try w.setJournalMode(.wal)
        try w.execute("CREATE TABLE t(x INTEGER)")
        try w.run("INSERT INTO t VALUES(1)")
        let r = try Connection(path: path, mode: .readOnly)
        try w.execute("BEGIN IMMEDIATE")
        try w.run("INSERT INTO t VALUES(2)")
        #expect(try r.scalarInt("SELECT count(*) FROM t") == 1, "uncommitted rows are invisible")
        try w.execute("COMMIT")
        #expect(try r.scalarInt("SELECT count(*) FROM t") == 2)
        #expect(try w.integrityProblems().isEmpty)
    }

    @Test func openingAMissingReadOnlyFileFailsClearly() {
        #expect(throws: SQLiteError.self) { try Connection(path: "/nonexistent/dir/x.db", mode: .readOnly) }
    }
}
