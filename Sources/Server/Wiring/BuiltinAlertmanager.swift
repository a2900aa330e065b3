import Foundation
import Notify
import Rules
import Synchronization
import TSDB

/// The built-in Alertmanager of `vigil run` (`--alertmanager.config`): the current dispatcher,
/// replaced on reload, and its timer loop. State (silences, notification log, alerts) lives in
/// `<storage>/notify.db`, so a reload or restart neither loses a silence nor re-sends.
final class BuiltinAlertmanager: Sendable {
    let configFile: String
    let dataDirectory: String
    let options: NotifierOptions
    private let state = Mutex<(dispatcher: Dispatcher?, loop: Task<Void, Never>?, configText: String)>((nil, nil, ""))
    let startedAt = Date()

    init(configFile: String, dataDirectory: String, options: NotifierOptions) {
        self.configFile = configFile
        self.dataDirectory = dataDirectory
        self.options = options
    }

    var dispatcher: Dispatcher? { state.withLock { $0.dispatcher } }
    var configText: String { state.withLock { $0.configText } }

    /// Loads the config and starts (or replaces) the dispatcher. On error the running one stays.
    func load() async throws {
        let d = try NotifyService.make(configFile: configFile, dataDirectory: dataDirectory, options: options)
        let text = (try? String(contentsOfFile: configFile, encoding: .utf8)) ?? ""
        let old = state.withLock { s -> Task<Void, Never>? in
            let old = s.loop
            s.loop = nil
            return old
        }
        old?.cancel()
        await old?.value
        let loop = Task { await d.run() }
        state.withLock { $0 = (d, loop, text) }
    }

    func stop() async {
        let loop = state.withLock { $0.loop }
        loop?.cancel()
        await loop?.value
    }
}

/// Delivers the rule engine's alerts to the built-in Alertmanager (without waiting) and to
/// the external Alertmanagers of prometheus.yml's `alerting` section.
struct AlertDelivery: AlertNotifier {
    let builtin: BuiltinAlertmanager?
    let forwarding: ForwarderBox

    func send(_ alerts: [OutgoingAlert]) {
        let posts = alerts.map(PostableAlert.init(outgoing:))
        builtin?.dispatcher?.submit(posts)
        if let forwarder = forwarding.get() {
            Task { _ = await forwarder.send(posts) }
        }
    }
}

/// The external Alertmanagers in force, replaced when prometheus.yml is reloaded.
final class ForwarderBox: Sendable {
    private let value: Mutex<AlertmanagerForwarder?>
    init(_ f: AlertmanagerForwarder?) { value = Mutex(f) }
    func get() -> AlertmanagerForwarder? { value.withLock { $0 } }
    func set(_ f: AlertmanagerForwarder?) { value.withLock { $0 = f } }
}
