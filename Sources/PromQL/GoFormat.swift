import TSDB

/// Go's `fmt`/`strconv` formatting, reproduced where Prometheus puts Go-formatted values into
/// text users see: numbers in printed expressions (`%v`), quoted strings (`%q`), timestamps
/// (`%.3f`, `%f`) and runes in error messages (`%q`, `%#U`). Users diff rule files and error
/// messages against Prometheus's, so "close" is not good enough.
enum GoFormat {
    // MARK: Floats

    /// `fmt.Sprint(f)`: shortest round-trip digits, exponent form below 1e-4 and from 1e6 on.
    static func float(_ f: Double) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
        let sign = f.sign == .minus ? "-" : ""
        if f == 0 { return sign + "0" }
        let (digits, pointPos) = shortestDigits(f.magnitude)
        let exp = pointPos - 1
        var out = sign
        if exp < -4 || exp >= 6 {
            out.unicodeScalars.append(Unicode.Scalar(digits[0]))
            if digits.count > 1 {
                out += "."
                out += String(decoding: digits[1...], as: UTF8.self)
            }
            out += exp < 0 ? "e-" : "e+"
            let e = exp.magnitude
            if e < 10 { out += "0" }
            out += String(e)
            return out
        }
        if pointPos <= 0 {
            out += "0."
            out += String(repeating: "0", count: -pointPos)
            out += String(decoding: digits, as: UTF8.self)
        } else if pointPos >= digits.count {
            out += String(decoding: digits, as: UTF8.self)
            out += String(repeating: "0", count: pointPos - digits.count)
        } else {
            out += String(decoding: digits[..<pointPos], as: UTF8.self)
            out += "."
            out += String(decoding: digits[pointPos...], as: UTF8.self)
        }
        return out
    }

    /// The shortest decimal digits that round-trip (ASCII), and where the decimal point goes
    /// (value = 0.d1d2d3… × 10^pointPos). Swift's `description` already finds the shortest
    /// round-trip digits, like Go does; only its layout differs.
    static func shortestDigits(_ f: Double) -> (digits: [UInt8], pointPos: Int) {
        let text = Array(f.description.utf8)
        var mantissa = text[...]
        var exp10 = 0
        if let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            mantissa = text[..<e]
            var rest = text[(e + 1)...]
            var negative = false
            if let s = rest.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") {
                negative = s == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            for c in rest { exp10 = exp10 * 10 + Int(c - 0x30) }
            if negative { exp10 = -exp10 }
        }
        var digits: [UInt8] = []
        var intCount = 0
        var seenPoint = false
        for c in mantissa {
            if c == UInt8(ascii: ".") { seenPoint = true; continue }
            digits.append(c)
            if !seenPoint { intCount += 1 }
        }
        var pointPos = intCount + exp10
        while digits.count > 1, digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            pointPos -= 1
        }
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, pointPos)
    }

    /// `fmt.Sprintf("%.<precision>f", f)`: the exact binary value rounded half-to-even, as Go
    /// does (so `1e30` prints all of its 31 true digits).
    static func fixed(_ f: Double, precision: Int) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
        let sign = f.sign == .minus ? "-" : ""
        let zeros = String(repeating: "0", count: precision)
        if f == 0 { return sign + "0" + (precision > 0 ? "." + zeros : "") }
        let mag = f.magnitude
        // mag = significand × 2^exponent with an integer significand.
        let significand = mag.significandBitPattern | (mag.isNormal ? (1 << 52) : 0)
        let exponent = Int(mag.isNormal ? mag.exponent : Double.leastNormalMagnitude.exponent) - 52
        if exponent >= 0 {
            let digits = decimalDigits(significand, shiftedLeftBy: exponent)
            return sign + digits + (precision > 0 ? "." + zeros : "")
        }
        // Fractional: scale by 10^precision, shift right, round half to even.
        var pow10: UInt128 = 1
        for _ in 0..<precision { pow10 *= 10 }
        let scaled = UInt128(significand) * pow10  // < 2^53 × 10^precision
        let shift = -exponent
        var q: UInt128
        if shift >= 127 {
            q = 0
        } else {
            q = scaled >> UInt128(shift)
            let rem = scaled & ((1 << UInt128(shift)) - 1)
            let half: UInt128 = 1 << UInt128(shift - 1)
            if rem > half || (rem == half && q & 1 == 1) { q += 1 }
        }
        let intPart = q / pow10
        let fracPart = q % pow10
        var out = sign + String(intPart)
        if precision > 0 {
            let frac = String(fracPart)
            out += "." + String(repeating: "0", count: precision - frac.count) + frac
        }
        return out
    }

    /// Decimal digits of `value << shift` for any shift a Double exponent allows.
    private static func decimalDigits(_ value: UInt64, shiftedLeftBy shift: Int) -> String {
        if (64 - value.leadingZeroBitCount) + shift <= 127 {
            return String(UInt128(value) << UInt128(shift))
        }
        // Little-endian base-1e9 limbs, doubled `shift` times.
        let base: UInt64 = 1_000_000_000
        var limbs: [UInt64] = [value % base, (value / base) % base, value / base / base]
        for _ in 0..<shift {
            var carry: UInt64 = 0
            for i in limbs.indices {
                let v = limbs[i] * 2 + carry
                limbs[i] = v % base
                carry = v / base
            }
            if carry > 0 { limbs.append(carry) }
        }
        while limbs.count > 1, limbs.last == 0 { limbs.removeLast() }
        var out = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let s = String(limb)
            out += String(repeating: "0", count: 9 - s.count) + s
        }
        return out
    }

    // MARK: Quoting

    /// `strconv.Quote`: what Prometheus prints for string literals and matcher values.
    ///
    /// One difference: U+FFFD is written as `\ufffd`. Prometheus's lexer rejects the raw
    /// character, and a Swift string holds it where Go would hold invalid bytes, so writing
    /// it raw would print queries that cannot be parsed again.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            if scalar == "\u{FFFD}" {
                out += "\\ufffd"
            } else {
                GoQuote.appendEscaped(scalar, quote: "\"", to: &out)
            }
        }
        out += "\""
        return out
    }

    /// `fmt.Sprintf("%.<n>q", s)`: the first `n` runes of `s`, quoted.
    static func quote(_ s: String, truncatedTo n: Int) -> String {
        var out = "\""
        for scalar in s.unicodeScalars.prefix(n) { GoQuote.appendEscaped(scalar, quote: "\"", to: &out) }
        out += "\""
        return out
    }

    /// `strconv.QuoteRune`; nil stands for Go's end-of-input rune (-1), printed as U+FFFD.
    static func quoteRune(_ scalar: Unicode.Scalar?) -> String {
        GoQuote.quoteRune(scalar ?? "\u{FFFD}")
    }

    /// `fmt.Sprintf("%#U", r)`: `U+0071 'q'`, the quoted part only for printable runes.
    static func unicodeSharp(_ scalar: Unicode.Scalar?) -> String {
        let s = scalar ?? "\u{FFFD}"
        var hex = String(s.value, radix: 16, uppercase: true)
        if hex.count < 4 { hex = String(repeating: "0", count: 4 - hex.count) + hex }
        var out = "U+" + hex
        if isPrint(s) {
            out += " '"
            out.unicodeScalars.append(s)
            out += "'"
        }
        return out
    }

    /// `unicode.IsPrint` (shared with the storage engine's label printing).
    static func isPrint(_ r: Unicode.Scalar) -> Bool { GoQuote.isPrint(r) }

    // MARK: Durations

    /// Prometheus's `model.Duration.String()`: years and weeks only when they divide exactly
    /// (`90d`, not `12w6d`), then days down to milliseconds.
    static func duration(milliseconds ms: Int64) -> String {
        if ms == 0 { return "0s" }
        if ms < 0 {
            // model.Duration prints nothing useful for negative values; callers print the sign.
            return "-" + duration(milliseconds: ms == Int64.min ? Int64.max : -ms)
        }
        var rest = ms
        var out = ""
        let units: [(String, Int64, Bool)] = [
            ("y", 365 * 24 * 3_600_000, true), ("w", 7 * 24 * 3_600_000, true),
            ("d", 24 * 3_600_000, false), ("h", 3_600_000, false), ("m", 60_000, false),
            ("s", 1000, false), ("ms", 1, false),
        ]
        for (unit, size, exact) in units {
            if exact && rest % size != 0 { continue }
            let v = rest / size
            if v > 0 {
                out += String(v)
                out += unit
                rest -= v * size
            }
        }
        return out
    }
}
