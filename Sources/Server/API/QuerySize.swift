import PromQL
import TSDB

/// Whether a query is small enough to evaluate on the request's own task instead of handing
/// it to a worker queue and back (two thread wake-ups, which dominate a query of a few
/// series, more so on a busy machine). Decided from the index alone: every selector needs
/// an equality matcher bounding its series, and the bound on samples stays small.
enum QuerySize {
    /// Samples a query may touch and still run inline (about a millisecond of decoding).
    static let inlineSamples = 100_000
    /// Samples assumed per series per minute of a range (a 1 s scrape interval).
    static let samplesPerMinute = 60

    static func isSmall(_ e: Expr, spanMilliseconds: Int64, _ db: TSDB) -> Bool {
        let spanMinutes = Int(Swift.min(Swift.max(spanMilliseconds, 0) / 60_000, 1 << 20))
        var budget = inlineSamples
        return fits(e, spanMinutes: spanMinutes, db, &budget)
    }

    /// `spanMinutes`: minutes between the first and the last evaluation.
    private static func fits(_ e: Expr, spanMinutes: Int, _ db: TSDB, _ budget: inout Int) -> Bool {
        switch e {
        case .subquery:
            return false
        case .vectorSelector(let vs):
            // An instant selector reads up to the 5-minute lookback at every step.
            return charge(vs, minutes: 5, spanMinutes: spanMinutes, db, &budget)
        case .matrixSelector(let ms):
            return charge(ms.selector, minutes: Int(ms.range / 60_000) + 1, spanMinutes: spanMinutes, db, &budget)
        default:
            for c in e.children where !fits(c, spanMinutes: spanMinutes, db, &budget) { return false }
            return true
        }
    }

    private static func charge(_ vs: VectorSelector, minutes: Int, spanMinutes: Int, _ db: TSDB, _ budget: inout Int) -> Bool {
        guard let series = db.seriesUpperBound(vs.matchers) else { return false }
        // The samples decoded: the whole span the steps and the range cover, once per series.
        let (perSeries, o1) = (minutes + spanMinutes + 1).multipliedReportingOverflow(by: samplesPerMinute)
        let (cost, o2) = series.multipliedReportingOverflow(by: perSeries)
        guard !o1, !o2, cost <= budget else { return false }
        budget -= cost
        return true
    }
}
