import Foundation
import Synchronization
import PromQL
import TSDB

/// Replays rule groups over stored history, exactly as live evaluation would run them (same
/// group code, same order, recording rules feeding alerts), writing nothing to the store, and
/// reports when each alert was pending and firing: what a `for` or a threshold would have done.
public enum Backtest {
    public struct Options: Sendable {
        public var from: Int64
        public var to: Int64
        public var engine = EngineOptions()
        public var externalLabels: Labels = .empty
        public var externalURL = ""
        /// Replaces every alerting rule's `for` (to compare values); nil keeps the files'.
        public var forOverride: Int64?
        /// Keeps what the rules would have sent to an Alertmanager, with when.
        public var captureNotifications = false
        public init(from: Int64, to: Int64) {
            self.from = from
            self.to = to
        }
    }

    /// One stretch of an alert in one state.
    public struct Interval: Sendable, Equatable {
        public var state: AlertState
        public var start: Int64
        /// The evaluation at which the state ended; nil when it lasted to the end of the range.
        public var end: Int64?
    }

    /// What one alert (one label set of one rule) did over the range.
    public struct AlertHistory: Sendable {
        public var rule: String
        public var labels: Labels
        public var intervals: [Interval]
        public var firings: Int { intervals.filter { $0.state == .firing }.count }
        public func firingMilliseconds(until to: Int64) -> Int64 {
            intervals.filter { $0.state == .firing }.reduce(0) { $0 + (($1.end ?? to) - $1.start) }
        }
    }

    public struct RuleError: Sendable {
        public var rule: String
        public var time: Int64
        public var message: String
    }

    public struct Result: Sendable {
        public var options: Options
        /// Alerting rules in file order with their `for` as replayed (ms).
        public var rules: [(name: String, holdDuration: Int64, query: String)]
        public var alerts: [AlertHistory]
        public var evaluations: Int
        /// The first error of each rule that failed, with when.
        public var errors: [RuleError]
        /// With `captureNotifications`: each batch the rules sent (evaluation time, alerts),
        /// in time order.
        public var sentAlerts: [(at: Int64, alerts: [OutgoingAlert])] = []
    }

    /// Replays `files` (parsed rule files and their names) over `history`.
    public static func run(_ files: [(RuleFile, String)], history: any QueryableStorage, options: Options,
                           defaultInterval: Int64) throws -> Result {
        try replay(files, history: history, options: options, defaultInterval: defaultInterval).result
    }

