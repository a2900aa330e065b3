/// How a database is opened and kept. Defaults are Prometheus's where it has one.
public struct TSDBOptions: Sendable {
    /// How far an acknowledged append survives.
    public enum Durability: String, Sendable, CaseIterable {
        /// Survives the process being killed (`kill -9`): the batch is in the OS before `append` returns.
        case process = "normal"
        /// Also survives power loss: SQLite fsyncs every acknowledged batch.
        case full = "full"
    }

    /// Samples older than the newest sample minus this are dropped (ms; default 15 days).
    public var retentionMilliseconds: Int64 = 15 * 24 * 3600 * 1000
    /// Optional cap on the on-disk size; oldest data is dropped past it (bytes).
    public var retentionBytes: Int64? = nil
    /// Optional cap on active series; past it new series are rejected.
    public var maxSeries: Int? = nil
    public var durability: Durability = .process
    /// A head chunk is closed after this many samples...
    public var samplesPerChunk: Int = 120
    /// ...or when its samples would span a boundary of this (aligned) range (ms).
    public var chunkRangeMilliseconds: Int64 = 2 * 3600 * 1000
    /// Closed chunks stay in memory after they are persisted while they end within this much
    /// of the newest sample (ms), so rate windows and instant queries read no SQLite.
    public var recentChunksMilliseconds: Int64 = 15 * 60 * 1000
    /// Persisted chunks older than the head by this much are merged per window (ms).
    public var compactionWindowMilliseconds: Int64 = 6 * 3600 * 1000
    /// Run checkpoints, retention and compaction on a background thread. Off, the owner calls
    /// `checkpoint()`, `applyRetention()` and `compact()` itself.
    public var backgroundMaintenance = true
    /// Open for reading only (`vigil query` next to a running server): no lock, no writes,
    /// no maintenance; a damaged log tail is skipped in memory, not cut. Appends fail.
    public var readOnly = false
    /// A checkpoint runs when the append log exceeds this many bytes (bounding both the log's
    /// disk use and the replay time after a crash)...
    public var checkpointLogBytes: Int = 64 << 20
    /// ...or this long after the last one (seconds).
    public var checkpointIntervalSeconds: Double = 300
    /// Retention and compaction run this often (seconds).
    public var retentionIntervalSeconds: Double = 900
    /// While a log consumer (a remote-write sender) has not read them, append-log records are
    /// kept until their newest sample is this much older than the newest in the head (ms;
    /// default 6 h, so a remote store can be down that long without losing data)...
    public var logRetentionMilliseconds: Int64 = 6 * 3600 * 1000
    /// ...and while the log stays under this size (bytes; nil: no size limit).
    public var logRetentionBytes: Int64? = nil
    /// Read-only SQLite connections kept for queries.
    public var readerConnections: Int = 4

    public init() {}
}

/// Errors of the storage engine's public API.
public enum TSDBError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidLabels(LabelError)
    case seriesLimit(Int)
    case unknownSeries(SeriesRef)
    case storage(String)
    case closed
    case readOnly
    case locked(String)

    public var description: String {
        switch self {
        case .invalidLabels(let e): return "invalid series labels: \(e)"
        case .seriesLimit(let n):
            return "series limit of \(n) active series reached (--storage.tsdb.max-series): new series rejected"
        case .unknownSeries(let r): return "unknown series ref \(r)"
        case .storage(let m): return "storage: \(m)"
        case .closed: return "database is closed"
        case .readOnly: return "database is open read-only"
        case .locked(let dir):
            return "\(dir) is in use by another vigil process (its lock file is held); open it read-only or stop the other process"
        }
    }
}

/// Why a sample was not appended, one counter each.
public enum RejectReason: String, Sendable, CaseIterable {
    /// Older than the series' newest sample.
    case outOfOrder = "out_of_order"
    /// Same timestamp as the newest sample, different value.
    case duplicate = "duplicate_sample_for_timestamp"
    /// Older than the retention window.
    case outOfBounds = "out_of_bounds"
    /// The batch named a series that does not exist (or was removed).
    case unknownSeries = "unknown_series"
}
