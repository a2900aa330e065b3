import Foundation
import Template

/// `vigil notify test RECEIVER`: sends a sample notification through every integration of
/// one receiver now, without waiting for a real incident, and records it in the history.
public enum ReceiverTest {
    public struct Result: Sendable {
        public var integration: String
        public var delivered: Bool
        public var attempts: Int
        public var error: String
    }

    /// The sample alert Alertmanager's own `amtool` users send by hand.
    public static func sampleAlerts(now: Date) -> [Alert] {
        [Alert(
            labels: ["alertname": "VigilTestAlert", "severity": "info", "instance": "vigil"],
            annotations: ["summary": "Test notification from Vigil", "description": "Sent by `vigil notify test`; no action needed."],
            startsAt: now, endsAt: .distantPast, generatorURL: "", updatedAt: now)]
    }

    /// Sends to `receiver`'s integrations; `output` is what the CLI prints, the code its exit code.
    public static func run(
        receiver name: String, config: AlertmanagerConfig, templates: TemplateSet, sender: HTTPSender,
        store: NotifyStore?, options: NotifierOptions = NotifierOptions(), now: Date = Date()
    ) async -> (output: String, exitCode: Int32, results: [Result]) {
        guard let receiver = config.receiver(named: name) else {
            let known = config.receivers.map(\.name).joined(separator: ", ")
            return ("vigil: error: no receiver named \(GoQuote.quote(name)) (receivers: \(known))\n", 1, [])
        }
        let integrations = Integration.all(for: receiver, baseDirectory: config.baseDirectory)
        if integrations.isEmpty {
            return ("receiver \(GoQuote.quote(name)) has no integration Vigil can send to\n", 1, [])
        }
        let alerts = sampleAlerts(now: now)
        let context = NotificationContext(
            receiver: name, groupKey: "{}:{alertname=\"VigilTestAlert\"}", groupLabels: ["alertname": "VigilTestAlert"],
            alerts: alerts, now: now, externalURL: options.externalURL)
        var results: [Result] = []
        var output = ""
        for integration in integrations {
            let label = "\(integration.name)/\(integration.index)"
            var result = Result(integration: label, delivered: false, attempts: 0, error: "")
            var body = ""
            do {
                let request = try integration.request(context, templates: templates)
                body = request.body
                let deadline = ContinuousClock.now + .milliseconds(Int64((options.flushTimeout ?? 30) * 1000))
                let r = await sender.post(
                    url: request.url, body: request.body, headers: request.headers, policy: options.retry,
                    deadline: deadline, transport: request.transport)
                result.delivered = r.delivered
                result.attempts = r.attempts
                result.error = r.error
            } catch {
                result.error = error.description
            }
            try? store?.appendHistory(NotificationRecord(
                at: Date(), receiver: name, integration: label, groupKey: context.groupKey, status: "firing", numFiring: 1,
                numResolved: 0, outcome: result.delivered ? .sent : .failed, attempts: result.attempts, error: result.error,
                body: integration.name == "pagerduty" ? "" : body))
            output += result.delivered
                ? "\(name) \(label): sent (\(result.attempts) attempt\(result.attempts == 1 ? "" : "s"))\n"
                : "\(name) \(label): FAILED: \(result.error)\n"
            results.append(result)
        }
        return (output, results.allSatisfy(\.delivered) ? 0 : 1, results)
    }
}
