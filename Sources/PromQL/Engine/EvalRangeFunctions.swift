import Foundation
import TSDB

/// Neumaier-compensated summation step, as Prometheus's `kahanSumInc`.
@inline(__always) func kahanInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
    let t = sum + inc
    var c = c
    if Swift.abs(sum) >= Swift.abs(inc) { c += (sum - t) + inc } else { c += (inc - t) + sum }
    return (t, c)
}

func linearRegression(_ ts: ArraySlice<Int64>, _ vs: ArraySlice<Double>, interceptTime: Int64) -> (Double, Double) {
    var n = 0.0
    var sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
    let initY = vs[vs.startIndex]
    var constY = true
    for j in ts.indices {
        let v = vs[j]
        if constY && j > ts.startIndex && v != initY { constY = false }
        n += 1
        let x = Double(ts[j] - interceptTime) / 1e3
        (sumX, cX) = kahanInc(x, sumX, cX)
        (sumY, cY) = kahanInc(v, sumY, cY)
        (sumXY, cXY) = kahanInc(x * v, sumXY, cXY)
        (sumX2, cX2) = kahanInc(x * x, sumX2, cX2)
    }
    if constY {
        if initY.isInfinite { return (.nan, .nan) }
        return (0, initY)
    }
    sumX += cX
    sumY += cY
    sumXY += cXY
    sumX2 += cX2
    let covXY = sumXY - sumX * sumY / n
    let varX = sumX2 - sumX * sumX / n
    let slope = covXY / varX
    return (slope, sumY / n - slope * sumX / n)
}

extension Evaluator {
    /// Slides the window `[ref - range, ref]` over the grid for every series and calls `f`
    /// with the samples in it (never empty); nil drops the step.
    func overTime(_ arg: RangeArg, keepName: Bool,
                  _ f: (ArraySlice<Int64>, ArraySlice<Double>, Int, Int64) -> Double?) throws(QueryError) -> [VSeries] {
        var out: [VSeries] = []
        out.reserveCapacity(arg.series.count)
        for (si, s) in arg.series.enumerated() {
            if si & 255 == 255 { try checkTimeout() }
            var vals = [Double](repeating: absentValue, count: n)
            var lo = 0, hi = 0
            let count = s.ts.count
            var any = false
            for i in 0..<n {
                let ref = (arg.at ?? times[i]) - arg.offset
                let mint = ref - arg.range
                while lo < count && s.ts[lo] < mint { lo += 1 }
                if hi < lo { hi = lo }
                while hi < count && s.ts[hi] <= ref { hi += 1 }
                if hi > lo, let v = f(s.ts[lo..<hi], s.vs[lo..<hi], i, ref) {
                    vals[i] = v
                    any = true
                }
            }
            if any { out.append(VSeries(labels: keepName ? s.labels : dropName(s.labels), values: vals)) }
        }
        // Two inputs that differ only by name collide once it is dropped.
        // Distinct inputs stay distinct when they all had the same name (the usual case).
        let oneName = arg.series.allSatisfy { $0.labels.name == arg.series.first?.labels.name }
        if !keepName && !oneName {
            var seen = Set<Labels>()
            for s in out where !seen.insert(s.labels).inserted {
                throw QueryError.exec("vector cannot contain metrics with the same labelset")
            }
        }
        return out
    }

