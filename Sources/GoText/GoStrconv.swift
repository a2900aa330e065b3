/// Go's `strconv` quoting, which Prometheus and Alertmanager use wherever they print a label
/// value or a string (label sets `{a="b"}`, PromQL's printed form, group keys, error
/// messages) and templates use for `%q`. One exact copy, so what Vigil prints reads the same
/// as what they print.
public enum GoStrconv {
    /// `strconv.Quote(s)`; with `asciiOnly`, `strconv.QuoteToASCII(s)`.
    public static func quote(_ s: String, asciiOnly: Bool = false) -> String {
        var out = "\""
        for scalar in s.unicodeScalars { appendEscaped(scalar, quote: "\"", asciiOnly: asciiOnly, to: &out) }
        out += "\""
        return out
    }

    /// `strconv.QuoteRune(r)`; with `asciiOnly`, `strconv.QuoteRuneToASCII(r)`.
    public static func quoteRune(_ r: Unicode.Scalar, asciiOnly: Bool = false) -> String {
        var out = "'"
        appendEscaped(r, quote: "'", asciiOnly: asciiOnly, to: &out)
        out += "'"
        return out
    }

    private static let lowerHex = Array("0123456789abcdef".unicodeScalars)

    /// Appends `r` as it appears inside a Go-quoted literal delimited by `quote`.
    public static func appendEscaped(_ r: Unicode.Scalar, quote: Unicode.Scalar, asciiOnly: Bool = false, to out: inout String) {
        if r == quote || r == "\\" {
            out += "\\"
            out.unicodeScalars.append(r)
            return
        }
        if isPrint(r) && (!asciiOnly || r.value < 0x80) {
            out.unicodeScalars.append(r)
            return
        }
        switch r {
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{0B}": out += "\\v"
        default:
            let v = r.value
            let width: Int
            if v < 0x20 || v == 0x7F {
                out += "\\x"
                width = 2
            } else if v < 0x10000 {
                out += "\\u"
                width = 4
            } else {
                out += "\\U"
                width = 8
            }
            for i in stride(from: (width - 1) * 4, through: 0, by: -4) {
                out.unicodeScalars.append(lowerHex[Int((v >> UInt32(i)) & 0xF)])
            }
        }
    }

    /// `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    public static func isPrint(_ r: Unicode.Scalar) -> Bool {
        let v = r.value
        if v < 0x80 { return v >= 0x20 && v < 0x7F }
        switch r.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .control, .format, .surrogate, .privateUse, .unassigned:
            return false
        default:
            return true
        }
    }
}
