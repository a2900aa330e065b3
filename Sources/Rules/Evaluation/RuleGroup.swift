import Foundation
import PromQL
import Synchronization
import TSDB

/// One rule of a group.
public enum Rule: Sendable {
    case recording(RecordingRule)
    case alerting(AlertingRule)

    /// The recorded metric or the alert name.
    public var name: String {
        switch self {
        case .recording(let r): return r.name
        case .alerting(let a): return a.name
        }
    }

    public var query: String {
        switch self {
        case .recording(let r): return r.query
        case .alerting(let a): return a.query
        }
    }

    /// How its last evaluation went.
    public var status: RuleRunStatus {
        switch self {
        case .recording(let r): return r.status.withLock { $0 }
        case .alerting(let a): return a.status.withLock { $0 }
        }
    }

    func setStatus(_ body: (inout RuleRunStatus) -> Void) {
        switch self {
        case .recording(let r): r.status.withLock { body(&$0) }
        case .alerting(let a): a.status.withLock { body(&$0) }
        }
    }
}

/// What rule evaluation needs from the rest of Vigil; shared by every group.
public struct RuleEnvironment: Sendable {
    public var engine: Engine
    public var storage: any RuleStorage
    public var notifier: (any AlertNotifier)?
    /// Seen by templates as `$externalLabels` and added to outgoing alerts.
    public var externalLabels: Labels
    /// `$externalURL` in templates and the start of generator URLs.
    public var externalURL: String
    /// What the `externalURL`/`pathPrefix` template functions return; nil makes them fail.
    public var externalURLFunction: String?
    /// Milliseconds between re-sends of an unchanged alert (`--rules.alert.resend-delay`).
    public var resendDelay: Int64 = 60_000

    public init(engine: Engine, storage: any RuleStorage, notifier: (any AlertNotifier)? = nil,
                externalLabels: Labels = .empty, externalURL: String = "", externalURLFunction: String? = nil) {
        self.engine = engine
        self.storage = storage
        self.notifier = notifier
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.externalURLFunction = externalURLFunction
    }
}

/// A rule group: rules evaluated in order at one timestamp every `interval`, so an alert
/// reads the recording rules evaluated just before it in the same round.
///
/// The group is the materializer too: each rule's output is appended as one batch, and series
/// a rule returned last round but not this one get a stale marker.
public final class RuleGroup: Sendable {
    public let name: String
    public let file: String
    /// Milliseconds.
    public let interval: Int64
    /// 0 is none.
    public let limit: Int
    public let rules: [Rule]
    let state: Mutex<GroupState>

    struct GroupState {
        /// Per rule, the series its last successful evaluation wrote.
        var seriesInPreviousEval: [Set<Labels>]
        var lastEvaluation: Int64?
        var evaluationSeconds: Double = 0
        var lastEvaluationTimestamp: Int64?
        var evaluations = 0
        var missedIterations = 0
    }

    init(name: String, file: String, interval: Int64, limit: Int, rules: [Rule]) {
        self.name = name
        self.file = file
        self.interval = interval
        self.limit = limit
        self.rules = rules
        self.state = Mutex(GroupState(seriesInPreviousEval: Array(repeating: [], count: rules.count)))
    }

    /// Identifies the group across reloads: file and name, as Prometheus's `GroupKey`.
    public var key: String { file + ";" + name }

    /// Unix milliseconds (wall clock) of the last evaluation's start; nil before the first.
    public var lastEvaluation: Int64? { state.withLock { $0.lastEvaluation } }
    /// Seconds the last evaluation took.
    public var evaluationSeconds: Double { state.withLock { $0.evaluationSeconds } }
    /// Scheduled rounds skipped because an evaluation ran past the next one.
    public var missedIterations: Int { state.withLock { $0.missedIterations } }

