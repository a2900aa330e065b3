/// Prometheus's `model.Duration` in config files: `1y2w3d4h5m6s7ms` (each unit at most once,
/// in that order), or `0`. Kept here because Ingest may not depend on PromQL's parser.
public enum PromDuration {
    /// Milliseconds, or nil when `s` is not a valid duration string.
    public static func parse(_ s: String) -> Int64? {
        if s == "0" { return 0 }
        let units: [(String, Int64)] = [("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000),
                                        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        let b = Array(s.utf8)
        guard !b.isEmpty else { return nil }
        var i = 0, next = 0, total: Int64 = 0
        while i < b.count {
            var n: Int64 = 0
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 0x30))
                guard !o1, !o2 else { return nil }
                n = a
                i += 1
            }
            guard i > start else { return nil }
            var u = i
            while u < b.count, !(b[u] >= 0x30 && b[u] <= 0x39) { u += 1 }
            let unit = String(decoding: b[i..<u], as: UTF8.self)
            guard let k = units[next...].firstIndex(where: { $0.0 == unit }) else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: units[k].1)
            guard !o else { return nil }
            total += p
            next = k + 1
            i = u
        }
        return total
    }

    /// Prometheus's formatting of a duration (`1m`, `1h30m`, `500ms`, `0s`).
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var left = ms, out = ""
        for (u, f) in [("y", Int64(365 * 86_400_000)), ("w", 7 * 86_400_000), ("d", 86_400_000),
                       ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if left >= f {
                out += "\(left / f)\(u)"
                left %= f
            }
        }
        return out
    }
}

/// `units.Base2Bytes` as Prometheus's `body_size_limit` reads it: `512KB`, `10MB`, `1GiB`, `0`.
public enum Base2Bytes {
    public struct ParseError: Error, Sendable { public var message: String }

    public static func parse(_ s: String) -> Result<Int64, ParseError> {
        if s == "0" || s.isEmpty { return .success(0) }
        let b = Array(s.utf8)
        var i = 0
        while i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) { i += 1 }
        guard i > 0, let n = Int64(String(decoding: b[..<i], as: UTF8.self)) else {
            return .failure(ParseError(message: "units: invalid size \(s)"))
        }
        let unit = String(decoding: b[i...], as: UTF8.self)
        let scales: [String: Int64] = ["B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40,
                                       "PB": 1 << 50, "EB": 1 << 60, "KiB": 1 << 10, "MiB": 1 << 20,
                                       "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50, "EiB": 1 << 60]
        guard let f = scales[unit] else { return .failure(ParseError(message: "units: unknown unit \(unit) in \(s)")) }
        let (v, o) = n.multipliedReportingOverflow(by: f)
        return o ? .failure(ParseError(message: "units: overflow in \(s)")) : .success(v)
    }
}
