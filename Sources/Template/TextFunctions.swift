import GoText

/// Go's string helpers that template functions rely on (strings.ToUpper/ToLower/Title, the
/// html/js/urlquery escapers, url.QueryEscape), with Go's rules rather than Foundation's:
/// Go maps case rune by rune, sorts strings by bytes, and escapes a fixed set of characters.

enum UnicodeClass {
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isDigit(_ s: Unicode.Scalar) -> Bool {
        s.properties.generalCategory == .decimalNumber
    }

    /// Go's unicode.IsPrint.
    static func isPrint(_ s: Unicode.Scalar) -> Bool { GoStrconv.isPrint(s) }

    /// Go's unicode.IsSpace.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0: return true
        case 0..<0x100: return false
        default: return s.properties.isWhitespace
        }
    }
}

enum GoStrings {
    /// Go's simple (one rune to one rune) case mapping.
    private static func mapScalar(_ s: Unicode.Scalar, _ mapping: (Unicode.Scalar.Properties) -> String)
        -> Unicode.Scalar
    {
        let m = mapping(s.properties).unicodeScalars
        if m.count == 1, let first = m.first { return first }
        return s
    }

    /// Simple mappings where Unicode's full mapping has several characters but the simple
    /// one is not the identity (Go uses the simple one).
    private static func simpleUpper(_ c: Unicode.Scalar) -> Unicode.Scalar? {
        switch c.value {
        case 0x1F80...0x1F87, 0x1F90...0x1F97, 0x1FA0...0x1FA7: return Unicode.Scalar(c.value + 8)
        case 0x1FB3: return "\u{1FBC}"
        case 0x1FC3: return "\u{1FCC}"
        case 0x1FF3: return "\u{1FFC}"
        default: return nil
        }
    }

    static func toUpper(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: s.utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
        }
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars { out.append(simpleUpper(c) ?? mapScalar(c) { $0.uppercaseMapping }) }
        return String(out)
    }

    static func toLower(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        }
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars { out.append(c == "\u{130}" ? "i" : mapScalar(c) { $0.lowercaseMapping }) }
        return String(out)
    }

    /// Go's (deprecated but still used) strings.Title.
    static func title(_ s: String) -> String {
        func isSeparator(_ r: Unicode.Scalar) -> Bool {
            if r.value <= 0x7F {
                switch r.value {
                case 48...57, 65...90, 97...122, 95: return false
                default: return true
                }
            }
            if UnicodeClass.isLetter(r) || UnicodeClass.isDigit(r) { return false }
            return UnicodeClass.isSpace(r)
        }
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar = " "
        for c in s.unicodeScalars {
            out.append(isSeparator(previous) ? mapScalar(c) { $0.titlecaseMapping } : c)
            previous = c
        }
        return String(out)
    }

    /// golang.org/x/text's cases.Title (Alertmanager's `title`): the first cased letter of
    /// each word is title-cased and the rest lower-cased; letters, digits, marks, `_` and
    /// word-internal punctuation (`'` `.` `:`) do not end a word.
    static func titleWords(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var midWord = false
        var previousMid = false
        for (i, c) in scalars.enumerated() {
            let mid = isMidWordPunctuation(c)
            if previousMid && mid { midWord = false }
            previousMid = mid
            if c.properties.isCased {
                if !midWord {
                    out.append(contentsOf: c.properties.titlecaseMapping.unicodeScalars)
                    midWord = true
                } else if c == "\u{03A3}" {
                    // Final sigma: lower-case sigma at the end of a word is ς.
                    let next = i + 1 < scalars.count ? scalars[i + 1] : nil
                    out.append(next.map { $0.properties.isCased } == true ? "\u{03C3}" : "\u{03C2}")
                } else {
                    out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
                }
                continue
            }
            out.append(c)
            if isWordBreak(c) { midWord = false }
        }
        return String(out)
    }

    /// Unicode Word_Break MidLetter, MidNumLet and Single_Quote.
    private static func isMidWordPunctuation(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55,
            0xFF07, 0xFF0E, 0xFF1A:
            return true
        default: return false
        }
    }

    private static func isWordBreak(_ c: Unicode.Scalar) -> Bool {
        if isMidWordPunctuation(c) { return false }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
            .format, .connectorPunctuation:
            return false
        default: return true
        }
    }

    /// text/template's HTMLEscapeString.
    static func htmlEscape(_ s: String) -> String {
        guard s.utf8.contains(where: { [0, 34, 38, 39, 60, 62].contains($0) }) else { return s }
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// text/template's JSEscapeString (Go 1.19/1.20 behaviour).
    static func jsEscape(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if c.value < 0x20 {
                    out += "\\u00"
                    out.unicodeScalars.append(Unicode.Scalar(hex[Int(c.value >> 4)]))
                    out.unicodeScalars.append(Unicode.Scalar(hex[Int(c.value & 0xF)]))
                } else if c.value >= 0x80 && !UnicodeClass.isPrint(c) {
                    out += "\\u" + GoFormat.hexString(UInt64(c.value), upper: true, minDigits: 4)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// Go's url.QueryEscape.
    static func queryEscape(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for c in s.utf8 {
            switch c {
            case 48...57, 65...90, 97...122, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(c)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's string ordering (bytewise), used wherever Go sorts keys.
    static func less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
