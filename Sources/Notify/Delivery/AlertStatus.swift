import Foundation

/// An alert as the API shows it: where it routes, and what suppresses it.
public struct AlertStatus: Sendable {
    public enum State: String, Sendable { case active, suppressed, unprocessed }

    public var alert: Alert
    public var receivers: [String]
    public var silencedBy: [String]
    public var inhibitedBy: [String]
    public var state: State { silencedBy.isEmpty && inhibitedBy.isEmpty ? .active : .suppressed }
}

/// One aggregation group as `/api/v2/alerts/groups` shows it.
public struct AlertGroupStatus: Sendable {
    public var labels: [String: String]
    public var receiver: String
    public var alerts: [AlertStatus]
}

extension Dispatcher {
    /// The alerts not yet resolved, sorted by fingerprint, with their routing and
    /// suppression, as Alertmanager's GET /api/v2/alerts lists them.
    public func alertStatuses(filter: [Matcher] = []) -> [AlertStatus] {
        let now = clock.now()
        let index = InhibitionIndex(pipeline.inhibitor, alerts: Array(alerts.values), now: now)
        return alerts.values
            .filter { !$0.resolved(at: now) && filter.matches($0.labels) }
            .sorted { $0.fingerprint < $1.fingerprint }
            .map { status($0, inhibition: index, now: now) }
    }

    func status(_ a: Alert, inhibition: InhibitionIndex, now: Date) -> AlertStatus {
        var receivers: [String] = []
        for r in tree.match(a.labels) where !receivers.contains(r.options.receiver) { receivers.append(r.options.receiver) }
        let inhibitedBy = inhibition.inhibitingSource(a.labels).map { [$0.description] } ?? []
        return AlertStatus(alert: a, receivers: receivers, silencedBy: silences.mutingIDs(a.labels, now: now), inhibitedBy: inhibitedBy)
    }

    /// The aggregation groups with their unresolved alerts, ordered by group labels then receiver.
    public func groupStatuses() -> [AlertGroupStatus] {
        let now = clock.now()
        let index = InhibitionIndex(pipeline.inhibitor, alerts: Array(alerts.values), now: now)
        return groups.values.compactMap { g -> AlertGroupStatus? in
            let list = g.alerts.values.filter { !$0.resolved(at: now) }.sorted { $0.fingerprint < $1.fingerprint }
            if list.isEmpty { return nil }
            return AlertGroupStatus(labels: g.labels, receiver: g.route.options.receiver, alerts: list.map { status($0, inhibition: index, now: now) })
        }.sorted {
            let a = labelSetString($0.labels), b = labelSetString($1.labels)
            return a != b ? GoString.less(a, b) : GoString.less($0.receiver, $1.receiver)
        }
    }
}
