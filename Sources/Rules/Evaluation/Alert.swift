import TSDB

/// Where an alert is in its life: returned by the expression for less than `for` (pending),
/// for at least `for` (firing), or no longer returned (inactive, kept 15 minutes when it had
/// fired so the resolution reaches the Alertmanager).
public enum AlertState: Int, Sendable, Comparable, Codable {
    case inactive = 0
    case pending = 1
    case firing = 2

    /// The word Prometheus uses: in the `alertstate` label, the API and the UI.
    public var name: String {
        switch self {
        case .inactive: return "inactive"
        case .pending: return "pending"
        case .firing: return "firing"
        }
    }

    public static func < (a: AlertState, b: AlertState) -> Bool { a.rawValue < b.rawValue }
}

/// One alert of an alerting rule: one label set the expression returned. Times are Unix
/// milliseconds; nil stands for Go's zero time.
public struct Alert: Sendable, Equatable {
    /// The sample's labels without `__name__`, plus the rule's rendered labels and `alertname`.
    public var labels: Labels
    /// Rendered annotations, sorted by name; empty values are kept (as in Prometheus).
    public var annotations: [Label]
    public var state: AlertState
    /// The sample value of the latest evaluation that returned this alert.
    public var value: Double
    public var activeAt: Int64
    public var firedAt: Int64?
    public var resolvedAt: Int64?
    public var lastSentAt: Int64?
    public var validUntil: Int64?
    /// When the expression stopped returning a firing alert that `keep_firing_for` keeps firing.
    public var keepFiringSince: Int64?

    public init(labels: Labels, annotations: [Label], state: AlertState, value: Double, activeAt: Int64) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
    }

    /// Prometheus's `needsSending`: pending alerts never; an alert resolved since it was last
    /// sent at once; otherwise once `resendDelay` has passed since the last send.
    func needsSending(at ts: Int64, resendDelay: Int64) -> Bool {
        if state == .pending { return false }
        if let r = resolvedAt, r > (lastSentAt ?? Int64.min) { return true }
        return (lastSentAt ?? Int64.min / 2) + resendDelay < ts
    }
}
