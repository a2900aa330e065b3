import Foundation

/// Alertmanager's inhibition: an alert matching a rule's target matchers is muted while a
/// firing alert matches the source matchers and has the same values for the `equal` labels.
/// An alert that matches both sides does not inhibit itself.
public struct Inhibitor: Sendable {
    public let rules: [InhibitRuleConfig]

    public init(rules: [InhibitRuleConfig]) { self.rules = rules }

    /// Whether `labels` is inhibited, given every alert currently known (firing or not).
    public func isInhibited(_ labels: [String: String], by alerts: [Alert], now: Date) -> Bool {
        inhibitingSource(labels, by: alerts, now: now) != nil
    }

    /// The fingerprint of the first firing alert that inhibits `labels` (the API's inhibitedBy).
    public func inhibitingSource(_ labels: [String: String], by alerts: [Alert], now: Date) -> Fingerprint? {
        let fp = Fingerprint(labels: labels)
        for rule in rules where rule.targetMatchers.matches(labels) {
            let targetIsSource = rule.sourceMatchers.matches(labels)
            for source in alerts {
                if source.resolved(at: now) || source.fingerprint == fp { continue }
                guard rule.sourceMatchers.matches(source.labels) else { continue }
                // Both-sided matches do not inhibit each other (excludeTwoSidedMatch).
                if targetIsSource && rule.targetMatchers.matches(source.labels) { continue }
                if rule.equal.allSatisfy({ source.labels[$0] == labels[$0] }) { return source.fingerprint }
            }
        }
        return nil
    }
}

/// The inhibitor's source side computed once for a set of alerts: per rule, the firing
/// source alerts keyed by their `equal` label values, so checking a target is a lookup
/// instead of a scan of every alert (Alertmanager keeps a similar per-rule cache).
public struct InhibitionIndex: Sendable {
    struct Source: Sendable {
        let fingerprint: Fingerprint
        let matchesTarget: Bool
    }

    let rules: [InhibitRuleConfig]
    let sources: [[[String]: [Source]]]

    public init(_ inhibitor: Inhibitor, alerts: [Alert], now: Date) {
        rules = inhibitor.rules
        sources = inhibitor.rules.map { rule in
            var byKey: [[String]: [Source]] = [:]
            for a in alerts where !a.resolved(at: now) && rule.sourceMatchers.matches(a.labels) {
                let key = rule.equal.map { a.labels[$0] ?? "" }
                byKey[key, default: []].append(Source(fingerprint: a.fingerprint, matchesTarget: rule.targetMatchers.matches(a.labels)))
            }
            return byKey
        }
    }

    /// Same answer as `Inhibitor.inhibitingSource`.
    public func inhibitingSource(_ labels: [String: String]) -> Fingerprint? {
        let fp = Fingerprint(labels: labels)
        for (i, rule) in rules.enumerated() where rule.targetMatchers.matches(labels) {
            let targetIsSource = rule.sourceMatchers.matches(labels)
            let key = rule.equal.map { labels[$0] ?? "" }
            for s in sources[i][key] ?? [] where s.fingerprint != fp && !(targetIsSource && s.matchesTarget) {
                return s.fingerprint
            }
        }
        return nil
    }
}
