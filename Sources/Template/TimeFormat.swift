import Foundation

/// Go's `time.Time` as templates see it: Alertmanager's `.StartsAt`/`.EndsAt`, Prometheus's
/// `toTime`. Kept as Unix seconds + nanoseconds + a fixed zone offset and name, which is all
/// Go's `String()` and `Format` need; layouts use Go's reference-time notation
/// ("2006-01-02 15:04:05"), not strftime.
public struct TemplateTime: Sendable, Equatable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int32
    /// Seconds east of UTC.
    public var utcOffset: Int
    public var zone: String

    public init(seconds: Int64, nanoseconds: Int32 = 0, utcOffset: Int = 0, zone: String = "UTC") {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.utcOffset = utcOffset
        self.zone = zone
    }

    public init(unixMilliseconds ms: Int64) {
        let (q, r) = ms.quotientAndRemainder(dividingBy: 1000)
        self.init(seconds: r < 0 ? q - 1 : q, nanoseconds: Int32((r < 0 ? r + 1000 : r) * 1_000_000))
    }

    public init(_ date: Date) {
        let t = date.timeIntervalSince1970
        let s = t.rounded(.down)
        var ns = ((t - s) * 1e9).rounded()
        var secs = Int64(s)
        if ns >= 1e9 {
            ns -= 1e9
            secs += 1
        }
        self.init(seconds: secs, nanoseconds: Int32(ns))
    }

    /// Go's zero time, 0001-01-01 00:00:00 UTC.
    public static let zero = TemplateTime(seconds: -62_135_596_800)

    public var isZero: Bool { seconds == TemplateTime.zero.seconds && nanoseconds == 0 }

    public var date: Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    public var unixNanoseconds: Int64 { seconds &* 1_000_000_000 &+ Int64(nanoseconds) }

    /// The same instant in the named IANA zone (Go's `t.In(time.LoadLocation(name))`).
    public func inZone(_ identifier: String) -> TemplateTime? {
        if identifier == "" || identifier == "UTC" { return inUTC }
        if identifier == "Local" { return inLocal }
        guard let tz = TimeZone(identifier: identifier) else { return nil }
        return inTimeZone(tz)
    }

    public var inUTC: TemplateTime { TemplateTime(seconds: seconds, nanoseconds: nanoseconds) }

    public var inLocal: TemplateTime { inTimeZone(TimeZone.current) }

    private func inTimeZone(_ tz: TimeZone) -> TemplateTime {
        let d = date
        let offset = tz.secondsFromGMT(for: d)
        var name = tz.abbreviation(for: d) ?? ""
        // Go takes abbreviations from tzdata ("CET", "JST"); Foundation often says "GMT+9".
        if name.hasPrefix("GMT") && name != "GMT" {
            name = TimeFormat.tzdataAbbreviation(tz.identifier, offset: offset, isDST: tz.isDaylightSavingTime(for: d))
                ?? TimeFormat.numericZone(offset)
        }
        return TemplateTime(seconds: seconds, nanoseconds: nanoseconds, utcOffset: offset, zone: name)
    }

    public func adding(nanoseconds d: Int64) -> TemplateTime {
        let total = Int64(nanoseconds) + d % 1_000_000_000
        var s = seconds + d / 1_000_000_000
        var ns = total
        if ns < 0 {
            ns += 1_000_000_000
            s -= 1
        } else if ns >= 1_000_000_000 {
            ns -= 1_000_000_000
            s += 1
        }
        return TemplateTime(seconds: s, nanoseconds: Int32(ns), utcOffset: utcOffset, zone: zone)
    }

    /// Go's Time.Sub: the duration t - u, saturated to the range of a Duration.
    public func subtracting(_ u: TemplateTime) -> Int64 {
        let (delta, o0) = seconds.subtractingReportingOverflow(u.seconds)
        let (secs, o1) = delta.multipliedReportingOverflow(by: 1_000_000_000)
        let (d, o2) = secs.addingReportingOverflow(Int64(nanoseconds) - Int64(u.nanoseconds))
        if !o0 && !o1 && !o2 { return d }
        return (seconds, nanoseconds) < (u.seconds, u.nanoseconds) ? Int64.min : Int64.max
    }

    /// Go's Time.String() (without the monotonic clock reading).
    public var description: String { format("2006-01-02 15:04:05.999999999 -0700 MST") }

    /// Go's Time.Format.
    public func format(_ layout: String) -> String { TimeFormat.format(self, layout) }

    /// Civil fields in the time's own zone.
    var civil: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int, yearDay: Int) {
        let local = seconds + Int64(utcOffset)
        var days = local / 86400
        var rem = local % 86400
        if rem < 0 {
            rem += 86400
            days -= 1
        }
        let (y, m, d) = TimeFormat.civilFromDays(days)
        let weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        let yearDay = Int(days - TimeFormat.daysFromCivil(y, 1, 1)) + 1
        return (y, m, d, Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60), weekday, yearDay)
    }
}

