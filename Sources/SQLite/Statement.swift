import CSQLite

/// A prepared statement. Parameters are 1-based (`?1`), columns 0-based, as in SQLite.
public final class Statement {
    @usableFromInline let handle: OpaquePointer
    public let sql: String
    private unowned let connection: Connection

    init(connection: Connection, sql: String) throws {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw connection.lastError(rc, sql: sql) }
        self.handle = stmt
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement for another run and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Steps once: true when a row is available, false when the statement is done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.lastError(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    // MARK: Binding

    public func bind(_ values: [SQLiteValue]) throws {
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        switch value {
        case .int(let v): try bind(v, at: index)
        case .double(let v): try bind(v, at: index)
        case .text(let v): try bind(v, at: index)
        case .blob(let v): try bind(v, at: index)
        case .null: try check(sqlite3_bind_null(handle, index))
        }
    }

    @inlinable
    public func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    @inlinable
    public func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds text by its UTF-8 bytes and length, so embedded NULs survive.
    public func bind(_ value: String, at index: Int32) throws {
        var value = value
        let rc = value.withUTF8 { p -> Int32 in
            // An empty string still needs a non-nil pointer, or SQLite stores NULL.
            guard let base = p.baseAddress, p.count > 0 else {
                return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: p.count) {
                sqlite3_bind_text64(handle, index, $0, sqlite3_uint64(p.count), csqlite_transient(), UInt8(SQLITE_UTF8))
            }
        }
        try check(rc)
    }

    public func bind(_ value: [UInt8], at index: Int32) throws {
        try value.withUnsafeBytes { try bind(blob: $0, at: index) }
    }

    /// Binds a blob, copied by SQLite, so the buffer need not outlive the call.
    public func bind(blob: UnsafeRawBufferPointer, at index: Int32) throws {
        // A zero-length blob must still be a blob, not NULL: pass a non-nil pointer.
        if blob.count == 0 {
            try check(sqlite3_bind_zeroblob(handle, index, 0))
            return
        }
        try check(sqlite3_bind_blob64(handle, index, blob.baseAddress, sqlite3_uint64(blob.count), csqlite_transient()))
    }

    @usableFromInline
    func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw connection.lastError(rc, sql: sql) }
    }

    // MARK: Columns

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    @inlinable
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    @inlinable
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    public func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func blob(_ column: Int32) -> [UInt8] {
        withBlob(column) { Array($0) }
    }

    /// Calls `body` with the column's bytes, valid only during the call (no copy).
    public func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let p = sqlite3_column_blob(handle, column)
        let n = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : n))
    }

    public func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .int(int64(column))
        case SQLITE_FLOAT: return .double(double(column))
        case SQLITE_TEXT: return .text(text(column))
        case SQLITE_BLOB: return .blob(blob(column))
        default: return .null
        }
    }
}
