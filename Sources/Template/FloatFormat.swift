import Foundation

/// Go's strconv.FormatFloat for float64: the shortest round-tripping digits for precision -1
/// (taken from Swift's own shortest printer, which makes the same choice) and exactly rounded
/// digits for a fixed precision (taken from the C library, which rounds exactly as Go does),
/// laid out with Go's rules for %e, %f and %g (two-digit exponents, the %g switch-over at
/// exponent < -4 or >= precision, "+Inf", "NaN").
enum FloatFormat {
    /// value = 0.d₁d₂…dₙ × 10^dp; no trailing zeros; empty for zero.
    struct Digits {
        var digits: [UInt8]
        var dp: Int
    }

    /// strconv.FormatFloat(v, fmt, prec, 64) for fmt in e E f g G b x X.
    static func format(_ v: Double, _ fmt: UInt8, _ precision: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        let negative = v.sign == .minus
        let a = abs(v)
        switch fmt {
        case UInt8(ascii: "b"): return binaryExponent(v)
        case UInt8(ascii: "x"), UInt8(ascii: "X"): return hex(v, precision, upper: fmt == UInt8(ascii: "X"))
        default: break
        }
        var prec = precision
        let shortest = prec < 0
        let digs: Digits
        if shortest {
            digs = shortestDigits(a)
            switch fmt {
            case UInt8(ascii: "e"), UInt8(ascii: "E"): prec = max(digs.digits.count - 1, 0)
            case UInt8(ascii: "f"): prec = max(digs.digits.count - digs.dp, 0)
            default: prec = digs.digits.count
            }
        } else if fmt == UInt8(ascii: "f") {
            return cFormat("%.*f", prec, v)
        } else {
            var n = prec
            if fmt == UInt8(ascii: "e") || fmt == UInt8(ascii: "E") {
                n = prec + 1
            } else if prec == 0 {
                prec = 1
                n = 1
            }
            digs = roundedDigits(a, significant: n)
        }
        return layout(negative: negative, digs, prec: prec, fmt: fmt, shortest: shortest)
    }

    private static func layout(negative: Bool, _ d: Digits, prec: Int, fmt: UInt8, shortest: Bool) -> String {
        switch fmt {
        case UInt8(ascii: "e"), UInt8(ascii: "E"): return fmtE(negative, d, prec, fmt)
        case UInt8(ascii: "f"): return fmtF(negative, d, prec)
        default:
            var prec = prec
            let nd = d.digits.count
            var eprec = prec
            if eprec > nd && nd >= d.dp { eprec = nd }
            if shortest { eprec = 6 }
            let exp = d.dp - 1
            let eFmt = fmt == UInt8(ascii: "G") ? UInt8(ascii: "E") : UInt8(ascii: "e")
            if exp < -4 || exp >= eprec {
                if prec > nd { prec = nd }
                return fmtE(negative, d, prec - 1, eFmt)
            }
            if prec > d.dp { prec = nd }
            return fmtF(negative, d, max(prec - d.dp, 0))
        }
    }

    private static func fmtE(_ negative: Bool, _ d: Digits, _ prec: Int, _ fmt: UInt8) -> String {
        var out: [UInt8] = []
        if negative { out.append(UInt8(ascii: "-")) }
        out.append(d.digits.first ?? UInt8(ascii: "0"))
        if prec > 0 {
            out.append(UInt8(ascii: "."))
            var i = 1
            let m = min(d.digits.count, prec + 1)
            if i < m {
                out.append(contentsOf: d.digits[i..<m])
                i = m
            }
            while i <= prec {
                out.append(UInt8(ascii: "0"))
                i += 1
            }
        }
        out.append(fmt)
        var exp = d.digits.isEmpty ? 0 : d.dp - 1
        if exp < 0 {
            out.append(UInt8(ascii: "-"))
            exp = -exp
        } else {
            out.append(UInt8(ascii: "+"))
        }
        if exp < 10 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: Array(String(exp).utf8))
        return String(decoding: out, as: UTF8.self)
    }

    private static func fmtF(_ negative: Bool, _ d: Digits, _ prec: Int) -> String {
        var out: [UInt8] = []
        if negative { out.append(UInt8(ascii: "-")) }
        if d.dp > 0 {
            let m = min(d.digits.count, d.dp)
            out.append(contentsOf: d.digits[0..<m])
            if m < d.dp { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: d.dp - m)) }
        } else {
            out.append(UInt8(ascii: "0"))
        }
        if prec > 0 {
            out.append(UInt8(ascii: "."))
            for i in 1...prec {
                let j = d.dp + i - 1
                out.append(j >= 0 && j < d.digits.count ? d.digits[j] : UInt8(ascii: "0"))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The shortest digits that read back as `a` (a ≥ 0, finite).
    static func shortestDigits(_ a: Double) -> Digits {
        if a == 0 { return Digits(digits: [], dp: 0) }
        return parseScientific(Array(a.description.utf8))
    }

    /// `a` rounded to `n` significant digits (a ≥ 0, finite, n ≥ 1).
    static func roundedDigits(_ a: Double, significant n: Int) -> Digits {
        if a == 0 { return Digits(digits: [], dp: 0) }
        return parseScientific(Array(cFormat("%.*e", n - 1, a).utf8))
    }

    /// Reads "123.45", "1.2345e+06", "1e-05" into digits and a decimal-point position.
    private static func parseScientific(_ s: [UInt8]) -> Digits {
        var digits: [UInt8] = []
        var pointAt: Int?
        var exponent = 0
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent = Int(String(decoding: s[(i + 1)...], as: UTF8.self)) ?? 0
                break
            }
            if c == UInt8(ascii: ".") {
                pointAt = digits.count
            } else if c >= 48 && c <= 57 {
                digits.append(c)
            }
            i += 1
        }
        var dp = (pointAt ?? digits.count) + exponent
        var start = 0
        while start < digits.count && digits[start] == UInt8(ascii: "0") {
            start += 1
            dp -= 1
        }
        var end = digits.count
        while end > start && digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
        if start == end { return Digits(digits: [], dp: 0) }
        return Digits(digits: Array(digits[start..<end]), dp: dp)
    }

    static func cFormat(_ format: String, _ precision: Int, _ v: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        var n = withVaList([Int32(clamping: precision), v]) { vsnprintf(&buffer, buffer.count, format, $0) }
        if Int(n) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            n = withVaList([Int32(clamping: precision), v]) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Go's 'b' format: decimal mantissa and binary exponent.
    private static func binaryExponent(_ v: Double) -> String {
        let bits = v.bitPattern
        var exp = Int((bits >> 52) & 0x7FF)
        var mant = bits & ((1 << 52) - 1)
        if exp == 0 { exp += 1 } else { mant |= 1 << 52 }
        exp += -1023 - 52
        return (v.sign == .minus ? "-" : "") + String(mant) + "p" + (exp >= 0 ? "+" : "") + String(exp)
    }

    /// Go's 'x' format: 0x1.8p+01 (at least two exponent digits).
    private static func hex(_ v: Double, _ precision: Int, upper: Bool) -> String {
        var s = precision < 0 ? cFormat("%a", 0, v) : cFormat("%.*a", precision, v)
        if let p = s.firstIndex(of: "p") {
            let mantissa = s[..<p]
            var exp = String(s[s.index(after: p)...])
            let sign = exp.first == "-" ? "-" : "+"
            exp = String(exp.drop { $0 == "+" || $0 == "-" })
            if exp.count < 2 { exp = "0" + exp }
            s = mantissa + "p" + sign + exp
        }
        return upper ? s.uppercased() : s
    }
}
