import CSQLite

/// An error reported by SQLite, carrying its result code and message (and the SQL that
/// failed, when there was one) so a caller can say what went wrong without a lookup table.
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The (extended) SQLite result code, e.g. `SQLITE_CONSTRAINT` = 19.
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { code & 0xff }

    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    public var isCorrupt: Bool { primaryCode == SQLITE_CORRUPT || primaryCode == SQLITE_NOTADB }

    public var description: String {
        if let sql { return "sqlite error \(code): \(message) (in \"\(sql)\")" }
        return "sqlite error \(code): \(message)"
    }
}
