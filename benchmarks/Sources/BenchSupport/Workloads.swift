import Logging
import TSDB

/// A logger that drops everything below warning, so recovery/compaction info lines do not
/// land in the middle of result tables.
public func quietLogger() -> Logger {
    var l = Logger(label: "vigil.bench")
    l.logLevel = .warning
    return l
}

/// Options for benchmark databases: defaults, except that the background maintenance thread
/// (checkpoint at 64 MiB of log or every 5 min, retention and compaction every 15 min) is off,
/// so a measurement on one thread is not mixed with maintenance on the other core and the
/// benchmark decides when to checkpoint. `backgroundMaintenance: true` keeps the default.
public func benchOptions(backgroundMaintenance: Bool = false) -> TSDBOptions {
    var o = TSDBOptions()
    o.backgroundMaintenance = backgroundMaintenance
    return o
}

/// Creates `count` series named by `labels`, then commits them with an empty batch so the
/// measured appends that follow do not pay for persisting new series.
public func createSeries(_ db: TSDB, count: Int, labels: (Int) -> Labels) throws -> [SeriesRef] {
    var refs: [SeriesRef] = []
    refs.reserveCapacity(count)
    for i in 0..<count {
        refs.append(try db.seriesRef(for: labels(i)))
        if i % 100_000 == 99_999 { try db.append(AppendBatch()) }
    }
    try db.append(AppendBatch())
    return refs
}

/// Round-robin appends over a fixed set of series: batch after batch walks the series in ref
/// order; each full pass is one scrape round 15 s after the previous one (plus a few ms of
/// jitter). Values are a cheap but varied mix (integer counters, constants, float gauges,
/// CPU-seconds-like counters) so the XOR encoder does realistic work.
public struct RoundRobinAppender {
    public let refs: [SeriesRef]
    public let batchSize: Int
    public let start: Int64
    public let intervalMilliseconds: Int64
    private var position = 0
    public private(set) var round = 0

    public init(refs: [SeriesRef], batchSize: Int = 10_000, start: Int64 = 1_700_000_000_000, intervalMilliseconds: Int64 = 15_000) {
        self.refs = refs
        self.batchSize = batchSize
        self.start = start
        self.intervalMilliseconds = intervalMilliseconds
    }

    @inline(__always)
    public static func value(series i: Int, round r: Int) -> Double {
        switch i & 3 {
        case 0: return Double(r &* (i % 13 &+ 1))
        case 1: return 1
        case 2: return 0.5 + 0.25 * Double((r &* 7 &+ i) % 101) / 101
        default: return Double(100_000 &+ r &* (i % 31 &+ 3)) / 100
        }
    }

    /// Fills `batch` (cleared first) with the next `batchSize` samples.
    public mutating func fill(_ batch: inout AppendBatch) {
        batch.removeAll()
        let n = refs.count
        refs.withUnsafeBufferPointer { refs in
            for _ in 0..<batchSize {
                let t = start &+ Int64(round) &* intervalMilliseconds &+ Int64((round &* 7 &+ position) % 5)
                batch.add(refs[position], t, Self.value(series: position, round: round))
                position += 1
                if position == n {
                    position = 0
                    round += 1
                }
            }
        }
    }
}

/// Builds the data for `{__name__="http_requests_total", status=~"5.."}`: `series` series of
/// `LabelSets.requests`, `samplesPerSeries` samples each at 15 s, appended in batches of 10k.
public func buildRequestsDatabase(_ db: TSDB, series: Int, samplesPerSeries: Int,
                                  start: Int64 = 1_700_006_400_000) throws {
    let refs = try createSeries(db, count: series) { LabelSets.requests($0) }
    var app = RoundRobinAppender(refs: refs, start: start)
    var batch = AppendBatch(capacity: app.batchSize)
    let total = series * samplesPerSeries
    var done = 0
    while done < total {
        app.fill(&batch)
        let r = try db.append(batch)
        precondition(r.rejected == 0, "unexpected rejections: \(r)")
        done += batch.count
    }
}

/// The selector of the select benchmark.
public func fiveHundredsSelector(name: String = "http_requests_total") -> [Matcher] {
    [.equal("__name__", name), try! Matcher(.regexMatch, "status", "5..")]
}

/// Runs the selector over everything and iterates every sample; returns (series, samples).
@inline(never)
public func selectAndIterate(_ db: TSDB, _ matchers: [Matcher], mint: Int64 = .min, maxt: Int64 = .max) throws -> (series: Int, samples: Int, checksum: Double) {
    let found = try db.querier(mint: mint, maxt: maxt).select(matchers)
    var samples = 0
    var sum = 0.0
    for s in found {
        var it = s.makeIterator()
        while it.next() {
            samples += 1
            sum += it.v
        }
        if let e = it.error { fatalError("chunk error in \(s.labels): \(e)") }
    }
    return (found.count, samples, sum)
}
