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
