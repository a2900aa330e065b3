import PromQL
import Synchronization
import TSDB

/// What a backtest reads and writes: stored history underneath, the backtest's own rule output
/// on top, in memory. Series that the backtested rules produce themselves (recorded metrics,
/// `ALERTS`, `ALERTS_FOR_STATE`) are hidden in the history, so stored output of earlier live
/// evaluations never mixes with the replay.
final class BacktestStorage: RuleStorage, Sendable {
    private let base: any QueryableStorage
    private let overlay = MemoryRuleStorage()
    private let shadowed: Set<String>

    init(base: any QueryableStorage, shadowedMetrics: Set<String>) {
        self.base = base
        self.shadowed = shadowedMetrics
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
        var out = try base.select(matchers, mint: mint, maxt: maxt)
        if !shadowed.isEmpty { out.removeAll { shadowed.contains($0.labels.name ?? "") } }
        let own = try overlay.select(matchers, mint: mint, maxt: maxt)
        if own.isEmpty { return out }
        out += own
        out.sort { $0.labels.lexicographicallyPrecedes($1.labels) }
        return out
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
