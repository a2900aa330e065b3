import PromQL
import TSDB

/// Materializes recording rules over history (like `promtool tsdb create-blocks-from rules`),
/// but by replaying the groups as live evaluation runs them, so a rule sees the output of the
/// rules before it in its group, which promtool's backfill cannot do.
///
/// The store takes samples in time order per series: a recorded series that already has
/// newer samples (live evaluation was running) keeps them, and the older backfilled samples
/// are refused and counted as out of order.
public enum Backfill {
    public struct Outcome: Sendable {
        public var series = 0
        public var appended = 0
        public var rejected = 0
        public var evaluations = 0
        public var errors: [Backtest.RuleError] = []
    }

    public static func run(_ files: [(RuleFile, String)], into db: TSDB, options: Backtest.Options,
                           defaultInterval: Int64) throws -> Outcome {
        let (result, output, recorded) = try Backtest.replay(files, history: db, options: options, defaultInterval: defaultInterval)
        var outcome = Outcome(evaluations: result.evaluations, errors: result.errors)
        var batch: [(Labels, Int64, Double)] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            let r = try db.append(batch)
            outcome.appended += r.appended
            outcome.rejected += r.rejected
            batch.removeAll(keepingCapacity: true)
        }
        for s in try output.output(named: recorded) {
            outcome.series += 1
            for (t, v) in zip(s.timestamps, s.values) {
                batch.append((s.labels, t, v))
                if batch.count >= 10_000 { try flush() }
            }
        }
        try flush()
        return outcome
    }
}
