/// Prometheus's duration notation (`15d`, `1h30m`, `500ms`), used by flags, configs and PromQL.
public enum PromDuration {
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let input: String
        public var description: String { "not a valid duration string: \(Labels.quote(input))" }
    }

    private static let units: [(String, Int64)] = [
        ("y", 365 * 24 * 3_600_000), ("w", 7 * 24 * 3_600_000), ("d", 24 * 3_600_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Milliseconds in `s`. Units must appear largest first, each at most once, as in Prometheus.
    public static func parseMilliseconds(_ s: String) throws(ParseError) -> Int64 {
        if s == "0" { return 0 }
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty else { throw ParseError(input: s) }
        var i = 0
        var total: Int64 = 0
        var lastUnit = -1
        while i < bytes.count {
            var n: Int64 = 0
            let start = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
                guard !o1, !o2 else { throw ParseError(input: s) }
                n = a
                i += 1
            }
            guard i > start else { throw ParseError(input: s) }
            var unitEnd = i
            while unitEnd < bytes.count, bytes[unitEnd] >= 0x61, bytes[unitEnd] <= 0x7a { unitEnd += 1 }
            let unit = String(decoding: bytes[i..<unitEnd], as: UTF8.self)
            guard let u = units.firstIndex(where: { $0.0 == unit }), u > lastUnit else { throw ParseError(input: s) }
            lastUnit = u
            let (m, o1) = n.multipliedReportingOverflow(by: units[u].1)
            let (a, o2) = total.addingReportingOverflow(m)
            guard !o1, !o2 else { throw ParseError(input: s) }
            total = a
            i = unitEnd
        }
        return total
    }

    /// Formats milliseconds the way Prometheus prints durations (`1h30m`, `15d`, `0s`).
    public static func format(milliseconds ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = rest < 0 ? "-" : ""
        rest = rest.magnitude > UInt64(Int64.max) ? Int64.max : abs(rest)
        for (unit, size) in units where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}
