import Foundation
import Logging
import Template

/// One flush of one aggregation group, after Alertmanager's pipeline: inhibition, time
/// intervals, silences, then for each integration of the receiver in parallel: dedup against
/// the notification log, send with retries, log what was sent.
struct NotificationPipeline: Sendable {
    let config: AlertmanagerConfig
    let inhibitor: Inhibitor
    let intervals: TimeIntervals
    let templates: TemplateSet
    let store: NotifyStore
    let silences: Silences
    let sender: HTTPSender
    let clock: NotifyClock
    let options: NotifierOptions
    let logger = Logger(label: "vigil.notify")

    struct Outcome: Sendable {
        var identity: String
        var sent: Bool
        var failed: Bool
    }

    /// Returns whether every integration succeeded (or had nothing to do), and per-integration outcomes.
    func flush(
        route: Route.Options, groupKey: String, groupLabels: [String: String], alerts snapshot: [Alert],
        inhibition: InhibitionIndex, now: Date
    ) async -> (Bool, [Outcome]) {
        var alerts = snapshot.map { a -> Alert in
            var c = a
            // Alertmanager keeps firing alerts from resolving as time moves on during a flush.
            if !c.resolved(at: now) { c.endsAt = .distantPast }
            return c
        }
        alerts.sort { alertOrder($0.labels, $1.labels) }
        alerts = alerts.filter { inhibition.inhibitingSource($0.labels) == nil }
        if !route.activeTimeIntervals.isEmpty && !route.activeTimeIntervals.contains(where: { intervals.contains($0, now) }) {
            return (true, [])
        }
        if route.muteTimeIntervals.contains(where: { intervals.contains($0, now) }) { return (true, []) }
        alerts = alerts.filter { silences.mutingIDs($0.labels, now: now).isEmpty }
        if alerts.isEmpty { return (true, []) }
        guard let receiver = config.receiver(named: route.receiver) else { return (true, []) }
        let context = NotificationContext(
            receiver: receiver.name, groupKey: groupKey, groupLabels: groupLabels, alerts: alerts, now: now,
            externalURL: options.externalURL)
        let integrations = Integration.all(for: receiver, baseDirectory: config.baseDirectory)
        let timeout = options.flushTimeout ?? route.groupInterval.seconds
        let outcomes = await withTaskGroup(of: Outcome.self) { group in
            for integration in integrations {
                group.addTask {
                    await notify(integration, context: context, repeatInterval: route.repeatInterval, timeout: timeout)
                }
            }
            var all: [Outcome] = []
            for await o in group { all.append(o) }
            return all
        }
        return (!outcomes.contains { $0.failed }, outcomes)
    }

    /// DedupStage → RetryStage → SetNotifiesStage for one integration.
    func notify(_ integration: Integration, context: NotificationContext, repeatInterval: ModelDuration, timeout: TimeInterval) async -> Outcome {
        let now = context.now
        let firing = Set(context.firing.map(\.fingerprint))
        let resolved = Set(context.resolved.map(\.fingerprint))
        let entry = try? store.logEntry(receiver: integration.identity, groupKey: context.groupKey)
        var outcome = Outcome(identity: integration.identity, sent: false, failed: false)
        guard NotificationPipeline.needsUpdate(
            entry, firing: firing, resolved: resolved, repeatInterval: repeatInterval,
            sendResolved: integration.sendResolved, now: now)
        else { return outcome }

        var toSend = context
        if !integration.sendResolved {
            if firing.isEmpty {
                // Nothing to say, but the log must forget the firing alerts.
                logSent(integration, context: context, firing: firing, resolved: resolved)
                return outcome
            }
            toSend.alerts = context.firing
        }
        let request: Integration.Request
        do {
            request = try integration.request(toSend, templates: templates)
        } catch {
            logger.error("notify failed", metadata: ["receiver": "\(integration.receiver)", "integration": "\(integration.name)", "err": "\(error.description)"])
            record(integration, toSend, outcome: .failed, attempts: 0, error: error.description, body: "")
            outcome.failed = true
            return outcome
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        let result = await sender.post(
            url: request.url, body: request.body, headers: request.headers, policy: options.retry, deadline: deadline,
            transport: request.transport)
        let body = redactedBody(integration, request.body)
        if result.delivered {
            logSent(integration, context: context, firing: firing, resolved: resolved)
            record(integration, toSend, outcome: .sent, attempts: result.attempts, error: "", body: body)
            outcome.sent = true
        } else {
            // The error is already redacted: it never contains the URL.
            logger.error("notify failed", metadata: [
                "receiver": "\(integration.receiver)", "integration": "\(integration.name)/\(integration.index)",
                "attempts": "\(result.attempts)", "err": "\(result.error)",
            ])
            record(integration, toSend, outcome: .failed, attempts: result.attempts, error: result.error, body: body)
            outcome.failed = true
        }
        return outcome
    }

    /// Alertmanager 0.25's DedupStage.needsUpdate.
    static func needsUpdate(
        _ entry: NotificationLogEntry?, firing: Set<Fingerprint>, resolved: Set<Fingerprint>,
        repeatInterval: ModelDuration, sendResolved: Bool, now: Date
    ) -> Bool {
        guard let entry else { return !firing.isEmpty }
        if !firing.isSubset(of: entry.firing) { return true }
        // All resolved: notify if the receiver was told about firing alerts, whatever
        // send_resolved says, so the log forgets them.
        if firing.isEmpty { return !entry.firing.isEmpty }
        if sendResolved && !resolved.isSubset(of: entry.resolved) { return true }
        return entry.timestamp < now.addingTimeInterval(-repeatInterval.seconds)
    }

    func logSent(_ integration: Integration, context: NotificationContext, firing: Set<Fingerprint>, resolved: Set<Fingerprint>) {
        let at = clock.now()
        try? store.log(NotificationLogEntry(
            receiver: integration.identity, groupKey: context.groupKey, timestamp: at, firing: firing, resolved: resolved,
            expiresAt: at.addingTimeInterval(options.retention)))
    }

    func record(_ integration: Integration, _ context: NotificationContext, outcome: NotificationRecord.Outcome, attempts: Int, error: String, body: String) {
        try? store.appendHistory(NotificationRecord(
            at: clock.now(), receiver: integration.receiver, integration: "\(integration.name)/\(integration.index)",
            groupKey: context.groupKey, status: context.status, numFiring: context.firing.count,
            numResolved: context.resolved.count, outcome: outcome, attempts: attempts, error: error, body: body))
    }

    /// PagerDuty bodies carry the routing key; history shows `<secret>` instead.
    func redactedBody(_ integration: Integration, _ body: String) -> String {
        guard case .pagerduty(let c) = integration.kind else { return body }
        var out = body
        for key in [c.routingKey?.value, c.serviceKey?.value].compactMap({ $0 }) where !key.isEmpty {
            out = out.replacingOccurrences(of: key, with: "<secret>")
        }
        return out
    }
}
