/// Go's `encoding/json` string encoding (HTML-safe, as `json.Marshal` writes it): what
/// Prometheus's and Alertmanager's APIs and webhook bodies contain, byte for byte.
public enum GoJSONString {
    /// Appends `s` as a JSON string literal: `"`, `\`, `\n`, `\r`, `\t` escaped by name, other
    /// control characters as `\u00XX`, and `<`, `>`, `&`, U+2028, U+2029 as `\uXXXX`.
    public static func append(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 {
                    out += u.value < 0x10 ? "\\u000" : "\\u001"
                    out.unicodeScalars.append(hexDigits[Int(u.value & 0xF)])
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)
}