enum TimeFormat {
    static let longMonths = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    static let longDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    static func civilFromDays(_ z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(y + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(m > 2 ? m - 3 : m + 9)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The abbreviation tzdata gives a zone at this offset, read from its TZif file.
    static func tzdataAbbreviation(_ identifier: String, offset: Int, isDST: Bool) -> String? {
        guard !identifier.contains(".."),
            let data = FileManager.default.contents(atPath: "/usr/share/zoneinfo/" + identifier)
        else { return nil }
        let b = [UInt8](data)
        func u32(_ i: Int) -> Int {
            guard i + 4 <= b.count else { return 0 }
            return Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
        }
        guard b.count > 44, b[0] == 0x54, b[1] == 0x5A, b[2] == 0x69, b[3] == 0x66 else { return nil }
        // Header: counts of isut, isstd, leap, transitions, types, abbreviation chars.
        func block(_ h: Int, timeSize: Int) -> (types: Int, chars: Int, typesAt: Int, size: Int) {
            let (isut, isstd, leap, time, type, char) = (u32(h + 20), u32(h + 24), u32(h + 28), u32(h + 32), u32(h + 36), u32(h + 40))
            let typesAt = h + 44 + time * timeSize + time
            let size = 44 + time * timeSize + time + type * 6 + char + leap * (timeSize + 4) + isstd + isut
            return (type, char, typesAt, size)
        }
        var blk = block(0, timeSize: 4)
        if b[4] >= UInt8(ascii: "2") { blk = block(blk.size, timeSize: 8) }
        let charsAt = blk.typesAt + blk.types * 6
        guard charsAt + blk.chars <= b.count else { return nil }
        var found: String?
        for t in 0..<blk.types {
            let e = blk.typesAt + t * 6
            let utoff = Int(Int32(bitPattern: UInt32(u32(e))))
            guard utoff == offset, (b[e + 4] != 0) == isDST else { continue }
            var end = charsAt + Int(b[e + 5])
            let start = end
            while end < charsAt + blk.chars && b[end] != 0 { end += 1 }
            found = String(decoding: b[start..<end], as: UTF8.self)
        }
        return found
    }

    static func numericZone(_ offset: Int) -> String {
        let sign = offset < 0 ? "-" : "+"
        let m = abs(offset) / 60
        return sign + pad(m / 60, 2) + pad(m % 60, 2)
    }

    private static func pad(_ v: Int, _ width: Int, with c: Character = "0") -> String {
        let s = String(abs(v))
        let padded = s.count < width ? String(repeating: c, count: width - s.count) + s : s
        return v < 0 ? "-" + padded : padded
    }

    private enum Chunk {
        case literal(Substring)
        case longMonth, month, numMonth, zeroMonth, longWeekDay, weekDay
        case day, underDay, zeroDay, underYearDay, zeroYearDay
        case hour, hour12, zeroHour12, minute, zeroMinute, second, zeroSecond
        case longYear, year, pm(upper: Bool), tz
        case isoTZ(colon: Bool, seconds: Bool, short: Bool)
        case numTZ(colon: Bool, seconds: Bool, short: Bool)
        case fraction(digits: Int, trim: Bool, separator: Character)
    }

    /// Splits a layout into Go's standard chunks (time.nextStdChunk).
    private static func chunks(_ layout: String) -> [Chunk] {
        let s = Array(layout.utf8)
        var out: [Chunk] = []
        var literalStart = 0
        var i = 0
        func has(_ p: String, at k: Int) -> Bool {
            let b = Array(p.utf8)
            return k + b.count <= s.count && Array(s[k..<(k + b.count)]) == b
        }
        func startsLower(_ k: Int) -> Bool { k < s.count && s[k] >= 97 && s[k] <= 122 }
        while i < s.count {
            var chunk: Chunk?
            var length = 0
            switch s[i] {
            case UInt8(ascii: "J"):
                if has("January", at: i) { (chunk, length) = (.longMonth, 7) } else if has("Jan", at: i) && !startsLower(i + 3) {
                    (chunk, length) = (.month, 3)
                }
            case UInt8(ascii: "M"):
                if has("Monday", at: i) { (chunk, length) = (.longWeekDay, 6) } else if has("Mon", at: i) && !startsLower(i + 3) {
                    (chunk, length) = (.weekDay, 3)
                } else if has("MST", at: i) { (chunk, length) = (.tz, 3) }
            case UInt8(ascii: "0"):
                if i + 1 < s.count, s[i + 1] >= 49, s[i + 1] <= 54 {
                    let map: [Chunk] = [.zeroMonth, .zeroDay, .zeroHour12, .zeroMinute, .zeroSecond, .year]
                    (chunk, length) = (map[Int(s[i + 1]) - 49], 2)
                } else if has("002", at: i) { (chunk, length) = (.zeroYearDay, 3) }
            case UInt8(ascii: "1"):
                if has("15", at: i) { (chunk, length) = (.hour, 2) } else { (chunk, length) = (.numMonth, 1) }
            case UInt8(ascii: "2"):
                if has("2006", at: i) { (chunk, length) = (.longYear, 4) } else { (chunk, length) = (.day, 1) }
            case UInt8(ascii: "_"):
                if has("_2", at: i) {
                    if has("_2006", at: i) {
                        i += 1  // a literal "_" followed by the year
                        (chunk, length) = (.longYear, 4)
                    } else {
                        (chunk, length) = (.underDay, 2)
                    }
                } else if has("__2", at: i) { (chunk, length) = (.underYearDay, 3) }
            case UInt8(ascii: "3"): (chunk, length) = (.hour12, 1)
            case UInt8(ascii: "4"): (chunk, length) = (.minute, 1)
            case UInt8(ascii: "5"): (chunk, length) = (.second, 1)
            case UInt8(ascii: "P"): if has("PM", at: i) { (chunk, length) = (.pm(upper: true), 2) }
            case UInt8(ascii: "p"): if has("pm", at: i) { (chunk, length) = (.pm(upper: false), 2) }
            case UInt8(ascii: "-"):
                if has("-070000", at: i) { (chunk, length) = (.numTZ(colon: false, seconds: true, short: false), 7) } else if has("-07:00:00", at: i) {
                    (chunk, length) = (.numTZ(colon: true, seconds: true, short: false), 9)
                } else if has("-0700", at: i) { (chunk, length) = (.numTZ(colon: false, seconds: false, short: false), 5) } else if has("-07:00", at: i) {
                    (chunk, length) = (.numTZ(colon: true, seconds: false, short: false), 6)
                } else if has("-07", at: i) { (chunk, length) = (.numTZ(colon: false, seconds: false, short: true), 3) }
            case UInt8(ascii: "Z"):
                if has("Z070000", at: i) { (chunk, length) = (.isoTZ(colon: false, seconds: true, short: false), 7) } else if has("Z07:00:00", at: i) {
                    (chunk, length) = (.isoTZ(colon: true, seconds: true, short: false), 9)
                } else if has("Z0700", at: i) { (chunk, length) = (.isoTZ(colon: false, seconds: false, short: false), 5) } else if has("Z07:00", at: i) {
                    (chunk, length) = (.isoTZ(colon: true, seconds: false, short: false), 6)
                } else if has("Z07", at: i) { (chunk, length) = (.isoTZ(colon: false, seconds: false, short: true), 3) }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if i + 1 < s.count, s[i + 1] == 48 || s[i + 1] == 57 {
                    let ch = s[i + 1]
                    var j = i + 1
                    while j < s.count && s[j] == ch { j += 1 }
                    if !(j < s.count && s[j] >= 48 && s[j] <= 57) {
                        (chunk, length) = (.fraction(digits: j - i - 1, trim: ch == 57, separator: Character(Unicode.Scalar(s[i]))), j - i)
                    }
                }
            default: break
            }
            if let chunk {
                if i > literalStart {
                    out.append(.literal(Substring(String(decoding: s[literalStart..<i], as: UTF8.self))))
                }
                out.append(chunk)
                i += length
                literalStart = i
            } else {
                i += 1
            }
        }
        if literalStart < s.count {
            out.append(.literal(Substring(String(decoding: s[literalStart...], as: UTF8.self))))
        }
        return out
    }

    static func format(_ t: TemplateTime, _ layout: String) -> String {
        let c = t.civil
        var out = ""
        for chunk in chunks(layout) {
            switch chunk {
            case .literal(let s): out += s
            case .longMonth: out += longMonths[c.month - 1]
            case .month: out += longMonths[c.month - 1].prefix(3)
            case .numMonth: out += String(c.month)
            case .zeroMonth: out += pad(c.month, 2)
            case .longWeekDay: out += longDays[c.weekday]
            case .weekDay: out += longDays[c.weekday].prefix(3)
            case .day: out += String(c.day)
            case .underDay: out += pad(c.day, 2, with: " ")
            case .zeroDay: out += pad(c.day, 2)
            case .underYearDay: out += pad(c.yearDay, 3, with: " ")
            case .zeroYearDay: out += pad(c.yearDay, 3)
            case .hour: out += pad(c.hour, 2)
            case .hour12: out += String(c.hour % 12 == 0 ? 12 : c.hour % 12)
            case .zeroHour12: out += pad(c.hour % 12 == 0 ? 12 : c.hour % 12, 2)
            case .minute: out += String(c.minute)
            case .zeroMinute: out += pad(c.minute, 2)
            case .second: out += String(c.second)
            case .zeroSecond: out += pad(c.second, 2)
            case .longYear: out += pad(c.year, 4)
            case .year: out += pad(((c.year % 100) + 100) % 100, 2)
            case .pm(let upper): out += c.hour >= 12 ? (upper ? "PM" : "pm") : (upper ? "AM" : "am")
            case .tz: out += t.zone.isEmpty ? numericZone(t.utcOffset) : t.zone
            case .isoTZ(let colon, let seconds, let short):
                if t.utcOffset == 0 {
                    out += "Z"
                } else {
                    out += offset(t.utcOffset, colon: colon, seconds: seconds, short: short)
                }
            case .numTZ(let colon, let seconds, let short):
                out += offset(t.utcOffset, colon: colon, seconds: seconds, short: short)
            case .fraction(let digits, let trim, let separator):
                var frac = pad(Int(t.nanoseconds), 9)
                frac = String(frac.prefix(digits))
                if trim {
                    while frac.hasSuffix("0") { frac.removeLast() }
                    if !frac.isEmpty { out += String(separator) + frac }
                } else {
                    out += String(separator) + frac
                }
            }
        }
        return out
    }

    private static func offset(_ offset: Int, colon: Bool, seconds: Bool, short: Bool) -> String {
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        var s = sign + pad(a / 3600, 2)
        if !short {
            if colon { s += ":" }
            s += pad(a / 60 % 60, 2)
        }
        if seconds {
            if colon { s += ":" }
            s += pad(a % 60, 2)
        }
        return s
    }

    /// Go's Duration.String(): "1h2m3.5s", "1.5ms", "0s".
    static func durationString(_ d: Int64) -> String {
        if d == 0 { return "0s" }
        let negative = d < 0
        var u = negative ? UInt64(bitPattern: 0 &- d) : UInt64(d)
        var out: String
        func fraction(_ v: UInt64, _ prec: Int) -> (String, UInt64) {
            var v = v
            var digits: [Character] = []
            var printed = false
            for _ in 0..<prec {
                let digit = v % 10
                printed = printed || digit != 0
                if printed { digits.append(Character(String(digit))) }
                v /= 10
            }
            return (printed ? "." + String(digits.reversed()) : "", v)
        }
        if u < 1_000_000_000 {
            let (prec, unit): (Int, String) =
                u < 1000 ? (0, "ns") : u < 1_000_000 ? (3, "µs") : (6, "ms")
            let (frac, whole) = fraction(u, prec)
            out = String(whole) + frac + unit
        } else {
            let (frac, secs) = fraction(u, 9)
            u = secs
            out = String(u % 60) + frac + "s"
            u /= 60
            if u > 0 {
                out = String(u % 60) + "m" + out
                u /= 60
                if u > 0 { out = String(u) + "h" + out }
            }
        }
        return negative ? "-" + out : out
    }

    /// The methods of time.Time that templates call.
    static func member(of t: TemplateTime, named name: String) -> TemplateMember? {
        func method(_ params: [TemplateFunction.Parameter] = [], _ body: @escaping @Sendable ([TemplateValue]) throws -> TemplateValue)
            -> TemplateMember
        {
            .method(TemplateFunction(params, body))
        }
        let c: @Sendable () -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int, yearDay: Int) = { t.civil }
        switch name {
        case "Format": return method([.string]) { a in .string(t.format(a[0].stringValue)) }
        case "String": return method { _ in .string(t.description) }
        case "Unix": return method { _ in .int(Int(t.seconds)) }
        case "UnixMilli": return method { _ in .int(Int(t.seconds * 1000 + Int64(t.nanoseconds) / 1_000_000)) }
        case "UnixMicro": return method { _ in .int(Int(t.seconds * 1_000_000 + Int64(t.nanoseconds) / 1000)) }
        case "UnixNano": return method { _ in .int(Int(t.unixNanoseconds)) }
        case "UTC": return method { _ in .time(t.inUTC) }
        case "Local": return method { _ in .time(t.inLocal) }
        case "IsZero": return method { _ in .bool(t.isZero) }
        case "Year": return method { _ in .int(c().year) }
        case "Month":
            return method { _ in
                let m = c().month
                return .object(TemplateRecord(typeName: "time.Month", underlying: .int(m)) { longMonths[m - 1] })
            }
        case "Day": return method { _ in .int(c().day) }
        case "Hour": return method { _ in .int(c().hour) }
        case "Minute": return method { _ in .int(c().minute) }
        case "Second": return method { _ in .int(c().second) }
        case "Nanosecond": return method { _ in .int(Int(t.nanoseconds)) }
        case "YearDay": return method { _ in .int(c().yearDay) }
        case "Weekday":
            return method { _ in
                let w = c().weekday
                return .object(TemplateRecord(typeName: "time.Weekday", underlying: .int(w)) { longDays[w] })
            }
        case "Add": return method([.duration]) { a in .time(t.adding(nanoseconds: a[0].durationValue)) }
        case "Sub": return method([.time]) { a in .duration(t.subtracting(a[0].timeValue)) }
        case "Before": return method([.time]) { a in .bool(t.unixNanoseconds < a[0].timeValue.unixNanoseconds) }
        case "After": return method([.time]) { a in .bool(t.unixNanoseconds > a[0].timeValue.unixNanoseconds) }
        case "Equal": return method([.time]) { a in .bool(t.unixNanoseconds == a[0].timeValue.unixNanoseconds) }
        default: return nil
        }
    }

    /// The methods of time.Duration that templates call.
    static func member(ofDuration d: Int64, named name: String) -> TemplateMember? {
        let method = { (body: @escaping @Sendable () -> TemplateValue) -> TemplateMember in
            .method(TemplateFunction([]) { _ in body() })
        }
        switch name {
        case "String": return method { .string(durationString(d)) }
        // Go splits whole units from the remainder before converting, which rounds differently.
        case "Hours": return method { .float(Double(d / 3_600_000_000_000) + Double(d % 3_600_000_000_000) / 3.6e12) }
        case "Minutes": return method { .float(Double(d / 60_000_000_000) + Double(d % 60_000_000_000) / 6e10) }
        case "Seconds": return method { .float(Double(d / 1_000_000_000) + Double(d % 1_000_000_000) / 1e9) }
        case "Milliseconds": return method { .int(Int(d / 1_000_000)) }
        case "Microseconds": return method { .int(Int(d / 1000)) }
        case "Nanoseconds": return method { .int(Int(d)) }
        default: return nil
        }
    }
}

extension TemplateValue {
    /// Payload accessors for function bodies whose parameters were already type-checked.
    var stringValue: String {
        if case .string(let s) = self { return s }
        return ""
    }

    var timeValue: TemplateTime {
        if case .time(let t) = self { return t }
        return .zero
    }

    var durationValue: Int64 {
        switch self {
        case .duration(let d): return d
        case .int(let i): return Int64(i)
        default: return 0
        }
    }
}