    mutating func evalRangeFunction(_ c: Call) throws(QueryError) -> [VSeries] {
        let f = c.function
        let matrixIndex = f == .quantileOverTime ? 1 : 0
        var scalars: [[Double]] = []
        for (k, a) in c.args.enumerated() where k != matrixIndex { scalars.append(try scalarArg(a)) }
        let arg = try rangeArg(c.args[matrixIndex], shiftAt: f == .predictLinear)
        let rangeSec = Double(arg.range) / 1000
        let evalTimes = times
        switch f {
        case .rate, .increase, .delta:
            let isCounter = f != .delta, isRate = f == .rate
            return try overTime(arg, keepName: false) { ts, vs, _, ref in
                extrapolatedRate(ts, vs, rangeStart: ref - arg.range, rangeEnd: ref, rangeSec: rangeSec,
                                 isCounter: isCounter, isRate: isRate)
            }
        case .irate, .idelta:
            let isRate = f == .irate
            return try overTime(arg, keepName: false) { ts, vs, _, _ in
                guard ts.count >= 2 else { return nil }
                let last = vs[vs.endIndex - 1], prev = vs[vs.endIndex - 2]
                var r = isRate && last < prev ? last : last - prev
                let dt = ts[ts.endIndex - 1] - ts[ts.endIndex - 2]
                if dt == 0 { return nil }
                if isRate { r /= Double(dt) / 1000 }
                return r
            }
        case .avgOverTime:
            return try overTime(arg, keepName: false) { _, vs, _, _ in
                var mean = 0.0, count = 0.0, c = 0.0
                for v in vs {
                    count += 1
                    if mean.isInfinite {
                        if v.isInfinite && (mean > 0) == (v > 0) { continue }
                        if !v.isInfinite && !v.isNaN { continue }
                    }
                    (mean, c) = kahanInc(v / count - mean / count, mean, c)
                }
                return mean.isInfinite ? mean : mean + c
            }
        case .sumOverTime:
            return try overTime(arg, keepName: false) { _, vs, _, _ in
                var sum = 0.0, c = 0.0
                for v in vs { (sum, c) = kahanInc(v, sum, c) }
                return sum.isInfinite ? sum : sum + c
            }
        case .countOverTime:
            return try overTime(arg, keepName: false) { ts, _, _, _ in Double(ts.count) }
        case .minOverTime:
            return try overTime(arg, keepName: false) { _, vs, _, _ in
                var m = vs[vs.startIndex]
                for v in vs where v < m || m.isNaN { m = v }
                return m
            }
        case .maxOverTime:
            return try overTime(arg, keepName: false) { _, vs, _, _ in
                var m = vs[vs.startIndex]
                for v in vs where v > m || m.isNaN { m = v }
                return m
            }
        case .lastOverTime:
            return try overTime(arg, keepName: true) { _, vs, _, _ in vs[vs.endIndex - 1] }
        case .presentOverTime:
            return try overTime(arg, keepName: false) { _, _, _, _ in 1 }
        case .stddevOverTime, .stdvarOverTime:
            let dev = f == .stddevOverTime
            return try overTime(arg, keepName: false) { _, vs, _, _ in
                var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
                for v in vs {
                    count += 1
                    let delta = v - (mean + cMean)
                    (mean, cMean) = kahanInc(delta / count, mean, cMean)
                    (aux, cAux) = kahanInc(delta * (v - (mean + cMean)), aux, cAux)
                }
                let r = (aux + cAux) / count
                return dev ? r.squareRoot() : r
            }
        case .quantileOverTime:
            let q = scalars[0]
            var buf: [Double] = []
            return try overTime(arg, keepName: false) { _, vs, i, _ in
                buf.removeAll(keepingCapacity: true)
                buf.append(contentsOf: vs)
                return promQuantile(q[i], &buf)
            }
        case .changes, .resets:
            let isChanges = f == .changes
            return try overTime(arg, keepName: false) { _, vs, _, _ in
                var k = 0.0
                var prev = vs[vs.startIndex]
                for v in vs.dropFirst() {
                    if isChanges {
                        if v != prev && !(v.isNaN && prev.isNaN) { k += 1 }
                    } else if v < prev { k += 1 }
                    prev = v
                }
                return k
            }
        case .deriv:
            return try overTime(arg, keepName: false) { ts, vs, _, _ in
                guard ts.count >= 2 else { return nil }
                return linearRegression(ts, vs, interceptTime: ts[ts.startIndex]).0
            }
        case .predictLinear:
            let d = scalars[0]
            return try overTime(arg, keepName: false) { ts, vs, i, _ in
                guard ts.count >= 2 else { return nil }
                let (slope, intercept) = linearRegression(ts, vs, interceptTime: evalTimes[i])
                return slope * d[i] + intercept
            }
        case .holtWinters:
            let sfs = scalars[0], tfs = scalars[1]
            // Prometheus checks the factors only when it evaluates a series with samples in
            // the window, so an empty selector never fails; remember the first bad factor.
            var invalid: QueryError? = nil
            let result = try overTime(arg, keepName: false) { _, vs, i, _ in
                if invalid != nil { return nil }
                if sfs[i] <= 0 || sfs[i] >= 1 {
                    invalid = QueryError.exec("invalid smoothing factor. Expected: 0 < sf < 1, got: \(goPercentF(sfs[i]))")
                    return nil
                }
                if tfs[i] <= 0 || tfs[i] >= 1 {
                    invalid = QueryError.exec("invalid trend factor. Expected: 0 < tf < 1, got: \(goPercentF(tfs[i]))")
                    return nil
                }
                let sf = sfs[i], tf = tfs[i]
                let l = vs.count
                guard l >= 2 else { return nil }
                let p = vs.startIndex
                var s0 = 0.0, s1 = vs[p], b = vs[p + 1] - vs[p]
                for k in 1..<l {
                    let x = sf * vs[p + k]
                    if k - 1 != 0 { b = tf * (s1 - s0) + (1 - tf) * b }
                    let y = (1 - sf) * (s1 + b)
                    (s0, s1) = (s1, x + y)
                }
                return s1
            }
            if let invalid { throw invalid }
            return result
        case .absentOverTime:
            var vals = [Double](repeating: absentValue, count: n)
            // Any series with a sample in the window makes the step non-absent.
            let present = try overTime(arg, keepName: true) { _, _, _, _ in 1 }
            for i in 0..<n where !present.contains(where: { !isAbsent($0.values[i]) }) { vals[i] = 1 }
            let labels = absentLabels(arg.matchers ?? [])
            return vals.contains(where: { !isAbsent($0) }) ? [VSeries(labels: labels, values: vals)] : []
        default:
            throw QueryError.exec("function \(f.name) is not supported yet")
        }
    }
}

