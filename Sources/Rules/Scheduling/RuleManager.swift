import Foundation
import Logging
import TSDB

/// Runs rule groups on their schedules and reloads them.
///
/// Each group is evaluated every `interval` at fixed slots (an offset derived from the group's
/// file and name spreads groups over the interval), never twice at once: a round that runs
/// past the next slot skips the slots it missed (counted) instead of piling them up.
/// Evaluations run on a few dedicated threads, so a slow rule never blocks the HTTP server's
/// threads, and a slow group delays others only when every worker is busy.
public final class RuleManager: @unchecked Sendable {
    public struct Options: Sendable {
        /// The default interval of groups that set none (ms), the global `evaluation_interval`.
        public var evaluationInterval: Int64 = 60_000
        public var restore = AlertRestoreOptions()
        /// Threads evaluating groups.
        public var workers = 2
        public init() {}
    }

    private let environment: RuleEnvironment
    private let stateStore: (any AlertStateStore)?
    private let options: Options
    private let logger: Logger
    private let cond = NSCondition()
    // Guarded by `cond`.
    private var entries: [ScheduledGroup] = []
    private var started = false
    private var stopping = false
    private var runningWorkers = 0

    public init(environment: RuleEnvironment, stateStore: (any AlertStateStore)?, options: Options = Options(),
                logger: Logger = Logger(label: "vigil.rules")) {
        self.environment = environment
        self.stateStore = stateStore
        self.options = options
        self.logger = logger
    }

    /// The groups now loaded, in file order.
    public var groups: [RuleGroup] {
        cond.lock()
        defer { cond.unlock() }
        return entries.map(\.group)
    }

    /// Loads `paths` (rule files; globs already expanded) in place of the current rules.
    ///
    /// A file that fails to load keeps the groups it had (one bad file does not stop the
    /// others); its errors are returned by path. Groups that did not change keep running
    /// untouched; changed ones take over the state (alerts, series written) of the rules they
    /// replace; removed rules and groups get stale markers on everything they wrote.
    /// `embedded` are groups built in memory (the default rule set), loaded after the files.
    @discardableResult
    public func update(files: [String], embedded: [RuleGroup] = []) -> [String: RuleFileErrors] {
        var errors: [String: RuleFileErrors] = [:]
        var loaded: [String: [RuleGroup]] = [:]
        var paths = files
        for g in embedded where loaded[g.file] == nil {
            paths.append(g.file)
            loaded[g.file] = embedded.filter { $0.file == g.file }
        }
        for p in files {
            switch RuleGroupLoader.load(p, defaultInterval: options.evaluationInterval) {
            case .success(let gs): loaded[p] = gs
            case .failure(let e):
                errors[p] = e
                logger.error("loading rule file failed; its previous rules stay loaded", metadata: ["file": "\(p)", "err": "\(e)"])
            }
        }
        let now = Self.nowMilliseconds()
        cond.lock()
        defer { cond.unlock() }
        while entries.contains(where: \.running) { cond.wait() }
        let old = Dictionary(entries.map { ($0.group.key, $0) }, uniquingKeysWith: { a, _ in a })
        var next: [ScheduledGroup] = []
        var kept = Set<String>()
        for p in paths {
            guard let groups = loaded[p] else {
                // Failed: keep what this file had.
                for e in entries where e.group.file == p {
                    next.append(e)
                    kept.insert(e.group.key)
                }
                continue
            }
            for g in groups {
                if let o = old[g.key] {
                    kept.insert(g.key)
                    if o.group.isEquivalent(to: g) {
                        next.append(o)
                        continue
                    }
                    g.takeState(from: o.group, at: now, storage: environment.storage)
                    let e = ScheduledGroup(group: g, nextSlot: o.nextSlot)
                    e.restorePending = o.restorePending
                    next.append(e)
                } else {
                    let e = ScheduledGroup(group: g, nextSlot: Self.firstSlot(for: g, after: now))
                    e.restorePending = stateStore != nil
                    next.append(e)
                }
            }
        }
        for (key, o) in old where !kept.contains(key) {
            o.group.markAllStale(at: now, storage: environment.storage)
            try? stateStore?.saveAlertState(group: key, nil)
        }
        entries = next
        cond.broadcast()
        return errors
    }

