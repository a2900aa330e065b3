import Foundation

/// Evaluates `time_intervals` for routes' mute_time_intervals / active_time_intervals.
public struct TimeIntervals: Sendable {
    let byName: [String: [TimePeriod]]

    public init(_ config: AlertmanagerConfig) {
        var m: [String: [TimePeriod]] = [:]
        for t in config.muteTimeIntervals + config.timeIntervals { m[t.name] = t.intervals }
        byName = m
    }

    /// Whether any period of the named interval contains `date`.
    public func contains(_ name: String, _ date: Date) -> Bool {
        (byName[name] ?? []).contains { $0.contains(date) }
    }
}

extension TimePeriod {
    public func contains(_ date: Date) -> Bool {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: location == "Local" ? TimeZone.current.identifier : location) ?? TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        if !times.isEmpty && !times.contains(where: { $0.contains(minute) }) { return false }
        if !weekdays.isEmpty && !weekdays.contains(where: { $0.contains((c.weekday ?? 1) - 1) }) { return false }
        if !months.isEmpty && !months.contains(where: { $0.contains(c.month ?? 1) }) { return false }
        if !years.isEmpty && !years.contains(where: { $0.contains(c.year ?? 0) }) { return false }
        if !daysOfMonth.isEmpty {
            let day = c.day ?? 1
            let daysInMonth = cal.range(of: .day, in: .month, for: date)?.count ?? 31
            let hit = daysOfMonth.contains { r in
                let lo = r.lowerBound < 0 ? daysInMonth + r.lowerBound + 1 : r.lowerBound
                let hi = r.upperBound < 0 ? daysInMonth + r.upperBound + 1 : r.upperBound
                return lo <= day && day <= hi
            }
            if !hit { return false }
        }
        return true
    }
}
