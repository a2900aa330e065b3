import Foundation
import GoText

/// JSON written as Go's `json.NewEncoder(w).Encode(v)` writes it, so request bodies match
/// Alertmanager's byte for byte: keys in struct order (maps sorted), `<`, `>`, `&`, U+2028
/// and U+2029 escaped, a trailing newline.
public indirect enum GoJSON: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case uint(UInt64)
    case bool(Bool)
    case null
    case array([GoJSON])
    /// Fields in the order written.
    case object([(String, GoJSON)])

    public static func == (a: GoJSON, b: GoJSON) -> Bool { a.encoded == b.encoded }

    /// A Go `map[string]string`: keys sorted byte-wise.
    public static func map(_ m: [String: String]) -> GoJSON {
        .object(m.keys.sorted(by: GoString.less).map { ($0, .string(m[$0]!)) })
    }

    /// The body Encode writes, newline included.
    public var encoded: String {
        var out = ""
        write(&out)
        return out + "\n"
    }

    func write(_ out: inout String) {
        switch self {
        case .string(let s): GoJSON.writeString(s, &out)
        case .int(let v): out += String(v)
        case .uint(let v): out += String(v)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.write(&out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                GoJSON.writeString(k, &out)
                out += ":"
                v.write(&out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, _ out: inout String) { GoJSONString.append(s, to: &out) }

    /// Go's time.Time JSON form: RFC 3339 with nanoseconds, trailing zeros dropped.
    public static func time(_ d: Date) -> GoJSON { .string(rfc3339Nano(d)) }

    public static func rfc3339Nano(_ d: Date) -> String {
        if d == .distantPast { return "0001-01-01T00:00:00Z" }
        let t = d.timeIntervalSince1970
        var secs = Int64(t.rounded(.down))
        // Date keeps about a quarter of a microsecond near today: round to whole microseconds
        // so a client's `.123Z` comes back as `.123Z`.
        var nanos = Int64(((t - Double(secs)) * 1e6).rounded()) * 1000
        if nanos >= 1_000_000_000 { secs += 1; nanos -= 1_000_000_000 }
        var tm = tm()
        var tt = time_t(secs)
        gmtime_r(&tt, &tm)
        var s = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
            Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
        if nanos > 0 {
            var frac = String(format: "%09lld", nanos)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + "Z"
    }
}
