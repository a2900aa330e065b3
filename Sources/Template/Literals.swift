/// Go literal syntax for template constants: quoted and raw strings, character constants and
/// numbers (decimal, 0x/0o/0b, legacy octal, underscores, exponents), with Go's error texts.

struct LiteralError: Error {
    var message: String
}

enum GoLiteral {
    /// Go's strconv.Unquote for "…", `…` and '…' forms; nil on a syntax error.
    static func unquote(_ text: String) -> String? {
        let b = Array(text.utf8)
        guard b.count >= 2, let q = b.first, b.last == q else { return nil }
        if q == UInt8(ascii: "`") {
            let body = b[1..<(b.count - 1)].filter { $0 != UInt8(ascii: "\r") }
            if body.contains(UInt8(ascii: "`")) { return nil }
            return String(decoding: body, as: UTF8.self)
        }
        guard q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else { return nil }
        var out: [UInt8] = []
        var i = 1
        let end = b.count - 1
        var count = 0
        while i < end {
            let c = b[i]
            if c == q || c == UInt8(ascii: "\n") { return nil }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                if c < 0x80 || c >= 0xC0 { count += 1 }
                continue
            }
            guard let (bytes, next) = unescape(b, i + 1, end: end, quote: q) else { return nil }
            out.append(contentsOf: bytes)
            count += 1
            i = next
        }
        if q == UInt8(ascii: "'") && count != 1 { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes the escape after a backslash at `i`; returns the bytes and the next index.
    private static func unescape(_ b: [UInt8], _ i: Int, end: Int, quote: UInt8) -> ([UInt8], Int)? {
        guard i < end else { return nil }
        let c = b[i]
        func hexValue(_ from: Int, _ n: Int) -> UInt32? {
            guard from + n <= end else { return nil }
            var v: UInt32 = 0
            for k in from..<(from + n) {
                guard let d = hexDigit(b[k]) else { return nil }
                v = v * 16 + UInt32(d)
            }
            return v
        }
        switch c {
        case UInt8(ascii: "a"): return ([7], i + 1)
        case UInt8(ascii: "b"): return ([8], i + 1)
        case UInt8(ascii: "f"): return ([12], i + 1)
        case UInt8(ascii: "n"): return ([10], i + 1)
        case UInt8(ascii: "r"): return ([13], i + 1)
        case UInt8(ascii: "t"): return ([9], i + 1)
        case UInt8(ascii: "v"): return ([11], i + 1)
        case UInt8(ascii: "\\"): return ([c], i + 1)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return c == quote ? ([c], i + 1) : nil
        case UInt8(ascii: "x"):
            guard let v = hexValue(i + 1, 2) else { return nil }
            return ([UInt8(v)], i + 3)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = c == UInt8(ascii: "u") ? 4 : 8
            guard let v = hexValue(i + 1, n), let s = Unicode.Scalar(v) else { return nil }
            return (Array(String(s).utf8), i + 1 + n)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            guard i + 3 <= end else { return nil }
            var v = 0
            for k in i..<(i + 3) {
                let d = Int(b[k]) - 48
                guard d >= 0 && d <= 7 else { return nil }
                v = v * 8 + d
            }
            guard v <= 255 else { return nil }
            return ([UInt8(v)], i + 3)
        default: return nil
        }
    }

    static func hexDigit(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c) - 48
        case 97...102: return Int(c) - 87
        case 65...70: return Int(c) - 55
        default: return nil
        }
    }

    /// Go's parse.newNumber.
    static func number(_ text: String, isChar: Bool) -> Result<NumberConstant, LiteralError> {
        var n = NumberConstant(text: text)
        if isChar {
            guard let s = unquote(text), let scalar = s.unicodeScalars.first, s.unicodeScalars.count == 1 else {
                return .failure(LiteralError(message: "malformed character constant: \(text)"))
            }
            n.isInt = true
            n.isUint = true
            n.isFloat = true
            n.intValue = Int64(scalar.value)
            n.floatValue = Double(scalar.value)
            n.isHexOrRune = true
            return .success(n)
        }
        if text.hasSuffix("i") {
            return .failure(LiteralError(message: "complex constants are not supported: \(GoFormat.quote(text))"))
        }
        let u = parseUnsigned(text)
        let i = parseSigned(text)
        if u != nil { n.isUint = true }
        if let i {
            n.isInt = true
            n.intValue = i
            if i == 0 { n.isUint = true }
        }
        let looksFloat = text.contains { ".eEpP".contains($0) }
        if n.isInt {
            n.isFloat = true
            n.floatValue = Double(n.intValue)
        } else if let u {
            n.isFloat = true
            n.floatValue = Double(u)
        } else if let f = parseFloat(text) {
            if !looksFloat { return .failure(LiteralError(message: "integer overflow: \(GoFormat.quote(text))")) }
            n.isFloat = true
            n.floatValue = f
            if !n.isInt, let exact = Int64(exactly: f) {
                n.isInt = true
                n.intValue = exact
            }
            if !n.isUint, UInt64(exactly: f) != nil { n.isUint = true }
        }
        if !n.isInt && !n.isUint && !n.isFloat {
            return .failure(LiteralError(message: "illegal number syntax: \(GoFormat.quote(text))"))
        }
        let lower = text.lowercased()
        let body = lower.hasPrefix("-") || lower.hasPrefix("+") ? String(lower.dropFirst()) : lower
        n.isHexOrRune = body.hasPrefix("0x") && !body.contains("p")
        n.looksFloat = looksFloat
        return .success(n)
    }

    /// Go's strconv.ParseUint(text, 0, 64).
    static func parseUnsigned(_ text: String) -> UInt64? {
        guard !text.hasPrefix("-"), !text.hasPrefix("+") else { return nil }
        return parseMagnitude(Array(text.utf8)[...])
    }

    /// Go's strconv.ParseInt(text, 0, 64).
    static func parseSigned(_ text: String) -> Int64? {
        var b = Array(text.utf8)[...]
        var negative = false
        if let f = b.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
            negative = f == UInt8(ascii: "-")
            b = b.dropFirst()
        }
        guard let m = parseMagnitude(b) else { return nil }
        if negative {
            if m == UInt64(Int64.max) + 1 { return Int64.min }
            guard m <= UInt64(Int64.max) else { return nil }
            return -Int64(m)
        }
        guard m <= UInt64(Int64.max) else { return nil }
        return Int64(m)
    }

    private static func parseMagnitude(_ input: ArraySlice<UInt8>) -> UInt64? {
        var b = input
        var base: UInt64 = 10
        var prefixed = false
        if b.count >= 2 && b.first == UInt8(ascii: "0") {
            switch b[b.startIndex + 1] | 0x20 {
            case UInt8(ascii: "x"): base = 16; b = b.dropFirst(2); prefixed = true
            case UInt8(ascii: "o"): base = 8; b = b.dropFirst(2); prefixed = true
            case UInt8(ascii: "b"): base = 2; b = b.dropFirst(2); prefixed = true
            default: base = 8; b = b.dropFirst(1); prefixed = true
            }
        }
        guard !b.isEmpty else { return prefixed && base == 8 ? 0 : nil }
        var value: UInt64 = 0
        var lastUnderscore = !prefixed || base == 8
        var sawDigit = false
        for c in b {
            if c == UInt8(ascii: "_") {
                if lastUnderscore { return nil }
                lastUnderscore = true
                continue
            }
            guard let d = hexDigit(c), UInt64(d) < base else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            value = a
            lastUnderscore = false
            sawDigit = true
        }
        if lastUnderscore && sawDigit { return nil }
        return sawDigit ? value : nil
    }

    /// Go's strconv.ParseFloat for literal syntax (underscores between digits allowed).
    static func parseFloat(_ text: String) -> Double? {
        let cleaned = text.contains("_") ? text.filter { $0 != "_" } : text
        let lower = cleaned.lowercased()
        let body = lower.hasPrefix("-") || lower.hasPrefix("+") ? String(lower.dropFirst()) : lower
        if body.hasPrefix("0x") && !body.contains("p") { return nil }
        if body.hasPrefix("inf") || body.hasPrefix("nan") { return nil }
        guard let d = Double(cleaned), d.isFinite else { return nil }
        return d
    }
}
