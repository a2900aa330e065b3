import SQLite

extension TSDB {
    /// Stores a small blob for another component (the rule engine's alert states), in the same
    /// database file, so one directory holds everything a restart needs. nil deletes the key.
    public func setComponentState(_ value: [UInt8]?, forKey key: String) throws {
        guard !options.readOnly else { throw TSDBError.readOnly }
        try commitLock.withLock {
            if let value {
                try storage.writer.run("INSERT OR REPLACE INTO component_state(key, value) VALUES(?1, ?2)",
                                       .text(key), .blob(value))
            } else {
                try storage.writer.run("DELETE FROM component_state WHERE key = ?1", .text(key))
            }
        }
    }

    /// The blob stored under `key`, or nil.
    public func componentState(forKey key: String) throws -> [UInt8]? {
        try storage.withReader { conn in
            let stmt = try conn.prepare("SELECT value FROM component_state WHERE key = ?1")
            defer { stmt.reset() }
            try stmt.bind([.text(key)])
            return try stmt.step() ? stmt.blob(0) : nil
        }
    }
}
