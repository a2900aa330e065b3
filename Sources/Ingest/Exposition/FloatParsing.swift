#if canImport(Glibc)
import Glibc
#endif

/// Number parsing for exposition values and timestamps, straight from bytes.
enum FloatParsing {
    static let pow10: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                                  1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// Go's `strconv.ParseFloat(s, 64)` on `b[from..<to]`, nil when it is not a number.
    ///
    /// Plain decimals with at most 15 significant digits and a small exponent take Clinger's
    /// fast path (exact mantissa times an exact power of ten: correctly rounded); the rest
    /// (long mantissas, exponents, hex, `Inf`/`NaN` spellings) goes to `strtod` through a
    /// stack buffer, so nothing is allocated on the heap.
    @inline(__always)
    static func parseDouble(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Double? {
        guard from < to else { return nil }
        var i = from
        var negative = false
        if b[i] == 0x2D { negative = true; i += 1 } else if b[i] == 0x2B { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0
        var sawDot = false, simple = true
        let start = i
        while i < to {
            let c = b[i]
            if c >= 0x30 && c <= 0x39 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(c - 0x30) }
                if mantissa != 0 || c != 0x30 || digits > 0 { digits += 1 }
                if sawDot { fraction += 1 }
            } else if c == 0x2E && !sawDot {
                sawDot = true
            } else {
                simple = false
                break
            }
            i += 1
        }
        if simple && i > start && !(sawDot && i == start + 1) && digits <= 15 && fraction <= 22 {
            var v = Double(mantissa)
            if fraction > 0 { v /= pow10[fraction] }
            return negative ? -v : v
        }
        return slowParse(b, from, to)
    }

    static func slowParse(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Double? {
        let n = to - from
        guard n < 512 else { return nil }
        // Go accepts "Inf", "+Inf", "infinity", "NaN" in any case; strtod does too, but also
        // accepts leading whitespace and "nan(...)" forms, which Go rejects.
        for k in from..<to where b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x28 || b[k] == 0x5F { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for k in 0..<n { buf[k] = CChar(bitPattern: b[from + k]) }
            buf[n] = 0
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end == buf.baseAddress! + n else { return nil }
            // Go returns ±Inf with a range error for overflow; Prometheus rejects the sample.
            if errno == ERANGE && v.isInfinite { return nil }
            return v
        }
    }

    /// A decimal Int64 (optional sign), nil on overflow or any other byte.
    @inline(__always)
    static func parseInt64(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int64? {
        var i = from
        var negative = false
        if i < to && (b[i] == 0x2D || b[i] == 0x2B) { negative = b[i] == 0x2D; i += 1 }
        guard i < to else { return nil }
        var v: Int64 = 0
        while i < to {
            let c = b[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            guard !o1 && !o2 else { return nil }
            v = a
            i += 1
        }
        return negative ? -v : v
    }
}