    /// Evaluates every rule at `timestamp` (Unix ms), appending outputs and sending alerts.
    /// Returns the number of samples the rules produced.
    @discardableResult
    public func evaluate(at timestamp: Int64, environment env: RuleEnvironment) -> Int {
        let start = Date()
        var ctx = RuleEvaluationContext(
            engine: env.engine, storage: env.storage, timestamp: timestamp,
            externalLabels: env.externalLabels.dictionary, externalURL: env.externalURL,
            externalURLFunction: env.externalURLFunction, limit: limit)
        ctx.limit = limit
        var produced = 0
        for (i, rule) in rules.enumerated() {
            let ruleStart = Date()
            let output: [(Labels, Int64, Double)]
            do {
                switch rule {
                case .recording(let r): output = try r.evaluate(ctx)
                case .alerting(let a): output = try a.evaluate(ctx)
                }
            } catch {
                rule.setStatus {
                    $0.health = .err
                    $0.lastError = error.message
                    $0.lastEvaluation = Int64(ruleStart.timeIntervalSince1970 * 1000)
                    $0.evaluationSeconds = Date().timeIntervalSince(ruleStart)
                }
                continue
            }
            produced += output.count
            if case .alerting(let a) = rule, let notifier = env.notifier {
                let due = a.alertsToSend(at: timestamp, resendDelay: env.resendDelay, interval: interval)
                if !due.isEmpty {
                    notifier.send(due.map {
                        OutgoingAlert($0, expr: a.query, externalURL: env.externalURL, externalLabels: env.externalLabels)
                    })
                }
            }
            let appendError = materialize(output, rule: i, at: timestamp, storage: env.storage)
            rule.setStatus {
                $0.health = appendError == nil ? .ok : .err
                $0.lastError = appendError
                $0.lastEvaluation = Int64(ruleStart.timeIntervalSince1970 * 1000)
                $0.evaluationSeconds = Date().timeIntervalSince(ruleStart)
            }
        }
        state.withLock {
            $0.lastEvaluation = Int64(start.timeIntervalSince1970 * 1000)
            $0.evaluationSeconds = Date().timeIntervalSince(start)
            $0.lastEvaluationTimestamp = timestamp
            $0.evaluations += 1
        }
        return produced
    }

    /// Appends one rule's output as one batch and marks the series it no longer returns as
    /// stale; returns the error to report, as Prometheus words it, when samples were refused.
    private func materialize(_ output: [(Labels, Int64, Double)], rule i: Int, at ts: Int64,
                             storage: any RuleStorage) -> String? {
        var error: String?
        var returned = Set<Labels>()
        returned.reserveCapacity(output.count)
        for s in output { returned.insert(s.0) }
        do {
            let r = try storage.appendRuleOutput(output)
            if r.outOfOrder > 0 {
                error = "out of order sample"
            } else if r.duplicate > 0 {
                error = "duplicate sample for timestamp"
            } else if r.outOfBounds > 0 {
                error = "out of bounds"
            } else if r.unknownSeries > 0 {
                error = "invalid series labels"
            }
        } catch {
            return "\(error)"
        }
        let previous = state.withLock { st in
            let p = st.seriesInPreviousEval[i]
            st.seriesInPreviousEval[i] = returned
            return p
        }
        let vanished = previous.subtracting(returned)
        if !vanished.isEmpty {
            _ = try? storage.appendRuleOutput(vanished.map { ($0, ts, StaleMarker.value) })
        }
        return error
    }

    /// Writes stale markers for everything the group's rules last wrote: used when a reload
    /// removes the group, so its series end at once instead of lingering for 5 minutes.
    func markAllStale(at ts: Int64, storage: any RuleStorage) {
        let all = state.withLock { st in
            let s = st.seriesInPreviousEval.reduce(into: Set<Labels>()) { $0.formUnion($1) }
            st.seriesInPreviousEval = Array(repeating: [], count: rules.count)
            return s
        }
        if !all.isEmpty { _ = try? storage.appendRuleOutput(all.map { ($0, ts, StaleMarker.value) }) }
    }
}
