import PromQL
import Synchronization
import TSDB

/// A recording rule: its expression's result, renamed and relabelled, becomes new series.
///
/// This is what lets alert rules read a few precomputed aggregates instead of thousands of
/// raw series: the materializer (the group) appends the output once per round.
public final class RecordingRule: Sendable {
    public let name: String
    public let expr: Expr
    /// The expression as Prometheus prints it (the API's `query`, the generator URL).
    public var query: String { expr.description }
    /// Set on every output series, in file order; an empty value removes the label.
    public let labels: [(String, String)]
    /// `__name__` and `labels`, ready to merge into each sample's labels.
    private let overrides: LabelOverrides
    let status = Mutex(RuleRunStatus())

    init(name: String, expr: Expr, labels: [(String, String)]) {
        self.name = name
        self.expr = expr
        self.labels = labels
        self.overrides = LabelOverrides([(Labels.metricName, name)] + labels)
    }

    /// Prometheus's `RecordingRule.Eval`: query, set `__name__` and the rule's labels, refuse
    /// output that has two samples with one label set, then apply the group's limit.
    func evaluate(_ ctx: RuleEvaluationContext) throws(RuleError) -> [(Labels, Int64, Double)] {
        try process(try ctx.query(expr), ctx)
    }

    /// Names, relabels and checks the expression's result at `ctx.timestamp`.
    func process(_ vector: [Sample], _ ctx: RuleEvaluationContext) throws(RuleError) -> [(Labels, Int64, Double)] {
        var out: [(Labels, Int64, Double)] = []
        out.reserveCapacity(vector.count)
        var seen = Set<Labels>()
        seen.reserveCapacity(vector.count)
        for s in vector {
            let l = overrides.apply(to: s.labels)
            out.append((l, s.t, s.v))
            seen.insert(l)
        }
        if seen.count != out.count {
            throw RuleError("vector contains metrics with the same labelset after applying rule labels")
        }
        if ctx.limit > 0 && out.count > ctx.limit {
            throw RuleError("exceeded limit of \(ctx.limit) with \(out.count) series")
        }
        return out
    }
}

/// What the last evaluation of a rule did, for `/api/v1/rules` and the Rules page.
public struct RuleRunStatus: Sendable {
    public var health = RuleHealth.unknown
    public var lastError: String?
    /// Unix milliseconds (wall clock) when the last evaluation started.
    public var lastEvaluation: Int64?
    /// Seconds the last evaluation took.
    public var evaluationSeconds: Double = 0
}
