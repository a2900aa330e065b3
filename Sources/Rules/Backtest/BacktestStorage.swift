import PromQL
import Synchronization
import TSDB

/// What a backtest reads and writes: stored history underneath, the backtest's own rule output
/// on top, in memory. Series that the backtested rules produce themselves (recorded metrics,
/// `ALERTS`, `ALERTS_FOR_STATE`) are hidden in the history, so stored output of earlier live
/// evaluations never mixes with the replay.
///
/// History is read once per distinct selector over the whole replay range and then sliced
/// per evaluation step, so a backtest is a pass over each series, not a query per step.
final class BacktestStorage: RuleStorage, Sendable {
    private let base: any QueryableStorage
    private let overlay = MemoryRuleStorage()
    private let shadowed: Set<String>
    private let range: (mint: Int64, maxt: Int64)
    private let cache = Mutex<[String: [StoredSeries]]>([:])

    /// `range` must cover every sample a query of the replay can read (from minus the longest
    /// range and lookback, to the end).
    init(base: any QueryableStorage, shadowedMetrics: Set<String>, range: (mint: Int64, maxt: Int64)) {
        self.base = base
        self.shadowed = shadowedMetrics
        self.range = range
    }

    /// What the replayed rules wrote, for the given metric names.
    func output(named names: Set<String>) throws -> [StoredSeries] {
        guard !names.isEmpty else { return [] }
        let pattern = names.sorted().map { RegexQuote.quote($0) }.joined(separator: "|")
        return try overlay.select([try Matcher(.regexMatch, Labels.metricName, pattern)], mint: .min, maxt: .max)
    }

    func appendRuleOutput(_ samples: [(Labels, Int64, Double)]) throws -> AppendResult {
        try overlay.appendRuleOutput(samples)
    }

    func select(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> [StoredSeries] {
        // Reads outside the preloaded range (an `@` or a long offset) go to the store directly.
        if mint < range.mint || maxt > range.maxt {
            let direct = try base.select(matchers, mint: mint, maxt: maxt).filter { !shadowed.contains($0.labels.name ?? "") }
            let own = try overlay.select(matchers, mint: mint, maxt: maxt)
            return own.isEmpty ? direct : (direct + own).sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
        }
        var out = try history(matchers).compactMap { s -> StoredSeries? in
            let lo = lowerBound(s.timestamps, mint)
            let hi = maxt == .max ? s.timestamps.count : lowerBound(s.timestamps, maxt + 1)
            guard lo < hi else { return nil }
            return StoredSeries(labels: s.labels, timestamps: Array(s.timestamps[lo..<hi]), values: Array(s.values[lo..<hi]))
        }
        let own = try overlay.select(matchers, mint: mint, maxt: maxt)
        if own.isEmpty { return out }
        out += own
        out.sort { $0.labels.lexicographicallyPrecedes($1.labels) }
        return out
    }

    private func history(_ matchers: [Matcher]) throws -> [StoredSeries] {
        let key = matchers.map { "\($0)" }.joined(separator: ",")
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let loaded = try base.select(matchers, mint: range.mint, maxt: range.maxt)
            .filter { !shadowed.contains($0.labels.name ?? "") }
        cache.withLock { $0[key] = loaded }
        return loaded
    }

    private func lowerBound(_ ts: [Int64], _ t: Int64) -> Int {
        var lo = 0, hi = ts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ts[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Quoting a literal for an RE2 pattern.
enum RegexQuote {
    static func quote(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\.+*?()|[]{}^$".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
