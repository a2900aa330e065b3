import Foundation
import Notify
import Rules
import Template

/// What a backtest's alerts would have produced in the built-in Alertmanager: the alerts the
/// rules sent, fed at their evaluation times into a dispatcher running on a simulated clock
/// with a sender that sends nothing, so grouping, group_wait, group_interval, repeat_interval,
/// inhibition and resolution play out exactly as live. Nothing is sent; nothing persists.
public enum NotificationReplay {
    /// One notification that would have been sent.
    public struct Notification: Sendable {
        public var at: Date
        public var receiver: String
        public var integration: String
        /// "firing" or "resolved".
        public var status: String
        public var firing: Int
        public var resolved: Int
        /// The rendered title (Slack), summary (PagerDuty) or group key (webhook).
        public var title: String
    }

    public struct ReplayError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(_ sent: [(at: Int64, alerts: [OutgoingAlert])], alertmanagerConfig file: String,
                           from: Int64, to: Int64, externalURL: String) async throws -> [Notification] {
        let config: AlertmanagerConfig
        do { config = try ConfigLoader.load(file: file) } catch { throw ReplayError(description: "\(error)") }
        let templates: TemplateSet
        do { templates = try TemplateLoader.load(globs: config.templates, baseDirectory: config.baseDirectory) } catch {
            throw ReplayError(description: "\(file): failed to parse templates: \(error)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ManualClock(Date(timeIntervalSince1970: Double(from) / 1000))
        let store = try NotifyStore(path: dir + "/notify.db")
        let dispatcher = try Dispatcher(config: config, templates: templates, store: store, sender: .dryRun(), clock: clock,
                                        options: NotifierOptions(externalURL: externalURL))
        // One simulated second at a time, to the end of the range and a bit beyond so the last
        // resolutions and group_interval ticks play out.
        var next = 0
        var t = from
        let end = to + 10 * 60_000
        while t <= end {
            clock.set(Date(timeIntervalSince1970: Double(t) / 1000))
            var batch: [PostableAlert] = []
            while next < sent.count, sent[next].at <= t {
                batch += sent[next].alerts.map(PostableAlert.init(outgoing:))
                next += 1
            }
            if !batch.isEmpty { await dispatcher.receive(batch) }
            await dispatcher.tick(wait: true)
            t += 1000
        }
        let records = try dispatcher.history(limit: 1_000_000).sorted { $0.at < $1.at }
        return records.map { r in
            Notification(at: r.at, receiver: r.receiver, integration: r.integration, status: r.status, firing: r.numFiring,
                         resolved: r.numResolved, title: title(of: r.body) ?? r.groupKey)
        }
    }

    /// The title of a Slack body, the summary of a PagerDuty one.
    static func title(of body: String) -> String? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
        if let a = (o["attachments"] as? [[String: Any]])?.first, let t = a["title"] as? String { return t }
        if let p = o["payload"] as? [String: Any], let s = p["summary"] as? String { return s }
        if let d = o["description"] as? String { return d }
        return nil
    }
}

extension PostableAlert {
    /// The rule engine's alert as the Alertmanager API receives it.
    init(outgoing a: OutgoingAlert) {
        self.init(
            labels: Dictionary(a.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { x, _ in x }),
            annotations: Dictionary(a.annotations.map { ($0.name, $0.value) }, uniquingKeysWith: { _, y in y }),
            startsAt: Date(timeIntervalSince1970: Double(a.startsAt) / 1000),
            endsAt: Date(timeIntervalSince1970: Double(a.endsAt) / 1000),
            generatorURL: a.generatorURL)
    }
}
