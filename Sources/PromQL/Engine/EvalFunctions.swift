import Foundation
import TSDB

extension Evaluator {
    mutating func evalCall(_ c: Call) throws(QueryError) -> Value {
        let f = c.function
        switch f {
        case .time: return .scalar(times.map { Double($0) / 1000 })
        case .pi: return .scalar([Double](repeating: Double.pi, count: n))
        case .vector:
            let s = try scalarArg(c.args[0])
            return .vector([VSeries(labels: .empty, values: s)])
        case .scalar:
            let v = try vectorArg(c.args[0])
            var out = [Double](repeating: .nan, count: n)
            for i in 0..<n {
                var found: Double? = nil
                var count = 0
                for s in v where !isAbsent(s.values[i]) {
                    count += 1
                    found = s.values[i]
                }
                if count == 1, let x = found { out[i] = x }
            }
            return .scalar(out)
        case .absent:
            let v = try vectorArg(c.args[0])
            var vals = [Double](repeating: 1, count: n)
            for s in v { for i in 0..<n where !isAbsent(s.values[i]) { vals[i] = absentValue } }
            var labels = Labels.empty
            if case .vectorSelector(let vs) = unwrap(c.args[0]) { labels = absentLabels(vs.matchers) }
            return .vector(vals.contains { !isAbsent($0) } ? [VSeries(labels: labels, values: vals)] : [])
        case .timestamp:
            if case .vectorSelector(let vs) = unwrap(c.args[0]) {
                let v = try selectVector(vs, timestamps: true)
                return .vector(try collect(v.map { VSeries(labels: dropName($0.labels), values: $0.values) }))
            }
            let v = try vectorArg(c.args[0])
            let ts = times
            return .vector(try mapVector(v) { _, i in Double(ts[i]) / 1000 })
        case .sort, .sortDesc:
            return .vector(try vectorArg(c.args[0]))
        case .labelReplace: return .vector(try labelReplace(c))
        case .labelJoin: return .vector(try labelJoin(c))
        case .histogramQuantile: return .vector(try histogramQuantile(c))
        case .histogramCount, .histogramSum, .histogramFraction:
            // Only native histograms have these; classic series yield nothing.
            for a in c.args { _ = try eval(a) }
            return .vector([])
        case .clamp:
            let v = try vectorArg(c.args[0])
            let lo = try scalarArg(c.args[1]), hi = try scalarArg(c.args[2])
            return .vector(try mapVector(v) { x, i in hi[i] < lo[i] ? nil : goMax(lo[i], goMin(hi[i], x)) })
        case .clampMin:
            let v = try vectorArg(c.args[0])
            let lo = try scalarArg(c.args[1])
            return .vector(try mapVector(v) { x, i in goMax(x, lo[i]) })
        case .clampMax:
            let v = try vectorArg(c.args[0])
            let hi = try scalarArg(c.args[1])
            return .vector(try mapVector(v) { x, i in goMin(x, hi[i]) })
        case .round:
            let v = try vectorArg(c.args[0])
            let to = c.args.count > 1 ? try scalarArg(c.args[1]) : [Double](repeating: 1, count: n)
            return .vector(try mapVector(v) { x, i in
                let inv = 1.0 / to[i]
                return (x * inv + 0.5).rounded(.down) / inv
            })
        case .daysInMonth, .dayOfMonth, .dayOfWeek, .dayOfYear, .hour, .minute, .month, .year:
            let v: [VSeries]
            if c.args.isEmpty {
                v = [VSeries(labels: .empty, values: times.map { Double($0) / 1000 })]
            } else {
                v = try vectorArg(c.args[0])
            }
            return .vector(try mapVector(v) { x, _ in dateFunction(f, x) })
        default:
            if let m = mathFunction(f) {
                let v = try vectorArg(c.args[0])
                return .vector(try mapVector(v) { x, _ in m(x) })
            }
            return .vector(try evalRangeFunction(c))
        }
    }

    /// Applies `f` to every present value (nil drops it), dropping the metric name.
    func mapVector(_ v: [VSeries], _ f: (Double, Int) -> Double?) throws(QueryError) -> [VSeries] {
        var out: [VSeries] = []
        out.reserveCapacity(v.count)
        for s in v {
            var vals = s.values
            for i in 0..<n where !isAbsent(vals[i]) {
                vals[i] = f(vals[i], i) ?? absentValue
            }
            out.append(VSeries(labels: dropName(s.labels), values: vals))
        }
        return try collect(out)
    }

