/// The notifier's counters in Prometheus's text format, named as Alertmanager names them
/// (per integration type) plus Vigil's per-receiver breakdown, for the Server's /metrics.
extension Dispatcher {
    public func metricsText() -> String {
        var byIntegration: [String: DeliveryCounters] = [:]
        var byReceiver: [String: DeliveryCounters] = [:]
        for (identity, c) in counters {
            // identity is receiver/integration/index; receiver names may contain '/'.
            let parts = identity.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            let integration = String(parts[parts.count - 2])
            let receiver = parts.dropLast(2).joined(separator: "/")
            byIntegration[integration, default: DeliveryCounters()].sent += c.sent + c.failed
            byIntegration[integration, default: DeliveryCounters()].failed += c.failed
            byReceiver[receiver, default: DeliveryCounters()].sent += c.sent
            byReceiver[receiver, default: DeliveryCounters()].failed += c.failed
        }
        for name in ["slack", "pagerduty", "webhook"] where byIntegration[name] == nil { byIntegration[name] = DeliveryCounters() }
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        }
        var out = "# HELP alertmanager_notifications_total The total number of attempted notifications.\n"
        out += "# TYPE alertmanager_notifications_total counter\n"
        for k in byIntegration.keys.sorted() { out += "alertmanager_notifications_total{integration=\"\(k)\"} \(byIntegration[k]!.sent)\n" }
        out += "# HELP alertmanager_notifications_failed_total The total number of failed notifications.\n"
        out += "# TYPE alertmanager_notifications_failed_total counter\n"
        for k in byIntegration.keys.sorted() { out += "alertmanager_notifications_failed_total{integration=\"\(k)\"} \(byIntegration[k]!.failed)\n" }
        out += "# HELP vigil_notify_receiver_notifications_total Notifications per receiver and outcome.\n"
        out += "# TYPE vigil_notify_receiver_notifications_total counter\n"
        for k in byReceiver.keys.sorted() {
            out += "vigil_notify_receiver_notifications_total{outcome=\"sent\",receiver=\"\(escape(k))\"} \(byReceiver[k]!.sent)\n"
            out += "vigil_notify_receiver_notifications_total{outcome=\"failed\",receiver=\"\(escape(k))\"} \(byReceiver[k]!.failed)\n"
        }
        out += "# HELP alertmanager_alerts How many alerts by state.\n# TYPE alertmanager_alerts gauge\n"
        let now = clock.now()
        let active = alerts.values.filter { !$0.resolved(at: now) }
        out += "alertmanager_alerts{state=\"active\"} \(active.count)\n"
        out += "# HELP alertmanager_silences How many silences by state.\n# TYPE alertmanager_silences gauge\n"
        let states = silences.list().map { $0.state(at: now) }
        for s in [Silence.State.active, .expired, .pending] {
            out += "alertmanager_silences{state=\"\(s.rawValue)\"} \(states.filter { $0 == s }.count)\n"
        }
        return out
    }
}
