import PromQL
import Synchronization
import Template
import TSDB

/// An alerting rule and its alerts: the state machine inactive → pending → firing, with
/// `for`, `keep_firing_for` and resolved alerts kept for 15 minutes, as Prometheus 2.42 runs it.
public final class AlertingRule: Sendable {
    public let name: String
    public let expr: Expr
    /// The expression as Prometheus prints it (the API's `query`, the generator URL).
    public var query: String { expr.description }
    /// Milliseconds an alert must stay active before it fires.
    public let holdDuration: Int64
    /// Milliseconds a firing alert keeps firing after the expression stops returning it.
    public let keepFiringFor: Int64
    /// Label templates, in file order.
    public let labels: [(String, String)]
    /// Annotation templates, sorted by name (Prometheus keeps them as a sorted label set).
    public let annotations: [(String, String)]
    let status = Mutex(RuleRunStatus())
    let state = Mutex(AlertingRuleState())

    /// How long a resolved alert is kept (and re-sent) so the Alertmanager learns it resolved.
    static let resolvedRetention: Int64 = 15 * 60_000

    init(name: String, expr: Expr, holdDuration: Int64, keepFiringFor: Int64,
         labels: [(String, String)], annotations: [(String, String)]) {
        self.name = name
        self.expr = expr
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        var seen = Set<String>()
        self.annotations = annotations.reversed().filter { seen.insert($0.0).inserted }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
    }

    /// The alerts that are pending or firing (Prometheus's `ActiveAlerts`), sorted by labels.
    public var activeAlerts: [Alert] {
        state.withLock { s in s.active.values.filter { $0.state != .inactive } }
            .sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
    }

    /// Every alert kept: active ones and resolved ones still being re-sent.
    public var allAlerts: [Alert] {
        state.withLock { s in Array(s.active.values) }.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
    }

    /// The rule's state for the Alerts page: the most severe state of its alerts.
    public var ruleState: AlertState {
        state.withLock { s in s.active.values.map(\.state).max() ?? .inactive }
    }

    /// Prometheus's `AlertingRule.Eval`: renders the alerts the expression returns, advances
    /// their states and returns the `ALERTS` and `ALERTS_FOR_STATE` samples to append.
    func evaluate(_ ctx: RuleEvaluationContext) throws(RuleError) -> [(Labels, Int64, Double)] {
        try process(try ctx.query(expr), ctx)
    }

