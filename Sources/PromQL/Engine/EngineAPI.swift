import TSDB

/// Limits and defaults of the query engine.
public struct EngineOptions: Sendable {
    /// How far back an instant vector selector looks for a sample (ms).
    public var lookbackDelta: Int64 = 300_000
    /// The most samples one query may hold in memory at once.
    public var maxSamples: Int = 50_000_000
    /// How long one query may run.
    public var timeout: Duration = .seconds(120)
    /// The step of subqueries written without one (`x[1h:]`): the global evaluation interval (ms).
    public var defaultSubqueryStep: Int64 = 60_000
    public init() {}
}

/// One series as storage hands it to the engine: labels and samples in time order.
/// Stale markers (NaN with bits 0x7ff0000000000002) are kept as they are stored.
public struct StoredSeries: Sendable {
    public var labels: Labels
    public var timestamps: [Int64]
    public var values: [Double]
    public init(labels: Labels, timestamps: [Int64], values: [Double]) {
        self.labels = labels
        self.timestamps = timestamps
        self.values = values
    }
}

extension StoredSeries {
    /// The samples in [mint, maxt] (inclusive), or nil when there are none: what every
    /// in-memory storage answers a select with.
    public func clipped(mint: Int64, maxt: Int64) -> StoredSeries? {
        let lo = Self.lowerBound(timestamps, mint)
        let hi = maxt == .max ? timestamps.count : Self.lowerBound(timestamps, maxt + 1)
        guard lo < hi else { return nil }
        if lo == 0 && hi == timestamps.count { return self }
        return StoredSeries(labels: labels, timestamps: Array(timestamps[lo..<hi]), values: Array(values[lo..<hi]))
    }

