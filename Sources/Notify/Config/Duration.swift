/// Prometheus's `model.Duration`, the type of every interval in alertmanager.yml.
///
/// Parsed with the same grammar (`1y2w3d4h5m6s7ms`, units in that order, each once; `0`
/// alone), errors worded as Alertmanager words them, printed back in the shortest form.
public struct ModelDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public static func seconds(_ s: Int64) -> ModelDuration { ModelDuration(milliseconds: s * 1000) }
    public static func minutes(_ m: Int64) -> ModelDuration { .seconds(m * 60) }
    public static func hours(_ h: Int64) -> ModelDuration { .minutes(h * 60) }

    public var seconds: Double { Double(milliseconds) / 1000 }
    public var duration: Duration { .milliseconds(milliseconds) }

    public static func < (a: ModelDuration, b: ModelDuration) -> Bool { a.milliseconds < b.milliseconds }

    static let units: [(String, Int64)] = [
        ("y", 365 * 24 * 3_600_000), ("w", 7 * 24 * 3_600_000), ("d", 24 * 3_600_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Parses `text`; nil when it is not a valid duration.
    public static func parse(_ text: String) -> ModelDuration? {
        if text == "0" { return ModelDuration(milliseconds: 0) }
        if text.isEmpty { return nil }
        let bytes = Array(text.utf8)
        var i = 0
        var nextUnit = 0
        var total: Int64 = 0
        while i < bytes.count {
            var value: Int64 = 0
            let start = i
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 48))
                if o1 || o2 { return nil }
                value = a
                i += 1
            }
            if i == start { return nil }
            var unitEnd = i
            while unitEnd < bytes.count, !(bytes[unitEnd] >= 48 && bytes[unitEnd] <= 57) { unitEnd += 1 }
            let unit = String(decoding: bytes[i..<unitEnd], as: UTF8.self)
            guard let idx = units.firstIndex(where: { $0.0 == unit }), idx >= nextUnit else { return nil }
            nextUnit = idx + 1
            let (m, o) = value.multipliedReportingOverflow(by: units[idx].1)
            if o { return nil }
            let (sum, o2) = total.addingReportingOverflow(m)
            if o2 { return nil }
            total = sum
            i = unitEnd
        }
        return ModelDuration(milliseconds: total)
    }

    /// Prometheus's String(): `0s`, `90s` → `1m30s`, `1d`, `4h`.
    public var description: String {
        var ms = milliseconds
        if ms == 0 { return "0s" }
        var out = ""
        if ms < 0 { out = "-"; ms = -ms }
        for (unit, size) in Self.units where ms >= size {
            // Prometheus prints years, weeks and days only when they are whole.
            out += "\(ms / size)\(unit)"
            ms %= size
        }
        return out
    }
}
