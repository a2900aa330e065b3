import Foundation
import TSDB

/// Where alert states are kept across restarts (the TSDB's database in `vigil run`).
public protocol AlertStateStore: Sendable {
    func loadAlertState(group: String) throws -> [UInt8]?
    func saveAlertState(group: String, _ state: [UInt8]?) throws
}

extension TSDB: AlertStateStore {
    public func loadAlertState(group: String) throws -> [UInt8]? {
        try componentState(forKey: "rules.alerts/" + group)
    }

    public func saveAlertState(group: String, _ state: [UInt8]?) throws {
        try setComponentState(state, forKey: "rules.alerts/" + group)
    }
}

/// How restored alerts resume, Prometheus's flags `--rules.alert.for-outage-tolerance` and
/// `--rules.alert.for-grace-period` (milliseconds).
public struct AlertRestoreOptions: Sendable {
    /// After a longer outage nothing is restored.
    public var outageTolerance: Int64 = 3_600_000
    /// A restored pending alert fires no sooner than this after the restart; alerts whose
    /// `for` is shorter are not restored while pending (they simply wait their `for` again).
    public var forGracePeriod: Int64 = 600_000
    public init() {}
}

/// The alerts of one group as saved after an evaluation.
struct PersistedGroupState: Codable {
    var evaluatedAt: Int64
    var rules: [PersistedRuleAlerts]
}

struct PersistedRuleAlerts: Codable {
    /// The rule's position in its group and its name; both must match to restore.
    var index: Int
    var name: String
    var alerts: [PersistedAlert]
}

struct PersistedAlert: Codable {
    /// Label names and values, alternating.
    var labels: [String]
    var annotations: [String]
    var state: AlertState
    var value: Double
    var activeAt: Int64
    var firedAt: Int64?
    var resolvedAt: Int64?
    var lastSentAt: Int64?
    var validUntil: Int64?
    var keepFiringSince: Int64?

    init(_ a: Alert) {
        labels = a.labels.flatMap { [$0.name, $0.value] }
        annotations = a.annotations.flatMap { [$0.name, $0.value] }
        state = a.state
        value = a.value.isFinite ? a.value : 0
        activeAt = a.activeAt
        firedAt = a.firedAt
        resolvedAt = a.resolvedAt
        lastSentAt = a.lastSentAt
        validUntil = a.validUntil
        keepFiringSince = a.keepFiringSince
    }

    var alert: Alert? {
        guard labels.count % 2 == 0, annotations.count % 2 == 0 else { return nil }
        let ls = stride(from: 0, to: labels.count, by: 2).map { Label(labels[$0], labels[$0 + 1]) }
        guard let l = try? Labels(ls) else { return nil }
        let ann = stride(from: 0, to: annotations.count, by: 2).map { Label(annotations[$0], annotations[$0 + 1]) }
        var a = Alert(labels: l, annotations: ann, state: state, value: value, activeAt: activeAt)
        a.firedAt = firedAt
        a.resolvedAt = resolvedAt
        a.lastSentAt = lastSentAt
        a.validUntil = validUntil
        a.keepFiringSince = keepFiringSince
        return a
    }
}

extension RuleGroup {
    /// The alerts to save after an evaluation at `ts`; nil when the group has no alerting rule.
    func persistedState(at ts: Int64) -> PersistedGroupState? {
        var rules: [PersistedRuleAlerts] = []
        for (i, r) in self.rules.enumerated() {
            guard case .alerting(let a) = r else { continue }
            rules.append(PersistedRuleAlerts(index: i, name: a.name, alerts: a.allAlerts.map(PersistedAlert.init)))
        }
        return rules.isEmpty ? nil : PersistedGroupState(evaluatedAt: ts, rules: rules)
    }

    /// Resumes the alerts saved before a restart, at `ts` (Prometheus's `RestoreForState`,
    /// extended): pending alerts get Prometheus's adjusted `activeAt` and resume when the
    /// expression returns them again; firing alerts resume firing (same `firedAt`, no new
    /// `for` wait, no false "resolved"); alerts kept firing by `keep_firing_for` and resolved
    /// alerts still being re-sent continue where they were.
    func restore(_ saved: PersistedGroupState, at ts: Int64, options: AlertRestoreOptions) {
        let downAt = saved.evaluatedAt
        guard ts - downAt <= options.outageTolerance else { return }
        for pr in saved.rules {
            guard pr.index < rules.count, case .alerting(let rule) = rules[pr.index], rule.name == pr.name else { continue }
            rule.state.withLock { st in
                for p in pr.alerts {
                    guard var a = p.alert else { continue }
                    switch a.state {
                    case .inactive:
                        st.active[a.labels] = a
                    case .firing where a.keepFiringSince != nil:
                        st.active[a.labels] = a
                    case .firing:
                        st.restored[a.labels] = a
                    case .pending:
                        let hold = rule.holdDuration
                        guard hold >= options.forGracePeriod else { continue }
                        let remaining = hold - (downAt - a.activeAt)
                        if remaining <= 0 {
                            // It would have fired by now: fires at the next evaluation.
                        } else if remaining < options.forGracePeriod {
                            a.activeAt = ts + options.forGracePeriod - hold
                        } else {
                            a.activeAt += ts - downAt
                        }
                        st.restored[a.labels] = a
                    }
                }
            }
        }
    }

    /// After the first evaluations following a restore: restored firing alerts the expression
    /// no longer returns are resolved (and so sent as resolved); restored pending ones dropped.
    func finishRestore(at ts: Int64) {
        for case .alerting(let rule) in rules {
            rule.state.withLock { st in
                for (l, var a) in st.restored where a.state == .firing && st.active[l] == nil {
                    a.state = .inactive
                    a.resolvedAt = ts
                    st.active[l] = a
                }
                st.restored = [:]
            }
        }
    }
}

enum AlertStateCoding {
    static func encode(_ s: PersistedGroupState) -> [UInt8]? {
        (try? JSONEncoder().encode(s)).map { [UInt8]($0) }
    }

    static func decode(_ bytes: [UInt8]) -> PersistedGroupState? {
        try? JSONDecoder().decode(PersistedGroupState.self, from: Data(bytes))
    }
}