    /// The state machine step for the expression's result at `ctx.timestamp` (also what a
    /// backtest feeds with results it computed as one range query).
    func process(_ vector: [Sample], _ ctx: RuleEvaluationContext) throws(RuleError) -> [(Labels, Int64, Double)] {
        let ts = ctx.timestamp
        let functions = FunctionRegistry.prometheus(
            query: { [engine = ctx.engine, storage = ctx.storage] q in
                let samples: [Sample]
                switch try engine.instantQuery(q, at: ts, storage: storage) {
                case .vector(let v): samples = v
                case .scalar(let t, let v): samples = [Sample(labels: .empty, t: t, v: v)]
                default: throw RuleError("rule result is not a vector or scalar")
                }
                return samples.map { TemplateSample(labels: $0.labels.dictionary, value: $0.v) }
            },
            externalURL: ctx.externalURLFunction)

        var fresh: [Labels: Alert] = [:]
        fresh.reserveCapacity(vector.count)
        for s in vector {
            let data = PrometheusTemplateData(labels: s.labels.dictionary, externalLabels: ctx.externalLabels,
                                              externalURL: ctx.externalURL, value: s.v)
            func expand(_ text: String) -> String {
                do throws(TemplateError) { return try data.expand(text, ruleName: name, functions: functions) } catch {
                    return "<error expanding template: \(error.message)>"
                }
            }
            let l = LabelOverrides([(Labels.metricName, "")] + labels.map { ($0.0, expand($0.1)) } + [("alertname", name)])
                .apply(to: s.labels)
            let ann = annotations.map { Label($0.0, expand($0.1)) }
            if fresh[l] != nil {
                throw RuleError("vector contains metrics with the same labelset after applying alert labels")
            }
            fresh[l] = Alert(labels: l, annotations: ann, state: .pending, value: s.v, activeAt: ts)
        }

        return try state.withLock { st throws(RuleError) -> [(Labels, Int64, Double)] in
            for (l, var a) in fresh {
                if var old = st.active[l], old.state != .inactive {
                    old.value = a.value
                    old.annotations = a.annotations
                    st.active[l] = old
                    continue
                }
                if let restored = st.restored.removeValue(forKey: l) {
                    a.activeAt = restored.activeAt
                    if restored.state == .firing {
                        a.state = .firing
                        a.firedAt = restored.firedAt
                        a.lastSentAt = restored.lastSentAt
                        a.validUntil = restored.validUntil
                    }
                }
                st.active[l] = a
            }

            var out: [(Labels, Int64, Double)] = []
            var activeCount = 0
            for l in Array(st.active.keys) {
                var a = st.active[l]!
                if fresh[l] == nil {
                    var keepFiring = false
                    if a.state == .firing && keepFiringFor > 0 {
                        if a.keepFiringSince == nil { a.keepFiringSince = ts }
                        if ts - a.keepFiringSince! < keepFiringFor { keepFiring = true }
                    }
                    if a.state == .pending || (a.resolvedAt.map { ts - $0 > Self.resolvedRetention } ?? false) {
                        st.active[l] = nil
                    } else {
                        st.active[l] = a
                    }
                    if a.state != .inactive && !keepFiring {
                        a.state = .inactive
                        a.resolvedAt = ts
                        if st.active[l] != nil { st.active[l] = a }
                    }
                    if !keepFiring { continue }
                } else {
                    a.keepFiringSince = nil
                }
                activeCount += 1
                if a.state == .pending && ts - a.activeAt >= holdDuration {
                    a.state = .firing
                    a.firedAt = ts
                }
                st.active[l] = a
                out.append((alertsSeriesLabels(a), ts, 1))
                out.append((forStateSeriesLabels(a), ts, Double(floorDiv(a.activeAt, 1000))))
            }
            if ctx.limit > 0 && activeCount > ctx.limit {
                st.active = [:]
                throw RuleError("exceeded limit of \(ctx.limit) with \(activeCount) alerts")
            }
            return out
        }
    }

    /// The labels of the `ALERTS` series of an alert: the rule's label templates (as written)
    /// overwritten by the alert's labels, plus `__name__` and `alertstate`.
    func alertsSeriesLabels(_ a: Alert) -> Labels {
        seriesLabels(a, metric: "ALERTS", extra: [("alertstate", a.state.name)])
    }

    func forStateSeriesLabels(_ a: Alert) -> Labels {
        seriesLabels(a, metric: "ALERTS_FOR_STATE")
    }

    private func seriesLabels(_ a: Alert, metric: String, extra: [(String, String)] = []) -> Labels {
        LabelOverrides(labels.filter { a.labels[$0.0] == nil } + [(Labels.metricName, metric), ("alertname", name)] + extra)
            .apply(to: a.labels)
    }

    /// Prometheus's `sendAlerts`: the alerts due to be (re)sent, marked as sent at `ts`.
    func alertsToSend(at ts: Int64, resendDelay: Int64, interval: Int64) -> [Alert] {
        state.withLock { st in
            var out: [Alert] = []
            for l in Array(st.active.keys) {
                var a = st.active[l]!
                guard a.needsSending(at: ts, resendDelay: resendDelay) else { continue }
                a.lastSentAt = ts
                a.validUntil = ts + 4 * max(resendDelay, interval)
                st.active[l] = a
                out.append(a)
            }
            return out.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }
        }
    }
}

/// The alerts of one alerting rule, guarded by the rule's lock.
struct AlertingRuleState {
    var active: [Labels: Alert] = [:]
    /// Alerts restored after a restart that the expression must return again to resume:
    /// consulted when a new alert appears during the first evaluations.
    var restored: [Labels: Alert] = [:]
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension Labels {
    /// The label set as a dictionary, the shape templates see.
    var dictionary: [String: String] {
        var d: [String: String] = [:]
        d.reserveCapacity(count)
        for l in self { d[l.name] = l.value }
        return d
    }
}
