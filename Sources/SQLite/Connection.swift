import CSQLite

/// One SQLite connection with a cache of prepared statements.
///
/// A connection is not safe for concurrent use: its owner serializes access (TSDB keeps
/// the writer behind a mutex and gives each reader its own connection). SQLite itself is
/// opened in multi-thread mode, so distinct connections may be used from distinct threads.
public final class Connection {
    public enum Mode: Sendable { case readWrite, readOnly }

    @usableFromInline let handle: OpaquePointer
    public let path: String
    private var cache: [String: Statement] = [:]

    /// Opens (creating when `mode` is `.readWrite`) the database at `path`.
    public init(path: String, mode: Mode = .readWrite, busyTimeoutMilliseconds: Int32 = 10_000) throws {
        var db: OpaquePointer?
        let flags: Int32 = (mode == .readWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY)
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open database"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "\(message): \(path)")
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit {
        cache.removeAll()  // finalize statements before closing
        sqlite3_close_v2(handle)
    }

    // MARK: Executing

    /// Runs one or more SQL statements that return no rows of interest.
    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(err)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    /// A prepared statement for `sql`, cached on this connection and reset for reuse.
    public func prepare(_ sql: String) throws -> Statement {
        if let stmt = cache[sql] {
            stmt.reset()
            return stmt
        }
        let stmt = try Statement(connection: self, sql: sql)
        cache[sql] = stmt
        return stmt
    }

    /// Prepares (cached), binds `values` to `?1...`, and steps to completion.
    public func run(_ sql: String, _ values: SQLiteValue...) throws {
        let stmt = try prepare(sql)
        defer { stmt.reset() }
        try stmt.bind(values)
        while try stmt.step() {}
    }

    /// Prepares (cached), binds `values`, and calls `row` for every result row.
    public func query(_ sql: String, _ values: SQLiteValue..., row: (Statement) throws -> Void) throws {
        let stmt = try prepare(sql)
        defer { stmt.reset() }
        try stmt.bind(values)
        while try stmt.step() { try row(stmt) }
    }

    /// The first column of the first row, as Int64 (nil when there is no row or it is NULL).
    public func scalarInt(_ sql: String, _ values: SQLiteValue...) throws -> Int64? {
        let stmt = try prepare(sql)
        defer { stmt.reset() }
        try stmt.bind(values)
        guard try stmt.step(), !stmt.isNull(0) else { return nil }
        return stmt.int64(0)
    }

    /// The first column of the first row, as text.
    public func scalarText(_ sql: String, _ values: SQLiteValue...) throws -> String? {
        let stmt = try prepare(sql)
        defer { stmt.reset() }
        try stmt.bind(values)
        guard try stmt.step(), !stmt.isNull(0) else { return nil }
        return stmt.text(0)
    }

    // MARK: Transactions

    public enum TransactionKind: String, Sendable { case deferred = "DEFERRED", immediate = "IMMEDIATE", exclusive = "EXCLUSIVE" }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try execute("BEGIN \(kind.rawValue)")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: Properties and pragmas

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    public enum JournalMode: String, Sendable { case wal = "WAL", delete = "DELETE", memory = "MEMORY" }
    public enum Synchronous: String, Sendable { case off = "OFF", normal = "NORMAL", full = "FULL" }

    /// Sets the journal mode and returns the mode SQLite reports afterwards.
    @discardableResult
    public func setJournalMode(_ mode: JournalMode) throws -> String {
        try scalarText("PRAGMA journal_mode=\(mode.rawValue)") ?? ""
    }

    public func setSynchronous(_ level: Synchronous) throws {
        try execute("PRAGMA synchronous=\(level.rawValue)")
    }

    /// `PRAGMA integrity_check`: an empty array when the database is intact.
    public func integrityProblems() throws -> [String] {
        var rows: [String] = []
        try query("PRAGMA integrity_check") { rows.append($0.text(0)) }
        return rows == ["ok"] ? [] : rows
    }

    /// Checkpoints SQLite's write-ahead log into the database file (TRUNCATE mode shrinks it).
    public func walCheckpoint(truncate: Bool = true) throws {
        var logFrames: Int32 = 0, checkpointed: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                                           &logFrames, &checkpointed)
        if rc != SQLITE_OK && rc != SQLITE_BUSY { throw lastError(rc) }
    }

    func lastError(_ rc: Int32, sql: String? = nil) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
