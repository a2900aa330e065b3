import Foundation

/// A silence: alerts whose labels match every matcher are not notified between start and end.
public struct Silence: Sendable, Equatable, Identifiable {
    public enum State: String, Sendable { case pending, active, expired }

    public var id: String
    public var matchers: [Matcher]
    public var startsAt: Date
    public var endsAt: Date
    public var updatedAt: Date
    public var createdBy: String
    public var comment: String

    public init(
        id: String = "", matchers: [Matcher], startsAt: Date, endsAt: Date, updatedAt: Date = Date(),
        createdBy: String, comment: String
    ) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.comment = comment
    }

    public func state(at now: Date) -> State {
        if endsAt <= now { return .expired }
        if startsAt > now { return .pending }
        return .active
    }

    public func mutes(_ labels: [String: String], at now: Date) -> Bool {
        state(at: now) == .active && matchers.matches(labels)
    }

    /// Alertmanager's validateSilence.
    func validate() throws(SilenceError) {
        if matchers.isEmpty { throw SilenceError("at least one matcher required") }
        if matchers.allSatisfy({ $0.matches("") }) { throw SilenceError("at least one matcher must not match the empty string") }
        for (i, m) in matchers.enumerated() where !YAMLReader.isLabelName(m.name) {
            throw SilenceError("invalid label matcher \(i): invalid label name \(GoQuote.quote(m.name))")
        }
        if endsAt < startsAt { throw SilenceError("end time must not be before start time") }
    }

    /// Alertmanager's canUpdate: an edit keeps the id only when the matchers stay the same
    /// and the times change in a way that does not rewrite the past.
    func canBeUpdated(to b: Silence, now: Date) -> Bool {
        guard matchers == b.matchers else { return false }
        switch state(at: now) {
        case .active:
            if Int64(b.startsAt.timeIntervalSince1970) != Int64(startsAt.timeIntervalSince1970) { return false }
            if b.endsAt < now { return false }
        case .pending:
            if b.startsAt < now { return false }
        case .expired:
            return false
        }
        return true
    }
}

public struct SilenceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
