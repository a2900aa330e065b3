/// Samples to append together: one scrape, one remote-write request, one rule evaluation.
///
/// Columns in contiguous arrays keep the append loop free of per-sample allocation. A batch
/// is durable as a whole once `TSDB.append` returns.
public struct AppendBatch: Sendable {
    public private(set) var refs: [SeriesRef] = []
    public private(set) var timestamps: [Int64] = []
    public private(set) var values: [Double] = []

    public init(capacity: Int = 0) {
        refs.reserveCapacity(capacity)
        timestamps.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    @inline(__always)
    public mutating func add(_ ref: SeriesRef, _ t: Int64, _ v: Double) {
        refs.append(ref)
        timestamps.append(t)
        values.append(v)
    }

    public var count: Int { refs.count }
    public var isEmpty: Bool { refs.isEmpty }

    public mutating func removeLast(_ k: Int) {
        refs.removeLast(k)
        timestamps.removeLast(k)
        values.removeLast(k)
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        refs.removeAll(keepingCapacity: keepingCapacity)
        timestamps.removeAll(keepingCapacity: keepingCapacity)
        values.removeAll(keepingCapacity: keepingCapacity)
    }
}

/// What became of an appended batch: how many samples were stored, how many rejected and why.
public struct AppendResult: Sendable, Equatable {
    public var appended = 0
    /// Same timestamp and same value as the newest sample: ignored, not an error (as Prometheus).
    public var duplicatesIgnored = 0
    public var outOfOrder = 0
    public var duplicate = 0
    public var outOfBounds = 0
    public var unknownSeries = 0

    public init() {}

    public var rejected: Int { outOfOrder + duplicate + outOfBounds + unknownSeries }

    public func count(_ reason: RejectReason) -> Int {
        switch reason {
        case .outOfOrder: return outOfOrder
        case .duplicate: return duplicate
        case .outOfBounds: return outOfBounds
        case .unknownSeries: return unknownSeries
        }
    }
}

/// Running totals since the database was opened, for `/metrics`.
public struct TSDBStats: Sendable {
    public var activeSeries = 0
    public var seriesCreated = 0
    public var seriesRemoved = 0
    public var seriesLimitRejections = 0
    public var samplesAppended = 0
    public var rejected: [RejectReason: Int] = [:]
    public var appendBatches = 0
    public var logBytesSinceCheckpoint = 0
    public var checkpoints = 0
    public var compactions = 0
    public var retentionRuns = 0
    public var recoveredSamples = 0
    public var truncatedRecords = 0
    public var headMinTime: Int64 = .max
    public var headMaxTime: Int64 = .min
    public var databaseBytes: Int64 = 0
    public var sqliteWALBytes: Int64 = 0
}