    /// The first index whose timestamp is >= t.
    static func lowerBound(_ ts: [Int64], _ t: Int64) -> Int {
        var lo = 0, hi = ts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ts[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// What the engine reads from: the TSDB, or an in-memory series set (rule unit tests).
public protocol QueryableStorage: Sendable {
    /// The series matching every matcher that have samples in [mint, maxt] (inclusive, ms),
    /// with exactly those samples.
    func select(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> [StoredSeries]

    /// Calls `body` with each series `select` returns, in the same order, without keeping
    /// them: the arrays are valid during the call only (a storage may reuse them), so a
    /// query that folds series one by one holds one series at a time.
    /// With `onlyLabels`, the labels passed may be limited to those so named (a storage may
    /// pass all of them; a caller must not depend on the others being absent).
    func forEachSeries(_ matchers: [Matcher], mint: Int64, maxt: Int64, onlyLabels: [String]?,
                       _ body: (Labels, [Int64], [Double]) throws(QueryError) -> Void) throws

    /// `select` for a reader of each series' last sample at or before `maxt` only (an instant
    /// vector selector at one time): a storage may leave out earlier samples, as long as that
    /// one is kept when it is in range, and the series without it are the same as `select`'s.
    func selectLatest(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> [StoredSeries]
}

extension QueryableStorage {
    public func selectLatest(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> [StoredSeries] {
        try select(matchers, mint: mint, maxt: maxt)
    }

    public func forEachSeries(_ matchers: [Matcher], mint: Int64, maxt: Int64, onlyLabels: [String]?,
                              _ body: (Labels, [Int64], [Double]) throws(QueryError) -> Void) throws {
        for s in try select(matchers, mint: mint, maxt: maxt) { try body(s.labels, s.timestamps, s.values) }
    }
}

public struct QueryPoint: Sendable, Equatable {
    public var t: Int64
    public var v: Double
    public init(t: Int64, v: Double) {
        self.t = t
        self.v = v
    }
}

public struct Sample: Sendable {
    public var labels: Labels
    public var t: Int64
    public var v: Double
    public init(labels: Labels, t: Int64, v: Double) {
        self.labels = labels
        self.t = t
        self.v = v
    }
}

public struct SeriesResult: Sendable {
    public var labels: Labels
    public var points: [QueryPoint]
    public init(labels: Labels, points: [QueryPoint]) {
        self.labels = labels
        self.points = points
    }
}

public enum QueryResult: Sendable {
    case scalar(t: Int64, v: Double)
    case string(t: Int64, s: String)
    case vector([Sample])
    case matrix([SeriesResult])
}

public struct QueryError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badData = "bad_data"
        case execution
        case timeout
        case canceled
        case tooManySamples = "too_many_samples"
        case `internal`
    }
    public let kind: Kind
    public let message: String
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
    /// The Prometheus API `errorType` ("bad_data", "execution", "timeout", ...).
    public var errorType: String {
        switch kind {
        case .badData: return "bad_data"
        case .execution, .tooManySamples: return "execution"
        case .timeout: return "timeout"
        case .canceled: return "canceled"
        case .internal: return "internal"
        }
    }
    public var description: String { message }

    static func exec(_ m: String) -> QueryError { QueryError(kind: .execution, message: m) }
}

/// The PromQL evaluator.
public final class Engine: Sendable {
    public let options: EngineOptions

    public init(options: EngineOptions = .init()) {
        self.options = options
    }

    /// Instant query at time t (ms).
    public func instantQuery(_ q: String, at t: Int64, storage: any QueryableStorage) throws(QueryError) -> QueryResult {
        let e: Expr
        do { e = try PromQL.parse(q) } catch { throw QueryError(kind: .badData, message: "\(error)") }
        return try instantQuery(e, at: t, storage: storage)
    }

    /// Instant query of a parsed expression at time t (ms).
    public func instantQuery(_ e: Expr, at t: Int64, storage: any QueryableStorage) throws(QueryError) -> QueryResult {
        var ev = Evaluator(options: options, storage: storage, start: t, end: t, step: 1)
        defer { MemoryRelease.afterQuery(samples: ev.samplesLoaded) }
        return try ev.runInstant(e)
    }

    /// Range query [start, end] by step (ms); the result is a matrix.
    public func rangeQuery(_ q: String, start: Int64, end: Int64, step: Int64, storage: any QueryableStorage) throws(QueryError) -> QueryResult {
        let e: Expr
        do { e = try PromQL.parse(q) } catch { throw QueryError(kind: .badData, message: "\(error)") }
        return try rangeQuery(e, start: start, end: end, step: step, storage: storage)
    }

    /// Range query of a parsed expression.
    public func rangeQuery(_ e: Expr, start: Int64, end: Int64, step: Int64, storage: any QueryableStorage) throws(QueryError) -> QueryResult {
        if let msg = PromQL.rangeQueryTypeError(e) { throw QueryError(kind: .badData, message: msg) }
        guard step > 0 else {
            throw QueryError(kind: .badData, message: "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard end >= start else { throw QueryError(kind: .badData, message: "end timestamp must not be before start time") }
        let span = Evaluator.clampTime(end) - Evaluator.clampTime(start)
        if span / step >= Int64(options.maxSamples) {
            throw QueryError(kind: .tooManySamples,
                             message: "query processing would load too many samples into memory in query execution")
        }
        var ev = Evaluator(options: options, storage: storage, start: start, end: end, step: step)
        defer { MemoryRelease.afterQuery(samples: ev.samplesLoaded) }
        return try ev.runRange(e)
    }
}

extension TSDB: QueryableStorage {
    public func select(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> [StoredSeries] {
        try select(matchers, mint: mint, maxt: maxt, latestOnly: false)
    }

    public func selectLatest(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> [StoredSeries] {
        try select(matchers, mint: mint, maxt: maxt, latestOnly: true)
    }

    private func select(_ matchers: [Matcher], mint: Int64, maxt: Int64, latestOnly: Bool) throws -> [StoredSeries] {
        var out: [StoredSeries] = []
        try querier(mint: mint, maxt: maxt).forEachSeries(matchers, onlyLabels: nil, latestOnly: latestOnly) { labels, ts, vs in
            // Exactly sized copies of the reused columns.
            out.append(StoredSeries(labels: labels, timestamps: ts.withUnsafeBufferPointer { Array($0) },
                                    values: vs.withUnsafeBufferPointer { Array($0) }))
        }
        return out
    }

    public func forEachSeries(_ matchers: [Matcher], mint: Int64, maxt: Int64, onlyLabels: [String]?,
                              _ body: (Labels, [Int64], [Double]) throws(QueryError) -> Void) throws {
        try querier(mint: mint, maxt: maxt).forEachSeries(matchers, onlyLabels: onlyLabels) { labels, ts, vs in
            try body(labels, ts, vs)
        }
    }
}

/// An in-memory series set (tests, rule unit tests).
public struct MemoryStorage: QueryableStorage {
    public var series: [StoredSeries]
    public init(_ series: [StoredSeries]) {
        self.series = series.sorted { labelsLess($0.labels, $1.labels) }
    }
    public func select(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> [StoredSeries] {
        series.filter { matchers.matches($0.labels) }.compactMap { $0.clipped(mint: mint, maxt: maxt) }
    }
}
