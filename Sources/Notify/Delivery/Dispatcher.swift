import Foundation
import Template

/// The built-in Alertmanager's core: receives alerts, routes them into aggregation groups
/// and flushes each group on Alertmanager's timers (first after group_wait, then on every
/// group_interval tick; the notification log decides whether a tick sends).
///
/// Time comes from `clock` and flushing is driven by `tick()`: `run()` ticks on the real
/// clock, tests tick a `ManualClock` through a scripted timeline.
public actor Dispatcher {
    struct Group {
        let route: Route
        let labels: [String: String]
        let key: String
        var alerts: [Fingerprint: Alert] = [:]
        var next: Date
        var hasFlushed = false
        var flushing = false
    }

    public nonisolated let config: AlertmanagerConfig
    public nonisolated let tree: Route
    public nonisolated let silences: Silences
    let store: NotifyStore
    let pipeline: NotificationPipeline
    let clock: NotifyClock
    let options: NotifierOptions
    var alerts: [Fingerprint: Alert] = [:]
    var groups: [String: Group] = [:]
    var counters: [String: DeliveryCounters] = [:]
    var nextMaintenance: Date
    /// Alerts handed over without waiting (`submit`), taken in order on the next tick.
    nonisolated let inbox = AlertInbox()

    /// Builds the dispatcher and restores the alerts that were active when it last stopped.
    public init(
        config: AlertmanagerConfig, templates: TemplateSet, store: NotifyStore, sender: HTTPSender,
        clock: NotifyClock = SystemClock(), options: NotifierOptions = NotifierOptions()
    ) throws {
        self.config = config
        self.tree = Route(config.route)
        self.store = store
        self.clock = clock
        self.options = options
        let silences = try Silences(store: store, retention: options.retention)
        self.silences = silences
        pipeline = NotificationPipeline(
            config: config, inhibitor: Inhibitor(rules: config.inhibitRules), intervals: TimeIntervals(config),
            templates: templates, store: store, silences: silences, sender: sender, clock: clock, options: options)
        nextMaintenance = clock.now().addingTimeInterval(options.maintenanceInterval)
        let now = clock.now()
        for a in try store.loadAlerts() {
            alerts[a.fingerprint] = a
            for (id, g) in Dispatcher.place(a, tree: tree, now: now, groups: groups) { groups[id] = g }
        }
    }

    /// Alertmanager's API v2 POST /alerts: each valid alert is stored and routed; the
    /// invalid ones are reported (and the rest still kept).
    @discardableResult
    public func receive(_ posted: [PostableAlert]) -> [String] {
        let now = clock.now()
        var errors: [String] = []
        var accepted: [Alert] = []
        for var p in posted {
            // Alertmanager drops empty-valued labels before validating.
            p.labels = p.labels.filter { !$0.value.isEmpty }
            if let problem = Dispatcher.validate(p) {
                errors.append(problem)
                continue
            }
            var a = p.received(at: now, resolveTimeout: config.global.resolveTimeout)
            if let old = alerts[a.fingerprint], old.overlaps(a) { a = old.merged(with: a, now: now) }
            alerts[a.fingerprint] = a
            accepted.append(a)
        }
        try? store.saveAlerts(accepted)
        for a in accepted {
            for (id, g) in Dispatcher.place(a, tree: tree, now: now, groups: groups) { groups[id] = g }
        }
        return errors
    }

    /// Hands alerts over without waiting, for callers that must not block (the rule engine's
    /// notifier): they are received, in the order submitted, at the start of the next tick.
    public nonisolated func submit(_ alerts: [PostableAlert]) {
        inbox.append(alerts)
    }

    static func validate(_ p: PostableAlert) -> String? {
        if p.labels.isEmpty { return "at least one label pair required" }
        for k in p.labels.keys {
            if !YAMLReader.isLabelName(k) { return "invalid label set: invalid name \(GoQuote.quote(k))" }
        }
        if let s = p.startsAt, let e = p.endsAt, e < s { return "start time must be before end time" }
        return nil
    }

    /// The groups an alert lands in (updated copies), keyed by route id and group key.
    static func place(_ a: Alert, tree: Route, now: Date, groups: [String: Group]) -> [(String, Group)] {
        tree.match(a.labels).map { r in
            let labels = r.groupLabels(a.labels)
            let key = r.key + ":" + labelSetString(labels)
            let id = r.id + "\u{0}" + key
            var g = groups[id] ?? Group(route: r, labels: labels, key: key, next: now.addingTimeInterval(r.options.groupWait.seconds))
            g.alerts[a.fingerprint] = a
            // An alert that started long enough ago is flushed at once.
            if !g.hasFlushed && a.startsAt.addingTimeInterval(r.options.groupWait.seconds) < now { g.next = now }
            return (id, g)
        }
    }

    /// Flushes every group whose timer is due; with `wait`, returns once those flushes ended.
    public func tick(wait: Bool = true) async {
        let submitted = inbox.drain()
        if !submitted.isEmpty { receive(submitted) }
        let now = clock.now()
        if now >= nextMaintenance { maintain(now: now) }
        let due = groups.filter { !$0.value.flushing && $0.value.next <= now }.map(\.key).sorted()
        for id in due {
            let interval = groups[id]!.route.options.groupInterval.seconds
            let scheduled = groups[id]!.next
            groups[id]!.next = (scheduled.addingTimeInterval(interval) > now ? scheduled : now).addingTimeInterval(interval)
            groups[id]!.hasFlushed = true
            groups[id]!.flushing = true
        }
        if due.isEmpty { return }
        // One index of inhibiting alerts for every group flushed on this tick.
        let inhibition = InhibitionIndex(pipeline.inhibitor, alerts: Array(alerts.values), now: now)
        if wait {
            await withTaskGroup(of: Void.self) { tg in
                for id in due { tg.addTask { await self.flush(id, now: now, inhibition: inhibition) } }
            }
        } else {
            for id in due { Task { await self.flush(id, now: now, inhibition: inhibition) } }
        }
    }

    func flush(_ id: String, now: Date, inhibition: InhibitionIndex) async {
        guard let g = groups[id] else { return }
        let snapshot = Array(g.alerts.values)
        let (ok, outcomes) = await pipeline.flush(
            route: g.route.options, groupKey: g.key, groupLabels: g.labels, alerts: snapshot,
            inhibition: inhibition, now: now)
        for o in outcomes {
            if o.sent { counters[o.identity, default: DeliveryCounters()].sent += 1 }
            if o.failed { counters[o.identity, default: DeliveryCounters()].failed += 1 }
        }
        guard groups[id] != nil else { return }
        groups[id]!.flushing = false
        guard ok else { return }
        // Resolved alerts leave the group once notified, unless updated meanwhile.
        for a in snapshot where a.resolved(at: now) {
            if let current = groups[id]!.alerts[a.fingerprint], current.updatedAt == a.updatedAt {
                groups[id]!.alerts[a.fingerprint] = nil
            }
        }
    }

    /// Alertmanager's periodic clean-up: empty groups go, resolved alerts no group holds
    /// go, and old log rows, silences and history are dropped.
    func maintain(now: Date) {
        nextMaintenance = now.addingTimeInterval(options.maintenanceInterval)
        groups = groups.filter { !$0.value.alerts.isEmpty || $0.value.flushing }
        var held = Set<Fingerprint>()
        for g in groups.values { held.formUnion(g.alerts.keys) }
        let gone = alerts.values.filter { $0.resolved(at: now) && !held.contains($0.fingerprint) }.map(\.fingerprint)
        for fp in gone { alerts[fp] = nil }
        try? store.deleteAlerts(gone)
        try? store.deleteLogEntries(expiredBefore: now)
        try? silences.collectGarbage(now: now)
        try? store.deleteHistory(before: now.addingTimeInterval(-options.historyRetention))
    }

    /// Ticks on the real clock until cancelled; each group flushes in its own task, so a
    /// slow receiver never holds up another group.
    public func run(every interval: Duration = .milliseconds(250)) async {
        while !Task.isCancelled {
            await tick(wait: false)
            try? await Task.sleep(for: interval)
        }
        // Let flushes in flight finish (each ends by its own deadline).
        while groups.values.contains(where: \.flushing) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Queries

    public func deliveryCounters() -> [String: DeliveryCounters] { counters }

    /// Counts per receiver name, summed over its integrations.
    public func deliveryCounters(receiver: String) -> DeliveryCounters {
        counters.filter { $0.key.hasPrefix(receiver + "/") }.values.reduce(into: DeliveryCounters()) {
            $0.sent += $1.sent
            $0.failed += $1.failed
        }
    }

    /// The alerts Vigil knows, newest first.
    public func activeAlerts() -> [Alert] { alerts.values.sorted { alertOrder($0.labels, $1.labels) } }

    /// The group keys currently held, for the API and tests.
    public func groupKeys() -> [String] { groups.values.map(\.key).sorted() }

    public func isInhibited(_ labels: [String: String]) -> Bool {
        pipeline.inhibitor.isInhibited(labels, by: Array(alerts.values), now: clock.now())
    }
}

/// A lock-protected queue between synchronous callers and the dispatcher.
final class AlertInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [PostableAlert] = []

    func append(_ alerts: [PostableAlert]) {
        lock.lock(); defer { lock.unlock() }
        pending += alerts
    }

    func drain() -> [PostableAlert] {
        lock.lock(); defer { lock.unlock() }
        defer { pending = [] }
        return pending
    }
}