    /// The replay itself; also returns what the rules wrote (in memory) and the recorded names.
    static func replay(_ files: [(RuleFile, String)], history: any QueryableStorage, options: Options,
                       defaultInterval: Int64) throws -> (result: Result, output: BacktestStorage, recorded: Set<String>) {
        var groups: [RuleGroup] = []
        for (f, name) in files {
            var f = f
            if let hold = options.forOverride {
                for g in f.groups.indices {
                    for r in f.groups[g].rules.indices where f.groups[g].rules[r].isAlert { f.groups[g].rules[r].forDuration = hold }
                }
            }
            groups += try RuleGroupLoader.build(f, file: name, defaultInterval: defaultInterval).get()
        }
        var produced: Set<String> = ["ALERTS", "ALERTS_FOR_STATE"]
        for g in groups {
            for r in g.rules {
                if case .recording(let rr) = r { produced.insert(rr.name) }
            }
        }
        let storage = BacktestStorage(base: history, shadowedMetrics: produced)
        var env = RuleEnvironment(engine: Engine(options: options.engine), storage: storage,
                                  externalLabels: options.externalLabels, externalURL: options.externalURL)
        let capture = CapturingNotifier()
        if options.captureNotifications { env.notifier = capture }

        // Each rule is evaluated over the whole range at once, as one range query (one pass
        // over each series; Prometheus's range evaluation equals its instant evaluation at
        // every step), then fed step by step through the same rule code as live evaluation:
        // naming, clashes, limit, alert states, stale markers. Rules run in file order, so each
        // sees the complete output of the rules before it. A rule whose range query fails is
        // evaluated step by step instead (the error may be limited to some steps).
        var open: [String: [Labels: Interval]] = [:]
        var histories: [String: [Labels: AlertHistory]] = [:]
        var order: [String: [Labels]] = [:]
        var errors: [RuleError] = []
        var evaluations = 0
        let engine = Engine(options: options.engine)
        for g in groups {
            var steps: [Int64] = []
            var t = options.from
            while t <= options.to {
                steps.append(t)
                t += g.interval
            }
            guard let last = steps.last else { continue }
            evaluations += steps.count
            for (i, r) in g.rules.enumerated() {
                let byStep = rangeVectors(exprOf(r), engine: engine, storage: storage, start: options.from, end: last,
                                          step: g.interval, count: steps.count)
                var failed = false
                for (k, ts) in steps.enumerated() {
                    capture.now.withLock { $0 = ts }
                    g.evaluateRule(i, at: ts, environment: env, precomputed: byStep?[k])
                    if !failed, let e = r.status.lastError {
                        failed = true
                        errors.append(RuleError(rule: r.name, time: ts, message: e))
                    }
                    guard case .alerting(let a) = r else { continue }
                    let key = g.key + "/" + a.name
                    var now: [Labels: AlertState] = [:]
                    for alert in a.activeAlerts { now[alert.labels] = alert.state }
                    var current = open[key] ?? [:]
                    for (l, iv) in current where now[l] != iv.state {
                        var closed = iv
                        closed.end = ts
                        histories[key, default: [:]][l]!.intervals.append(closed)
                        current[l] = nil
                    }
                    for (l, state) in now where current[l] == nil {
                        if histories[key]?[l] == nil {
                            histories[key, default: [:]][l] = AlertHistory(rule: a.name, labels: l, intervals: [])
                            order[key, default: []].append(l)
                        }
                        current[l] = Interval(state: state, start: ts, end: nil)
                    }
                    open[key] = current
                }
            }
        }
        var alerts: [AlertHistory] = []
        var rules: [(String, Int64, String)] = []
        for g in groups {
            for case .alerting(let a) in g.rules {
                rules.append((a.name, a.holdDuration, a.query))
                let key = g.key + "/" + a.name
                for l in order[key] ?? [] {
                    var h = histories[key]![l]!
                    if let iv = open[key]?[l] { h.intervals.append(iv) }
                    alerts.append(h)
                }
            }
        }
        var result = Result(options: options, rules: rules, alerts: alerts, evaluations: evaluations, errors: errors)
        result.sentAlerts = capture.sent.withLock { $0 }.enumerated()
            .sorted { $0.element.at != $1.element.at ? $0.element.at < $1.element.at : $0.offset < $1.offset }
            .map(\.element)
        return (result, storage, produced.subtracting(["ALERTS", "ALERTS_FOR_STATE"]))
    }

    /// The expression's result at each of `count` steps, from one range query; nil when the
    /// range query fails.
    static func rangeVectors(_ expr: Expr, engine: Engine, storage: any QueryableStorage, start: Int64, end: Int64,
                             step: Int64, count: Int) -> [[Sample]]? {
        guard case .matrix(let series)? = try? engine.rangeQuery(expr, start: start, end: end, step: step, storage: storage) else {
            return nil
        }
        var byStep = [[Sample]](repeating: [], count: count)
        for s in series {
            for p in s.points {
                let k = Int((p.t - start) / step)
                if k >= 0 && k < count { byStep[k].append(Sample(labels: s.labels, t: p.t, v: p.v)) }
            }
        }
        return byStep
    }

    static func exprOf(_ r: Rule) -> Expr {
        switch r {
        case .recording(let rr): return rr.expr
        case .alerting(let a): return a.expr
        }
    }
}

/// Records what rules send during a backtest, stamped with the evaluation time.
final class CapturingNotifier: AlertNotifier {
    let now = Mutex<Int64>(0)
    let sent = Mutex<[(at: Int64, alerts: [OutgoingAlert])]>([])

    func send(_ alerts: [OutgoingAlert]) {
        let t = now.withLock { $0 }
        sent.withLock { $0.append((t, alerts)) }
    }
}
