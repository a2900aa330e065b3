/// Alertmanager 0.25's matcher syntax (`pkg/labels/parse.go`), used by `matchers:` in routes
/// and inhibit rules and by silences: `{a="b", c=~"d.*"}`, quotes optional, `\n`, `\"`,
/// `\\` escapes, a stray backslash kept literally.
public enum MatcherParser {
    /// Parses a list such as `{foo="bar",baz!~"qux"}` or `foo=bar`.
    public static func parseMatchers(_ input: String) throws(MatcherError) -> [Matcher] {
        var s = Substring(input)
        if s.hasPrefix("{") { s = s.dropFirst() }
        if s.hasSuffix("}") { s = s.dropLast() }
        var tokens: [String] = []
        var token = ""
        var insideQuotes = false
        for c in s.unicodeScalars {
            if !insideQuotes && c == "," {
                tokens.append(token)
                token = ""
                continue
            }
            token.unicodeScalars.append(c)
            if c == "\"" { insideQuotes.toggle() }
        }
        let last = trimSpace(token)
        if !last.isEmpty { tokens.append(last) }
        var out: [Matcher] = []
        for t in tokens { out.append(try parseMatcher(t)) }
        return out
    }

    /// Parses one `name op value`.
    public static func parseMatcher(_ s: String) throws(MatcherError) -> Matcher {
        guard let (name, op, raw) = split(s) else { throw MatcherError(message: "bad matcher format: \(s)") }
        var rawValue = Substring(raw)
        var expectTrailingQuote = false
        if rawValue.hasPrefix("\"") {
            rawValue = rawValue.dropFirst()
            expectTrailingQuote = true
        }
        var value = ""
        var escaped = false
        let scalars = Array(rawValue.unicodeScalars)
        for (i, r) in scalars.enumerated() {
            if escaped {
                escaped = false
                switch r {
                case "n": value += "\n"
                case "\"", "\\": value.unicodeScalars.append(r)
                default:
                    value += "\\"
                    value.unicodeScalars.append(r)
                }
                continue
            }
            switch r {
            case "\\":
                if i < scalars.count - 1 {
                    escaped = true
                    continue
                }
                value += "\\"
            case "\"":
                if !expectTrailingQuote || i < scalars.count - 1 {
                    throw MatcherError(message: "matcher value contains unescaped double quote: \(raw)")
                }
                expectTrailingQuote = false
            default:
                value.unicodeScalars.append(r)
            }
        }
        if expectTrailingQuote {
            throw MatcherError(message: "matcher value contains unescaped double quote: \(raw)")
        }
        return try Matcher(op, name, value)
    }

    /// `^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$`
    static func split(_ s: String) -> (String, Matcher.MatchType, String)? {
        let b = Array(s.unicodeScalars)
        var i = 0
        while i < b.count, isSpace(b[i]) { i += 1 }
        let nameStart = i
        guard i < b.count, isNameStart(b[i]) else { return nil }
        i += 1
        while i < b.count, isNameStart(b[i]) || (b[i].value >= 48 && b[i].value <= 57) { i += 1 }
        let name = String(String.UnicodeScalarView(b[nameStart..<i]))
        while i < b.count, isSpace(b[i]) { i += 1 }
        guard i < b.count else { return nil }
        let op: Matcher.MatchType
        let next: Unicode.Scalar? = i + 1 < b.count ? b[i + 1] : nil
        if b[i] == "=" && next == "~" { op = .regexp; i += 2 }
        else if b[i] == "=" { op = .equal; i += 1 }
        else if b[i] == "!" && next == "=" { op = .notEqual; i += 2 }
        else if b[i] == "!" && next == "~" { op = .notRegexp; i += 2 }
        else { return nil }
        var lo = i, hi = b.count
        while lo < hi, isSpace(b[lo]) { lo += 1 }
        while hi > lo, isSpace(b[hi - 1]) { hi -= 1 }
        return (name, op, String(String.UnicodeScalarView(b[lo..<hi])))
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c == ":"
    }

    /// RE2's `\s`: space, \t, \n, \f, \r (not \v).
    static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\u{0C}" || c == "\r" }

    /// Go's strings.TrimSpace (Unicode white space).
    static func trimSpace(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var lo = 0, hi = scalars.count
        while lo < hi, scalars[lo].properties.isWhitespace { lo += 1 }
        while hi > lo, scalars[hi - 1].properties.isWhitespace { hi -= 1 }
        return String(String.UnicodeScalarView(scalars[lo..<hi]))
    }
}
