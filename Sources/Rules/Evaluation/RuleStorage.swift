import PromQL
import Synchronization
import TSDB

/// What rules read from and write their output to: the TSDB in `vigil run`, an in-memory
/// store in rule unit tests. One call appends one rule's output as one batch.
public protocol RuleStorage: QueryableStorage {
    func appendRuleOutput(_ samples: [(Labels, Int64, Double)]) throws -> AppendResult
}

extension TSDB: RuleStorage {
    public func appendRuleOutput(_ samples: [(Labels, Int64, Double)]) throws -> AppendResult {
        try append(samples)
    }
}

/// An in-memory series store with the TSDB's append rules (out-of-order and duplicate samples
/// rejected per sample): what `vigil test rules` evaluates against, as promtool's test storage.
public final class MemoryRuleStorage: RuleStorage, Sendable {
    private struct Series {
        var timestamps: [Int64] = []
        var values: [Double] = []
    }

    private let series = Mutex<[Labels: Series]>([:])

    public init() {}

    public func appendRuleOutput(_ samples: [(Labels, Int64, Double)]) throws -> AppendResult {
        var r = AppendResult()
        series.withLock { all in
            for (l, t, v) in samples {
                var s = all[l] ?? Series()
                if let lt = s.timestamps.last, t <= lt {
                    if t < lt {
                        r.outOfOrder += 1
                    } else if s.values[s.values.count - 1].bitPattern == v.bitPattern {
                        r.duplicatesIgnored += 1
                    } else {
                        r.duplicate += 1
                    }
                    continue
                }
                s.timestamps.append(t)
                s.values.append(v)
                all[l] = s
                r.appended += 1
            }
        }
        return r
    }

    public func select(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws -> [StoredSeries] {
        var out = series.withLock { all in
            all.compactMap { (l, s) in
                matchers.matches(l)
                    ? StoredSeries(labels: l, timestamps: s.timestamps, values: s.values).clipped(mint: mint, maxt: maxt) : nil
            }
        }
        out.sort { $0.labels.lexicographicallyPrecedes($1.labels) }
        return out
    }
}