    /// Starts the worker threads.
    public func start() {
        cond.lock()
        defer { cond.unlock() }
        guard !started else { return }
        started = true
        for i in 0..<max(1, options.workers) {
            runningWorkers += 1
            let t = Thread { [self] in workerLoop() }
            t.name = "vigil-rules-\(i)"
            t.start()
        }
    }

    /// Stops scheduling; evaluations in progress finish first (SIGTERM finishes the round).
    public func stop() {
        cond.lock()
        stopping = true
        cond.broadcast()
        while runningWorkers > 0 { cond.wait() }
        cond.unlock()
    }

    private func workerLoop() {
        cond.lock()
        defer {
            runningWorkers -= 1
            cond.broadcast()
            cond.unlock()
        }
        while !stopping {
            let now = Self.nowMilliseconds()
            var due: ScheduledGroup?
            var wake = now + 3_600_000
            for e in entries where !e.running {
                if e.nextSlot <= now {
                    if due == nil || e.nextSlot < due!.nextSlot { due = e }
                } else {
                    wake = min(wake, e.nextSlot)
                }
            }
            guard let e = due else {
                _ = cond.wait(until: Date(timeIntervalSince1970: Double(wake) / 1000))
                continue
            }
            e.running = true
            let slot = e.nextSlot
            cond.unlock()
            run(e, at: slot)
            cond.lock()
            e.running = false
            let after = Self.nowMilliseconds()
            let interval = e.group.interval
            var nextSlot = slot + interval
            if nextSlot <= after {
                let missed = (after - slot) / interval - 1
                if missed > 0 { e.group.state.withLock { $0.missedIterations += Int(missed) } }
                nextSlot = slot + (missed + 1) * interval
            }
            e.nextSlot = nextSlot
            cond.broadcast()
        }
    }

    /// One round of a group: restore saved alerts first when it is the group's first round,
    /// evaluate, then save the alert states.
    private func run(_ e: ScheduledGroup, at ts: Int64) {
        let g = e.group
        if e.restorePending, let store = stateStore {
            e.restorePending = false
            do {
                if let bytes = try store.loadAlertState(group: g.key), let saved = AlertStateCoding.decode(bytes) {
                    g.restore(saved, at: ts, options: options.restore)
                    e.restoreRoundsLeft = 2
                }
            } catch {
                logger.warning("restoring alert states failed", metadata: ["group": "\(g.name)", "err": "\(error)"])
            }
        }
        g.evaluate(at: ts, environment: environment)
        if e.restoreRoundsLeft > 0 {
            e.restoreRoundsLeft -= 1
            if e.restoreRoundsLeft == 0 { g.finishRestore(at: ts) }
        }
        if let store = stateStore, let st = g.persistedState(at: ts) {
            let empty = st.rules.allSatisfy { $0.alerts.isEmpty }
            if !(empty && e.savedEmpty) {
                do {
                    try store.saveAlertState(group: g.key, empty ? nil : AlertStateCoding.encode(st))
                    e.savedEmpty = empty
                } catch {
                    logger.warning("saving alert states failed", metadata: ["group": "\(g.name)", "err": "\(error)"])
                }
            }
        }
    }

    /// The first evaluation slot after `now`: slots are `offset + k·interval`, the offset a
    /// hash of the group's key, so groups with equal intervals spread out.
    static func firstSlot(for g: RuleGroup, after now: Int64) -> Int64 {
        let offset = Int64(fnv1a(g.key) % UInt64(g.interval))
        let base = now - offset
        return base - ((base % g.interval) + g.interval) % g.interval + offset + g.interval
    }

    static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// A group with its place in the schedule; guarded by the manager's lock.
final class ScheduledGroup {
    let group: RuleGroup
    var nextSlot: Int64
    var running = false
    /// The saved alert states are still to be loaded (the group's first round).
    var restorePending = false
    /// Rounds left before restored alerts that did not come back are settled.
    var restoreRoundsLeft = 0
    /// The last save stored "no alerts"; saves nothing again until there are some.
    var savedEmpty = false

    init(group: RuleGroup, nextSlot: Int64) {
        self.group = group
        self.nextSlot = nextSlot
    }
}

func fnv1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    return h
}
