import Foundation
import Logging
import SQLite

/// Everything the notifier must not lose across a restart, in one SQLite file: silences,
/// the notification log, the active alerts and the notification history.
///
/// One connection behind a lock: the dispatcher, the API and the receivers all write here,
/// and each write is its own transaction, durable (WAL, synchronous=FULL) before the call
/// returns — a notification is logged as sent only once the log row is on disk.
public final class NotifyStore: @unchecked Sendable {
    let db: Connection
    let lock = NSLock()
    public let path: String

    /// Opens (or creates) the store. A file SQLite cannot use (not a database, failing its
    /// integrity check) is moved aside as `<path>.corrupt-<unix time>` with a log line and a
    /// fresh store is started: losing silences is better than a notifier that never starts.
    public init(path: String) throws {
        self.path = path
        do {
            db = try NotifyStore.open(path)
        } catch let error where NotifyStore.isDamage(error) {
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))"
            Logger(label: "vigil.notify").error(
                "notification state unusable, moved aside and starting empty",
                metadata: ["path": "\(path)", "moved_to": "\(aside)", "err": "\(error)"])
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            db = try NotifyStore.open(path)
        }
    }

    static func open(_ path: String) throws -> Connection {
        let db = try Connection(path: path)
        _ = try db.setJournalMode(.wal)
        try db.setSynchronous(.full)
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS silences (
                id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_at REAL NOT NULL, ends_at REAL NOT NULL,
                updated_at REAL NOT NULL, created_by TEXT NOT NULL, comment TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS nflog (
                receiver TEXT NOT NULL, group_key TEXT NOT NULL, timestamp REAL NOT NULL,
                firing TEXT NOT NULL, resolved TEXT NOT NULL, expires_at REAL NOT NULL,
                PRIMARY KEY (receiver, group_key));
            CREATE TABLE IF NOT EXISTS alerts (fingerprint TEXT PRIMARY KEY, body TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS history (
                id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, receiver TEXT NOT NULL,
                integration TEXT NOT NULL, group_key TEXT NOT NULL, status TEXT NOT NULL,
                num_firing INTEGER NOT NULL, num_resolved INTEGER NOT NULL, outcome TEXT NOT NULL,
                attempts INTEGER NOT NULL, error TEXT NOT NULL, body TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS history_receiver ON history (receiver, at);
            """)
        // quick_check: the structural checks, linear in the file, without the index cross-checks.
        var problems: [String] = []
        try db.query("PRAGMA quick_check") { problems.append($0.text(0)) }
        if problems != ["ok"] { throw StoreError(description: "integrity check failed: \(problems.prefix(3).joined(separator: "; "))") }
        return db
    }

    struct StoreError: Error, CustomStringConvertible {
        var description: String
    }

    /// Only a damaged file is moved aside; a locked or unreadable one is an error as it is.
    static func isDamage(_ error: Error) -> Bool {
        if error is StoreError { return true }
        if let e = error as? SQLiteError { return [11, 26].contains(e.code & 0xff) }  // SQLITE_CORRUPT, SQLITE_NOTADB
        return false
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: Silences

    public func saveSilence(_ s: Silence) throws {
        let matchers = s.matchers.map { ["name": $0.name, "type": $0.type.description, "value": $0.value] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: matchers, options: [.sortedKeys]), as: UTF8.self)
        try locked {
            try db.run(
                "INSERT OR REPLACE INTO silences VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", .text(s.id), .text(json),
                .double(s.startsAt.timeIntervalSince1970), .double(s.endsAt.timeIntervalSince1970),
                .double(s.updatedAt.timeIntervalSince1970), .text(s.createdBy), .text(s.comment))
        }
    }

    public func loadSilences() throws -> [Silence] {
        var rows: [(String, String, Double, Double, Double, String, String)] = []
        try locked {
            try db.query("SELECT id, matchers, starts_at, ends_at, updated_at, created_by, comment FROM silences") { st in
                rows.append((st.text(0), st.text(1), st.double(2), st.double(3), st.double(4), st.text(5), st.text(6)))
            }
        }
        return try rows.map { r in
            let list = try JSONSerialization.jsonObject(with: Data(r.1.utf8)) as? [[String: String]] ?? []
            let ms = try list.map { m -> Matcher in
                let type: Matcher.MatchType = ["=": .equal, "!=": .notEqual, "=~": .regexp, "!~": .notRegexp][m["type"] ?? "="] ?? .equal
                return try Matcher(type, m["name"] ?? "", m["value"] ?? "")
            }
            return Silence(
                id: r.0, matchers: ms, startsAt: Date(timeIntervalSince1970: r.2), endsAt: Date(timeIntervalSince1970: r.3),
                updatedAt: Date(timeIntervalSince1970: r.4), createdBy: r.5, comment: r.6)
        }
    }

    public func deleteSilences(endedBefore cutoff: Date) throws {
        try locked { try db.run("DELETE FROM silences WHERE ends_at < ?1", .double(cutoff.timeIntervalSince1970)) }
    }

    // MARK: Notification log

    public func logEntry(receiver: String, groupKey: String) throws -> NotificationLogEntry? {
        var entry: NotificationLogEntry?
        try locked {
            try db.query(
                "SELECT timestamp, firing, resolved, expires_at FROM nflog WHERE receiver = ?1 AND group_key = ?2",
                .text(receiver), .text(groupKey)
            ) { st in
                entry = NotificationLogEntry(
                    receiver: receiver, groupKey: groupKey, timestamp: Date(timeIntervalSince1970: st.double(0)),
                    firing: NotifyStore.fingerprints(st.text(1)), resolved: NotifyStore.fingerprints(st.text(2)),
                    expiresAt: Date(timeIntervalSince1970: st.double(3)))
            }
        }
        return entry
    }

    public func log(_ e: NotificationLogEntry) throws {
        try locked {
            try db.run(
                "INSERT OR REPLACE INTO nflog VALUES (?1, ?2, ?3, ?4, ?5, ?6)", .text(e.receiver), .text(e.groupKey),
                .double(e.timestamp.timeIntervalSince1970), .text(NotifyStore.text(e.firing)),
                .text(NotifyStore.text(e.resolved)), .double(e.expiresAt.timeIntervalSince1970))
        }
    }

    public func deleteLogEntries(expiredBefore now: Date) throws {
        try locked { try db.run("DELETE FROM nflog WHERE expires_at < ?1", .double(now.timeIntervalSince1970)) }
    }

    static func text(_ fps: Set<Fingerprint>) -> String { fps.sorted().map(\.description).joined(separator: ",") }
    static func fingerprints(_ s: String) -> Set<Fingerprint> {
        Set(s.split(separator: ",").compactMap { UInt64($0, radix: 16).map(Fingerprint.init(value:)) })
    }

    // MARK: Active alerts

    public func saveAlerts(_ alerts: [Alert]) throws {
        let encoder = JSONEncoder()
        let rows = try alerts.map { ($0.fingerprint.description, String(decoding: try encoder.encode($0), as: UTF8.self)) }
        try locked {
            try db.transaction {
                for (fp, body) in rows { try db.run("INSERT OR REPLACE INTO alerts VALUES (?1, ?2)", .text(fp), .text(body)) }
            }
        }
    }

    public func deleteAlerts(_ fingerprints: [Fingerprint]) throws {
        try locked {
            try db.transaction {
                for fp in fingerprints { try db.run("DELETE FROM alerts WHERE fingerprint = ?1", .text(fp.description)) }
            }
        }
    }

    public func loadAlerts() throws -> [Alert] {
        var bodies: [String] = []
        try locked { try db.query("SELECT body FROM alerts") { bodies.append($0.text(0)) } }
        let decoder = JSONDecoder()
        return try bodies.map { try decoder.decode(Alert.self, from: Data($0.utf8)) }
    }
}

/// One row of the notification log: what a receiver integration was last told about a group.
public struct NotificationLogEntry: Sendable, Equatable {
    /// `receiver/integration/index`, Alertmanager's receiver identity.
    public var receiver: String
    public var groupKey: String
    public var timestamp: Date
    public var firing: Set<Fingerprint>
    public var resolved: Set<Fingerprint>
    public var expiresAt: Date
}