/// Prometheus's `extrapolatedRate` over the window's samples. `mayReset: false` promises that
/// no value in `vs` is below the one before it (the caller checked the whole series once), so
/// the counter-reset scan, the only part that grows with the window, is skipped: a sliding
/// window over a range query then costs the same whatever its width.
func extrapolatedRate(_ ts: ArraySlice<Int64>, _ vs: ArraySlice<Double>, rangeStart: Int64, rangeEnd: Int64,
                      rangeSec: Double, isCounter: Bool, isRate: Bool, mayReset: Bool = true) -> Double? {
    let count = ts.count
    if count < 2 { return nil }
    let first = vs[vs.startIndex], last = vs[vs.endIndex - 1]
    let t0 = ts[ts.startIndex], t1 = ts[ts.endIndex - 1]
    var result = last - first
    if isCounter && mayReset {
        var prev = first
        for v in vs.dropFirst() {
            if v < prev { result += prev }
            prev = v
        }
    }
    var durationToStart = Double(t0 - rangeStart) / 1000
    let durationToEnd = Double(rangeEnd - t1) / 1000
    let sampledInterval = Double(t1 - t0) / 1000
    let avgBetween = sampledInterval / Double(count - 1)
    if isCounter && result > 0 && first >= 0 {
        let durationToZero = sampledInterval * (first / result)
        if durationToZero < durationToStart { durationToStart = durationToZero }
    }
    let threshold = avgBetween * 1.1
    var extrapolateTo = sampledInterval
    extrapolateTo += durationToStart < threshold ? durationToStart : avgBetween / 2
    extrapolateTo += durationToEnd < threshold ? durationToEnd : avgBetween / 2
    var factor = extrapolateTo / sampledInterval
    if isRate { factor /= rangeSec }
    return result * factor
}

/// Whether some value is below the one before it (a counter reset somewhere in the series).
func hasDecrease(_ vs: [Double]) -> Bool {
    guard vs.count > 1 else { return false }
    var prev = vs[0]
    for j in 1..<vs.count {
        let v = vs[j]
        if v < prev { return true }
        prev = v
    }
    return false
}

/// Go's `%f`.
func goPercentF(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
    return GoFormat.fixed(v, precision: 6)
}

/// Labels of `absent`/`absent_over_time` output, as Prometheus 2.42 derives them: in matcher
/// order, an equality matcher sets its label unless already set; any other matcher on a label
/// (or a second equality) removes it.
func absentLabels(_ matchers: [Matcher]) -> Labels {
    var l = Labels.empty
    var has = Set<String>()
    for m in matchers where m.name != Labels.metricName {
        if m.kind == .equal && !has.contains(m.name) {
            l = l.setting(m.name, to: m.value)
            has.insert(m.name)
        } else {
            l = l.setting(m.name, to: "")
        }
    }
    return l
}
