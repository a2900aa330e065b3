import SQLite

/// The SQLite file behind a database: its schema, the writer connection and a pool of
/// read-only connections for queries.
///
/// The writer is not locked here: `TSDB` serializes every use of it behind its commit lock,
/// because a batch's head update and its durable row must be ordered together.
final class Storage: @unchecked Sendable {
    static let fileName = "vigil.db"
    static let schemaVersion: Int64 = 1

    let path: String
    let writer: Connection
    private let poolLock = Lock()
    private var idleReaders: [Connection] = []
    private let maxIdleReaders: Int

    /// Held for the life of a writable database: one writer per directory.
    private var lockFD: Int32 = -1

    init(directory: String, durability: TSDBOptions.Durability, readers: Int, readOnly: Bool = false) throws {
        path = directory + "/" + Storage.fileName
        maxIdleReaders = max(1, readers)
        if readOnly {
            guard FileSystem.exists(path) else { throw TSDBError.storage("no database at \(path)") }
            writer = try Connection(path: path, mode: .readOnly)
            let v = try writer.scalarInt("SELECT value FROM meta WHERE key='schema_version'")
            guard v == Storage.schemaVersion else {
                throw TSDBError.storage("\(path) has schema version \(v.map(String.init) ?? "none"); this vigil reads version \(Storage.schemaVersion)")
            }
            return
        }
        lockFD = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw TSDBError.storage("cannot create \(directory)/lock: \(String(cString: strerror(errno)))") }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            close(lockFD)
            lockFD = -1
            throw TSDBError.locked(directory)
        }
        writer = try Connection(path: path)
        // Page size and auto_vacuum must be chosen before the first table exists. 16 KiB pages
        // keep compacted blocks (a few KiB) inside their b-tree cells instead of spilling into
        // overflow pages, and waste less per page.
        try writer.execute("PRAGMA page_size=16384")
        try writer.execute("PRAGMA auto_vacuum=INCREMENTAL")
        let mode = try writer.setJournalMode(.wal)
        guard mode.lowercased() == "wal" else { throw TSDBError.storage("cannot enable WAL journal mode (got \(mode))") }
        try writer.setSynchronous(durability == .full ? .full : .normal)
        try writer.execute("""
            PRAGMA wal_autocheckpoint=2048;
            PRAGMA journal_size_limit=67108864;
            PRAGMA cache_size=-65536;
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS symbols(id INTEGER PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, labels BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS wal(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS head_blocks(block INTEGER PRIMARY KEY, data BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS chunks(series_id INTEGER NOT NULL, mint INTEGER NOT NULL,
                maxt INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(series_id, mint)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS chunks_by_maxt ON chunks(maxt);
            CREATE TABLE IF NOT EXISTS metadata(metric TEXT PRIMARY KEY, type TEXT NOT NULL,
                help TEXT NOT NULL, unit TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS component_state(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS log_consumers(name TEXT PRIMARY KEY, position INTEGER NOT NULL,
                dropped INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            """)
        // The append log's rows carry their newest sample time (for the log's retention when
        // consumers keep it); databases made before that get the column added.
        var hasMaxTime = false
        try writer.query("PRAGMA table_info(wal)") { row in if row.text(1) == "maxt" { hasMaxTime = true } }
        if !hasMaxTime { try writer.execute("ALTER TABLE wal ADD COLUMN maxt INTEGER") }
        if let v = try writer.scalarInt("SELECT value FROM meta WHERE key='schema_version'") {
            guard v == Storage.schemaVersion else {
                throw TSDBError.storage("\(path) has schema version \(v); this vigil reads version \(Storage.schemaVersion)")
            }
        } else {
            try writer.run("INSERT INTO meta(key, value) VALUES('schema_version', ?1)", .int(Storage.schemaVersion))
        }
    }

    /// Runs `body` with a read-only connection from the pool, inside one read transaction so
    /// everything it reads comes from one consistent snapshot.
    func withReader<T>(_ body: (Connection) throws -> T) throws -> T {
        let conn = try poolLock.withLock { idleReaders.popLast() } ?? Connection(path: path, mode: .readOnly)
        defer {
            poolLock.withLock {
                if idleReaders.count < maxIdleReaders { idleReaders.append(conn) }
            }
        }
        try conn.execute("BEGIN")
        defer { try? conn.execute("COMMIT") }
        return try body(conn)
    }

    /// Bytes of the database file plus SQLite's own write-ahead log.
    var fileSizes: (database: Int64, wal: Int64) {
        (Storage.size(of: path), Storage.size(of: path + "-wal"))
    }

    static func size(of path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    func closeReaders() {
        poolLock.withLock { idleReaders.removeAll() }
    }

    /// Releases the directory lock (at close; the connection is not used for writing after).
    func releaseLock() {
        if lockFD >= 0 {
            close(lockFD)
            lockFD = -1
        }
    }

    deinit { releaseLock() }
}

#if canImport(Glibc)
import Glibc
#endif
