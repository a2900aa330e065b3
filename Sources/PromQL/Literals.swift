/// Values of number and string tokens, decoded with Go's rules because Prometheus's parser
/// uses Go's `strconv`: `010` is octal 8, `0x1f` is 31, `1e400` is an error, `'\''` is `'`.
enum Literals {
    enum NumberError: Error {
        case invalidSyntax
        case outOfRange
    }

    /// Prometheus's `parser.number`: `strconv.ParseInt(s, 0, 64)` first, then `ParseFloat`.
    static func number(_ text: [UInt8]) -> Result<Double, NumberError> {
        if let i = parseIntBase0(text) { return .success(Double(i)) }
        return parseFloat(text)
    }

    /// Go's `ParseInt(s, 0, 64)` for what the lexer produces (no sign, no underscores).
    private static func parseIntBase0(_ s: [UInt8]) -> Int64? {
        guard !s.isEmpty else { return nil }
        var digits = s[...]
        var base: Int64 = 10
        if s.count >= 2, s[0] == UInt8(ascii: "0"), s[1] == UInt8(ascii: "x") || s[1] == UInt8(ascii: "X") {
            base = 16
            digits = s[2...]
        } else if s.count >= 2, s[0] == UInt8(ascii: "0") {
            base = 8
            digits = s[1...]
        }
        guard !digits.isEmpty else { return nil }
        var v: Int64 = 0
        for c in digits {
            let d: Int64
            switch c {
            case 0x30...0x39: d = Int64(c - 0x30)
            case 0x61...0x66: d = Int64(c - 0x61 + 10)
            case 0x41...0x46: d = Int64(c - 0x41 + 10)
            default: return nil
            }
            guard d < base else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = a
        }
        return v
    }

    /// Go's `ParseFloat(s, 64)` for lexer output: decimal floats and `Inf`/`NaN` in any case.
    /// Hexadecimal floats would need a `p` exponent, which the lexer never produces.
    private static func parseFloat(_ s: [UInt8]) -> Result<Double, NumberError> {
        let lowered = String(decoding: s.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
        switch lowered {
        case "inf", "infinity": return .success(.infinity)
        case "nan": return .success(.nan)
        default: break
        }
        // Swift's parser also takes hex floats, "inf" and friends; only plain decimals get here.
        var sawDigit = false
        for c in s {
            switch c {
            case 0x30...0x39: sawDigit = true
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): break
            default: return .failure(.invalidSyntax)
            }
        }
        guard sawDigit, let v = Double(lowered) else { return .failure(.invalidSyntax) }
        if v.isInfinite { return .failure(.outOfRange) }
        return .success(v)
    }

    /// The value of a string token (quotes included). The lexer has already rejected bad
    /// escapes. `\x` and octal escapes produce bytes, as in Go; bytes that do not form valid
    /// UTF-8 become U+FFFD, since a Swift string cannot hold them.
    static func unquote(_ token: ArraySlice<UInt8>) -> String {
        guard token.count >= 2 else { return "" }
        let quote = token.first!
        let body = token.dropFirst().dropLast()
        if quote == UInt8(ascii: "`") { return String(decoding: body, as: UTF8.self) }
        if !body.contains(UInt8(ascii: "\\")) { return String(decoding: body, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        func hexValue(_ c: UInt8) -> UInt32 {
            switch c {
            case 0x30...0x39: return UInt32(c - 0x30)
            case 0x61...0x66: return UInt32(c - 0x61 + 10)
            case 0x41...0x46: return UInt32(c - 0x41 + 10)
            default: return 0
            }
        }
        while i < body.endIndex {
            let c = body[i]
            guard c == UInt8(ascii: "\\"), i + 1 < body.endIndex else {
                out.append(c)
                i += 1
                continue
            }
            let e = body[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = UInt32(e - 0x30)
                for _ in 0..<2 where i < body.endIndex {
                    v = v * 8 + UInt32(body[i] - 0x30)
                    i += 1
                }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                var v: UInt32 = 0
                for _ in 0..<n where i < body.endIndex {
                    v = v << 4 | hexValue(body[i])
                    i += 1
                }
                if e == UInt8(ascii: "x") {
                    out.append(UInt8(truncatingIfNeeded: v))
                } else if let scalar = Unicode.Scalar(v) {
                    UTF8.encode(scalar) { out.append($0) }
                }
            default:
                // `\\`, `\"`, `\'`: the character itself.
                out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
