/// Prometheus's duration notation as PromQL reads it (`model.ParseDuration`): units largest
/// first, each at most once (`1h30m`, `500ms`, `1y`), and — because Prometheus holds durations
/// as Go nanoseconds — nothing longer than about 292 years.
public enum PromQLDuration {
    /// Why a duration string was rejected; `description` is Prometheus's wording.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case invalid(String)
        case outOfRange

        public var description: String {
            switch self {
            case .empty: return "empty duration string"
            case .invalid(let s): return "not a valid duration string: \(GoFormat.quote(s))"
            case .outOfRange: return "duration out of range"
            }
        }
    }

    private static let units: [(name: [UInt8], ms: Int64)] = [
        (Array("y".utf8), 365 * 24 * 3_600_000), (Array("w".utf8), 7 * 24 * 3_600_000),
        (Array("d".utf8), 24 * 3_600_000), (Array("h".utf8), 3_600_000), (Array("m".utf8), 60_000),
        (Array("s".utf8), 1000), (Array("ms".utf8), 1),
    ]

    /// Milliseconds in `s`; "0" is allowed without a unit, as in Prometheus.
    public static func parse(_ s: String) throws(ParseError) -> Int64 {
        if s == "0" { return 0 }
        if s.isEmpty { throw .empty }
        let b = Array(s.utf8)
        var i = 0
        var lastUnit = -1
        var totalNanos: Int64 = 0
        var outOfRange = false
        while i < b.count {
            let digitsStart = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > digitsStart else { throw .invalid(s) }
            var unitEnd = i
            while unitEnd < b.count, b[unitEnd] >= 0x61, b[unitEnd] <= 0x7A { unitEnd += 1 }
            let unit = b[i..<unitEnd]
            guard let u = units.firstIndex(where: { $0.name.elementsEqual(unit) }), u > lastUnit else {
                throw .invalid(s)
            }
            lastUnit = u
            // Go's strconv.Atoi saturates on overflow; the range check below then fails.
            var n: Int64 = 0
            for d in b[digitsStart..<i] {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(d - 0x30))
                if o1 || o2 { n = Int64.max; break }
                n = a
            }
            let multNanos = units[u].ms * 1_000_000
            if n > Int64.max / multNanos {
                outOfRange = true
            } else {
                let (sum, overflow) = totalNanos.addingReportingOverflow(n * multNanos)
                if overflow { outOfRange = true } else { totalNanos = sum }
            }
            i = unitEnd
        }
        if outOfRange { throw .outOfRange }
        return totalNanos / 1_000_000
    }

    /// Prometheus's canonical form: `1h30m`, `90d`, `52w`, `0s`.
    public static func format(milliseconds ms: Int64) -> String {
        GoFormat.duration(milliseconds: ms)
    }
}
