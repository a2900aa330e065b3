import Foundation

/// The silences, kept in memory for matching and in SQLite so a restart loses none.
/// Shared by the dispatcher (matching at every flush) and the API (create/expire).
public final class Silences: @unchecked Sendable {
    let store: NotifyStore?
    let lock = NSLock()
    var byID: [String: Silence] = [:]
    /// How long an expired silence is kept (Alertmanager's --data.retention, 120h).
    public let retention: TimeInterval

    public init(store: NotifyStore?, retention: TimeInterval = 120 * 3600) throws {
        self.store = store
        self.retention = retention
        for s in try store?.loadSilences() ?? [] { byID[s.id] = s }
    }

    public func list() -> [Silence] {
        lock.lock(); defer { lock.unlock() }
        return byID.values.sorted { $0.updatedAt > $1.updatedAt }
    }

    public func get(_ id: String) -> Silence? {
        lock.lock(); defer { lock.unlock() }
        return byID[id]
    }

    /// Creates or updates a silence as Alertmanager's `Silences.Set` does: an update that
    /// changes the matchers or rewrites the past expires the old silence and creates a new
    /// one. Returns the id it is stored under.
    @discardableResult
    public func set(_ input: Silence, now: Date = Date()) throws -> String {
        var s = input
        try s.validate()
        lock.lock(); defer { lock.unlock() }
        if !s.id.isEmpty {
            guard let prev = byID[s.id] else { throw SilenceError("silence \(s.id) not found") }
            if prev.canBeUpdated(to: s, now: now) {
                s.updatedAt = now
                try store?.saveSilence(s)
                byID[s.id] = s
                return s.id
            }
            if prev.state(at: now) != .expired { try expireLocked(prev, now: now) }
        }
        if s.endsAt < now { throw SilenceError("end time can't be in the past") }
        if s.startsAt < now { s.startsAt = now }
        s.id = UUID().uuidString.lowercased()
        s.updatedAt = now
        try store?.saveSilence(s)
        byID[s.id] = s
        return s.id
    }

    public func expire(_ id: String, now: Date = Date()) throws {
        lock.lock(); defer { lock.unlock() }
        guard let s = byID[id] else { throw SilenceError("silence \(id) not found") }
        if s.state(at: now) == .expired { throw SilenceError("silence \(id) already expired") }
        try expireLocked(s, now: now)
    }

    private func expireLocked(_ prev: Silence, now: Date) throws {
        var s = prev
        if s.state(at: now) == .pending { s.startsAt = now }
        s.endsAt = now
        s.updatedAt = now
        try store?.saveSilence(s)
        byID[s.id] = s
    }

    /// Ids of the active silences that match `labels`.
    public func mutingIDs(_ labels: [String: String], now: Date) -> [String] {
        lock.lock(); defer { lock.unlock() }
        return byID.values.filter { $0.mutes(labels, at: now) }.map(\.id).sorted()
    }

    /// Drops silences expired longer than the retention ago.
    public func collectGarbage(now: Date) throws {
        let cutoff = now.addingTimeInterval(-retention)
        lock.lock(); defer { lock.unlock() }
        byID = byID.filter { $0.value.endsAt >= cutoff }
        try store?.deleteSilences(endedBefore: cutoff)
    }
}
