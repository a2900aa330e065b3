import Foundation
import TSDB

/// Prometheus's `quantile` over a set of values (sorted in place; NaN sorts first).
func promQuantile(_ q: Double, _ values: inout [Double]) -> Double {
    if values.isEmpty || q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    values.sort { a, b in
        if a.isNaN { return !b.isNaN }
        if b.isNaN { return false }
        return a < b
    }
    let n = Double(values.count)
    let rank = q * (n - 1)
    let lower = goMax(0, rank.rounded(.down))
    let upper = goMin(n - 1, lower + 1)
    let weight = rank - rank.rounded(.down)
    return values[Int(lower)] * (1 - weight) + values[Int(upper)] * weight
}

/// Go's strconv.FormatFloat(f, 'f', -1, 64).
public func formatFloatF(_ f: Double) -> String {
    if f.isNaN { return "NaN" }
    if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
    if f == 0 { return f.sign == .minus ? "-0" : "0" }
    let (digits, pointPos) = GoFormat.shortestDigits(f.magnitude)
    var out = f.sign == .minus ? "-" : ""
    let ds = digits.map { Character(Unicode.Scalar($0)) }
    if pointPos <= 0 {
        out += "0."
        out += String(repeating: "0", count: -pointPos)
        out += String(ds)
    } else if pointPos >= ds.count {
        out += String(ds)
        out += String(repeating: "0", count: pointPos - ds.count)
    } else {
        out += String(ds[0..<pointPos])
        out += "."
        out += String(ds[pointPos...])
    }
    return out
}

/// Go's strconv.FormatFloat(f, 'e', -1, 64): shortest digits, `d.ddde±XX`.
public func formatFloatE(_ f: Double) -> String {
    if f.isNaN { return "NaN" }
    if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
    var out = f.sign == .minus ? "-" : ""
    if f == 0 { return out + "0e+00" }
    let (digits, pointPos) = GoFormat.shortestDigits(f.magnitude)
    let ds = digits.map { Character(Unicode.Scalar($0)) }
    out.append(ds[0])
    if ds.count > 1 {
        out += "."
        out += String(ds[1...])
    }
    let e = pointPos - 1
    out += e < 0 ? "e-" : "e+"
    let mag = Swift.abs(e)
    out += mag < 10 ? "0\(mag)" : String(mag)
    return out
}

extension Evaluator {
    func groupLabels(_ l: Labels, _ a: AggregateExpr, _ names: Set<String>) -> Labels {
        if a.without {
            var d = names
            d.insert(Labels.metricName)
            return l.removing(d)
        }
        return l.keeping(names)
    }

    mutating func evalAggregate(_ a: AggregateExpr) throws(QueryError) -> [VSeries] {
        if let streamed = try streamedAggregate(a) { return streamed }
        var param: [Double] = []
        var label = ""
        if let p = a.param {
            if a.op == .countValues { label = try stringArg(p) } else { param = try scalarArg(p) }
        }
        let input = try vectorArg(a.expr)
        let names = Set(a.grouping)
        switch a.op {
        case .topk, .bottomk: return try topk(a, input, param, names)
        case .countValues: return try countValues(a, input, label, names)
        case .quantile: return try quantileAgg(a, input, param, names)
        default: break
        }
        // Group membership is computed once per series.
        var groupIndex: [Labels: Int] = [:]
        var groups: [Labels] = []
        var member = [Int](repeating: 0, count: input.count)
        for (k, s) in input.enumerated() {
            // `by (...)` as written: its short list compared directly, no label name hashed.
            let g = a.without ? groupLabels(s.labels, a, names) : s.labels.keeping(a.grouping)
            if let gi = groupIndex[g] {
                member[k] = gi
            } else {
                groupIndex[g] = groups.count
                member[k] = groups.count
                groups.append(g)
            }
        }
        var acc = Accumulators(op: a.op, n: n, groups: groups.count)
        for (k, s) in input.enumerated() { acc.add(s.values, group: member[k]) }
        return acc.finish(groups)
    }

    private func memberships(_ input: [VSeries], _ a: AggregateExpr, _ names: Set<String>) -> (groups: [Labels], member: [Int]) {
        var groupIndex: [Labels: Int] = [:]
        var groups: [Labels] = []
        var member: [Int] = []
        for s in input {
            let g = groupLabels(s.labels, a, names)
            if let gi = groupIndex[g] { member.append(gi) } else {
                groupIndex[g] = groups.count
                member.append(groups.count)
                groups.append(g)
            }
        }
        return (groups, member)
    }

    private func topk(_ a: AggregateExpr, _ input: [VSeries], _ param: [Double], _ names: Set<String>) throws(QueryError) -> [VSeries] {
        let (groups, member) = memberships(input, a, names)
        var byGroup = [[Int]](repeating: [], count: groups.count)
        for (k, g) in member.enumerated() { byGroup[g].append(k) }
        var out = input.map { VSeries(labels: $0.labels, values: [Double](repeating: absentValue, count: n)) }
        let top = a.op == .topk
        var cand: [(Int, Double)] = []
        for i in 0..<n {
            let kf = param[i]
            guard !kf.isNaN, kf >= 1 else { continue }
            let k = kf >= 9.2e18 ? Int.max : Int(kf)
            if k < 1 { continue }
            for members in byGroup {
                cand.removeAll(keepingCapacity: true)
                for s in members where !isAbsent(input[s].values[i]) { cand.append((s, input[s].values[i])) }
                if cand.isEmpty { continue }
                cand.sort { x, y in
                    if x.1.isNaN { return false }
                    if y.1.isNaN { return true }
                    return top ? x.1 > y.1 : x.1 < y.1
                }
                for (s, v) in cand.prefix(k) { out[s].values[i] = v }
            }
        }
        return out.filter { $0.values.contains { !isAbsent($0) } }
    }

    private func quantileAgg(_ a: AggregateExpr, _ input: [VSeries], _ param: [Double], _ names: Set<String>) throws(QueryError) -> [VSeries] {
        let (groups, member) = memberships(input, a, names)
        var byGroup = [[Int]](repeating: [], count: groups.count)
        for (k, g) in member.enumerated() { byGroup[g].append(k) }
        var out: [VSeries] = []
        var buf: [Double] = []
        for (g, members) in byGroup.enumerated() {
            var vals = [Double](repeating: absentValue, count: n)
            for i in 0..<n {
                buf.removeAll(keepingCapacity: true)
                for s in members where !isAbsent(input[s].values[i]) { buf.append(input[s].values[i]) }
                if buf.isEmpty { continue }
                vals[i] = promQuantile(param[i], &buf)
            }
            out.append(VSeries(labels: groups[g], values: vals))
        }
        return out
    }

    private func countValues(_ a: AggregateExpr, _ input: [VSeries], _ label: String, _ names: Set<String>) throws(QueryError) -> [VSeries] {
        guard Labels.isValidName(label) else { throw QueryError.exec("invalid label name \(GoFormat.quote(label))") }
        var names = names
        if !a.without { names.insert(label) }
        var index: [Labels: Int] = [:]
        var out: [VSeries] = []
        for s in input {
            for i in 0..<n where !isAbsent(s.values[i]) {
                let l = groupLabels(s.labels.setting(label, to: formatFloatF(s.values[i])), a, names)
                let k: Int
                if let x = index[l] { k = x } else {
                    k = out.count
                    index[l] = k
                    out.append(VSeries(labels: l, values: [Double](repeating: absentValue, count: n)))
                }
                out[k].values[i] = isAbsent(out[k].values[i]) ? 1 : out[k].values[i] + 1
            }
        }
        return out
    }
}
