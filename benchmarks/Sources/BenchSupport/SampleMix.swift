/// The kinds of series a realistic Prometheus server stores, with their share of all series.
///
/// Shares follow what node_exporter plus a few instrumented services expose: most series are
/// integer counters (request counts, bytes, histogram buckets, many of which barely move),
/// then gauges, float counters (CPU seconds) and constant series (`up`, `*_info`, limits).
public enum SeriesKind: String, CaseIterable, Sendable {
    /// Monotonic integer counter, log-uniform rate 0.001..1000/s, Poisson increments; a fifth
    /// of them count bytes (increments of 200..1500 per event).
    case counterInt = "counter_int"
    /// CPU seconds: rate 0.001..2 cpu/s, kept in 1/100 s ticks as node_exporter reports them.
    case counterFloat = "counter_float"
    /// Memory bytes: multiples of 4 KiB pages, random walk.
    case gaugeBytes = "gauge_bytes"
    /// Temperatures with one or two decimals, slow drift plus noise.
    case gaugeTemperature = "gauge_temperature"
    /// Ratios in [0, 1] with full float precision (hit ratios, utilisation).
    case gaugeRatio = "gauge_ratio"
    /// Constant value: `up`=1, `*_info`=1, limits.
    case constant = "constant"

    /// Share of all series, in percent.
    public var percent: Int {
        switch self {
        case .counterInt: return 40
        case .counterFloat: return 10
        case .gaugeBytes: return 15
        case .gaugeTemperature: return 5
        case .gaugeRatio: return 10
        case .constant: return 20
        }
    }

    /// The kind of the `i`-th series of a mix (deterministic, interleaved).
    public static func of(seriesIndex i: Int) -> SeriesKind {
        var slot = (i &* 37) % 100  // spread kinds over consecutive series
        for k in allCases {
            if slot < k.percent { return k }
            slot -= k.percent
        }
        return .constant
    }
}

/// Produces the values of one series, one scrape at a time.
public struct ValueGenerator: Sendable {
    public let kind: SeriesKind
    private var rng: SplitMix64
    private var value: Double = 0
    private var ticks: Int64 = 0
    private var rate: Double = 0
    private var base: Double = 0
    private var scale: Int = 1
    private var decimals: Double = 10
    private var step: Int = 0

    public init(kind: SeriesKind, seed: UInt64) {
        self.kind = kind
        rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 1)
        switch kind {
        case .counterInt:
            rate = rng.logUniform(0.001, 1000)
            scale = rng.chance(0.2) ? 1 : 0  // 1: bytes counter
            value = Double(rng.int(0..<1_000_000))
        case .counterFloat:
            rate = rng.logUniform(0.001, 2)
            ticks = Int64(rng.int(0..<100_000_000))
        case .gaugeBytes:
            value = Double(rng.int(2_500..<2_000_000)) * 4096
        case .gaugeTemperature:
            base = rng.uniform(30, 70)
            decimals = rng.chance(0.5) ? 10 : 100
        case .gaugeRatio:
            value = rng.uniform(0.05, 0.95)
        case .constant:
            let constants: [Double] = [1, 1, 1, 1, 0, 4, 16, 1024, 65536, 16_777_216_000]
            value = constants[rng.int(0..<constants.count)]
        }
    }

    /// The value scraped `seconds` after the previous one.
    public mutating func next(intervalSeconds seconds: Double) -> Double {
        step += 1
        switch kind {
        case .counterInt:
            let events = rng.poisson(rate * seconds)
            if scale == 1 {
                var bytes = 0
                for _ in 0..<min(events, 64) { bytes += rng.int(200..<1500) }
                if events > 64 { bytes = bytes * events / 64 }
                value += Double(bytes)
            } else {
                value += Double(events)
            }
            return value
        case .counterFloat:
            ticks += Int64((rate * seconds * 100 * rng.uniform(0.8, 1.2)).rounded())
            return Double(ticks) / 100
        case .gaugeBytes:
            if rng.chance(0.7) {
                value += Double(rng.int(-256..<257)) * 4096
                if value < 4096 { value = 4096 }
            }
            return value
        case .gaugeTemperature:
            let drift = 3 * (Double(step) / 400).sine
            let t = base + drift + rng.normal() * 0.4
            return (t * decimals).rounded() / decimals
        case .gaugeRatio:
            value += rng.normal() * 0.01
            value = min(1, max(0, value))
            return value
        case .constant:
            return value
        }
    }
}

/// Scrape timestamps: a fixed interval plus a few milliseconds of jitter, as a real scrape loop
/// produces them.
public struct TimestampGenerator: Sendable {
    public let start: Int64
    public let intervalMilliseconds: Int64
    public let jitterMilliseconds: Int64
    private var rng: SplitMix64
    private var i: Int64 = 0

    public init(start: Int64, intervalMilliseconds: Int64, jitterMilliseconds: Int64 = 5, seed: UInt64) {
        self.start = start
        self.intervalMilliseconds = intervalMilliseconds
        self.jitterMilliseconds = jitterMilliseconds
        rng = SplitMix64(seed: seed ^ 0x5151_7A7A)
    }

    public mutating func next() -> Int64 {
        defer { i += 1 }
        let j = jitterMilliseconds > 0 ? Int64(rng.int(0..<Int(jitterMilliseconds))) : 0
        return start + i * intervalMilliseconds + j
    }
}

/// Shared scrape timestamps for all series of one round (as one scrape of a target stamps all
/// its series with one time).
public func scrapeTime(round: Int, start: Int64, intervalMilliseconds: Int64, jitterMilliseconds: Int64 = 5) -> Int64 {
    var rng = SplitMix64(seed: UInt64(round) &* 0x9E37_79B9 &+ 7)
    let j = jitterMilliseconds > 0 ? Int64(rng.int(0..<Int(jitterMilliseconds))) : 0
    return start + Int64(round) * intervalMilliseconds + j
}
