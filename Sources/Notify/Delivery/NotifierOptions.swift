import Foundation

/// Settings of the built-in notifier that are not in alertmanager.yml.
public struct NotifierOptions: Sendable {
    /// `--web.external-url`: in title links, fallbacks and webhook bodies.
    public var externalURL: String
    public var retry: RetryPolicy
    /// How long one flush may keep retrying; nil means until the next group_interval tick,
    /// as Alertmanager does.
    public var flushTimeout: TimeInterval?
    /// How often empty groups, resolved alerts and old log rows are cleaned up.
    public var maintenanceInterval: TimeInterval
    /// How long notification log entries and expired silences are kept (Alertmanager: 120h).
    public var retention: TimeInterval
    /// How long notification history is kept.
    public var historyRetention: TimeInterval

    public init(
        externalURL: String = "http://localhost:9093", retry: RetryPolicy = RetryPolicy(), flushTimeout: TimeInterval? = nil,
        maintenanceInterval: TimeInterval = 30, retention: TimeInterval = 120 * 3600,
        historyRetention: TimeInterval = 30 * 24 * 3600
    ) {
        self.externalURL = externalURL
        self.retry = retry
        self.flushTimeout = flushTimeout
        self.maintenanceInterval = maintenanceInterval
        self.retention = retention
        self.historyRetention = historyRetention
    }
}

/// Per-integration delivery counts (Alertmanager's notifications_total / _failed_total).
public struct DeliveryCounters: Sendable, Equatable {
    public var sent = 0
    public var failed = 0
    public init(sent: Int = 0, failed: Int = 0) {
        self.sent = sent
        self.failed = failed
    }
}
