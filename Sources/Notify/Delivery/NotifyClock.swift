import Foundation

/// Where the dispatcher reads the time. Tests drive a `ManualClock` so a timeline of
/// group_wait / group_interval / repeat_interval runs in milliseconds.
public protocol NotifyClock: Sendable {
    func now() -> Date
}

public struct SystemClock: NotifyClock {
    public init() {}
    public func now() -> Date { Date() }
}

public final class ManualClock: NotifyClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = start }

    public func now() -> Date {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    public func advance(by seconds: TimeInterval) {
        lock.lock(); defer { lock.unlock() }
        current = current.addingTimeInterval(seconds)
    }

    public func set(_ date: Date) {
        lock.lock(); defer { lock.unlock() }
        current = date
    }
}
