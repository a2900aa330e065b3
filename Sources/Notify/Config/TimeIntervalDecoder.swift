import Foundation
import Yams

/// `time_intervals:` (and the deprecated `mute_time_intervals:`): named sets of periods
/// (times of day, weekdays, days of month, months, years, location).
enum TimeIntervalDecoder {
    static func decode(_ node: Node, _ r: inout YAMLReader, what: String) throws(ConfigError) -> TimeIntervalConfig {
        var ti = TimeIntervalConfig()
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "name": ti.name = r.string(v)
            case "time_intervals":
                for n in ConfigLoader.sequence(v, &r, "[]timeinterval.TimeInterval") { ti.intervals.append(try period(n, &r)) }
            default: return false
            }
            return true
        }
        if ok && ti.name.isEmpty { throw r.fatal("missing name in \(what)", at: node) }
        return ti
    }

    static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august",
                             "september", "october", "november", "december"]

    static func period(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> TimePeriod {
        var p = TimePeriod()
        _ = try r.fields(node, type: "timeinterval.plain") { (r, key, v) throws(ConfigError) in
            switch key {
            case "times":
                for n in ConfigLoader.sequence(v, &r, "[]timeinterval.TimeRange") {
                    var start = "", end = ""
                    _ = try r.fields(n, type: "timeinterval.TimeRange") { (r, key, v) throws(ConfigError) in
                        switch key {
                        case "start_time": start = r.string(v)
                        case "end_time": end = r.string(v)
                        default: return false
                        }
                        return true
                    }
                    guard let s = minutes(start), let e = minutes(end), s < e else {
                        throw r.fatal("couldn't parse timestamp \(start), invalid format", at: n)
                    }
                    p.times.append(s...(e - 1))
                }
            case "weekdays": p.weekdays = try ranges(v, &r, names: weekdayNames, base: 0, bounds: 0...6, what: "weekday")
            case "days_of_month": p.daysOfMonth = try ranges(v, &r, names: [], base: 0, bounds: -31...31, what: "day of month")
            case "months": p.months = try ranges(v, &r, names: monthNames, base: 1, bounds: 1...12, what: "month")
            case "years": p.years = try ranges(v, &r, names: [], base: 0, bounds: 0...9999, what: "year")
            case "location":
                p.location = r.string(v)
                if TimeZone(identifier: p.location) == nil && p.location != "Local" {
                    throw r.fatal("unknown time zone \(p.location)", at: v)
                }
            default: return false
            }
            return true
        }
        return p
    }

    /// `HH:MM` → minutes since midnight (24:00 allowed as an end).
    static func minutes(_ s: String) -> Int? {
        let parts = s.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0...59).contains(m),
              h < 24 || m == 0 else { return nil }
        return h * 60 + m
    }

    static func ranges(
        _ node: Node, _ r: inout YAMLReader, names: [String], base: Int, bounds: ClosedRange<Int>, what: String
    ) throws(ConfigError) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        for item in r.stringList(node) {
            let parts = item.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            func value(_ s: String) -> Int? {
                if let i = names.firstIndex(of: s) { return i + base }
                if let v = Int(s), bounds.contains(v), v != 0 || bounds.lowerBound == 0 { return v }
                return nil
            }
            guard (1...2).contains(parts.count), let lo = value(parts[0]), let hi = value(parts.count == 2 ? parts[1] : parts[0]) else {
                throw r.fatal("invalid \(what): \(item)", at: node)
            }
            if lo > hi && !(lo < 0 || hi < 0) { throw r.fatal("start day cannot be before end day", at: node) }
            out.append(min(lo, hi)...max(lo, hi))
        }
        return out
    }
}