    /// Merges series with equal labels, failing when two have a value at the same step.
    func collect(_ v: [VSeries]) throws(QueryError) -> [VSeries] {
        var out = OutputSet(n: n)
        for s in v { try out.add(s.labels, s.values) }
        return out.series
    }
}

func mathFunction(_ f: Function) -> ((Double) -> Double)? {
    switch f {
    case .abs: return { Swift.abs($0) }
    case .ceil: return { $0.rounded(.up) }
    case .floor: return { $0.rounded(.down) }
    case .exp: return { GoMath.exp($0) }
    case .sqrt: return { $0.squareRoot() }
    case .ln: return { GoMath.log($0) }
    case .log2: return { GoMath.log2($0) }
    case .log10: return { GoMath.log10($0) }
    case .sin: return { GoMath.sin($0) }
    case .cos: return { GoMath.cos($0) }
    case .tan: return { GoMath.tan($0) }
    case .asin: return { GoMath.asin($0) }
    case .acos: return { GoMath.acos($0) }
    case .atan: return { GoMath.atan($0) }
    case .sinh: return { GoMath.sinh($0) }
    case .cosh: return { GoMath.cosh($0) }
    case .tanh: return { GoMath.tanh($0) }
    case .asinh: return { GoMath.asinh($0) }
    case .acosh: return { GoMath.acosh($0) }
    case .atanh: return { GoMath.atanh($0) }
    case .deg: return { $0 * 180 / Double.pi }
    case .rad: return { $0 * Double.pi / 180 }
    case .sgn: return { $0 < 0 ? -1 : ($0 > 0 ? 1 : $0) }
    default: return nil
    }
}

/// Go's `int64(f)` on amd64: truncation, and the minimum int64 for NaN and out-of-range values.
func goInt64(_ x: Double) -> Int64 {
    if x.isNaN || !(x > -9.223372036854775808e18 && x < 9.223372036854775808e18) { return .min }
    return Int64(x)
}

/// The date functions on `time.Unix(int64(v), 0).UTC()`, computed as Go's time package does
/// (wrapping arithmetic included, so NaN and ±Inf give Go's answers).
func dateFunction(_ f: Function, _ x: Double) -> Double {
    let sec = goInt64(x)
    let unixToInternal: Int64 = 62_135_596_800
    let internalToAbsolute: Int64 = 9_223_371_966_579_724_800
    let abs = UInt64(bitPattern: (sec &+ unixToInternal) &+ internalToAbsolute)
    switch f {
    case .hour: return Double((abs % 86400) / 3600)
    case .minute: return Double((abs % 3600) / 60)
    case .dayOfWeek: return Double(((abs &+ 86400) % 604_800) / 86400)
    default: break
    }
    var d = abs / 86400
    var n = d / 146_097
    var y = 400 * n
    d -= 146_097 * n
    n = d / 36524
    n -= n >> 2
    y += 100 * n
    d -= 36524 * n
    n = d / 1461
    y += 4 * n
    d -= 1461 * n
    n = d / 365
    n -= n >> 2
    y += n
    d -= 365 * n
    let year = Int64(bitPattern: y) &+ -292_277_022_399
    let yday = Int(d)
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let daysBefore = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
    var day = yday
    var month = 0
    var done = false
    if leap {
        if day > 31 + 29 - 1 {
            day -= 1
        } else if day == 31 + 29 - 1 {
            month = 2
            day = 29
            done = true
        }
    }
    if !done {
        var m = day / 31
        let end = daysBefore[m + 1]
        var begin: Int
        if day >= end {
            m += 1
            begin = end
        } else {
            begin = daysBefore[m]
        }
        month = m + 1
        day = day - begin + 1
    }
    switch f {
    case .year: return Double(year)
    case .month: return Double(month)
    case .dayOfMonth: return Double(day)
    case .dayOfYear: return Double(yday + 1)
    case .daysInMonth:
        let dim = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return Double(month == 2 && leap ? 29 : dim[month - 1])
    default: return .nan
    }
}
