/// Go's `strconv.FormatFloat(v, 'E', -1, 64)`: shortest round-trip digits, `d.dddE±XX`.
/// promtool prints sample values this way (`3.0000000000000004E-01`, `5E+00`, `NaN`).
enum GoFloat {
    static func formatE(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        let neg = v.sign == .minus
        if v == 0 { return neg ? "-0E+00" : "0E+00" }
        let (digits, exp) = shortestDigits(abs(v))
        var out = neg ? "-" : ""
        out.append(digits.first!)
        if digits.count > 1 {
            out += "."
            out += digits.dropFirst()
        }
        let e = exp - 1
        out += e < 0 ? "E-" : "E+"
        let ae = abs(e)
        if ae < 10 { out += "0" }
        out += String(ae)
        return out
    }

    /// Shortest decimal digits of a positive finite `v` and the exponent `e` such that
    /// v = 0.d1d2d3… × 10^e. Swift's `description` already yields the shortest round-trip digits.
    static func shortestDigits(_ v: Double) -> (digits: String, exp: Int) {
        let text = v.description
        var mantissa = Substring(text)
        var exp10 = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp10 = Int(text[text.index(after: e)...]) ?? 0
        }
        var intPart = mantissa
        var frac: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            frac = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(intPart) + String(frac)
        var pointPos = intPart.count + exp10
        while digits.first == "0" {
            digits.removeFirst()
            pointPos -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { return ("0", 1) }
        return (digits, pointPos)
    }
}
