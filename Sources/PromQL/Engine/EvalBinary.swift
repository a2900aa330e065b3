import Foundation
import TSDB

/// Go's `math.Max` / `math.Min`: NaN wins over numbers, ±Inf over NaN, +0 over -0 for Max.
@inline(__always) func goMax(_ a: Double, _ b: Double) -> Double {
    if a == .infinity || b == .infinity { return .infinity }
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && a == b { return a.sign == .minus ? b : a }
    return a > b ? a : b
}

@inline(__always) func goMin(_ a: Double, _ b: Double) -> Double {
    if a == -.infinity || b == -.infinity { return -.infinity }
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && a == b { return a.sign == .minus ? a : b }
    return a < b ? a : b
}

/// `vectorElemBinop`: the value and whether a comparison holds.
@inline(__always) func binop(_ op: BinaryOp, _ l: Double, _ r: Double) -> (Double, Bool) {
    switch op {
    case .add: return (l + r, true)
    case .sub: return (l - r, true)
    case .mul: return (l * r, true)
    case .div: return (l / r, true)
    case .pow: return (GoMath.pow(l, r), true)
    case .mod: return (GoMath.mod(l, r), true)
    case .atan2: return (GoMath.atan2(l, r), true)
    case .eql: return (l, l == r)
    case .neq: return (l, l != r)
    case .gtr: return (l, l > r)
    case .lss: return (l, l < r)
    case .gte: return (l, l >= r)
    case .lte: return (l, l <= r)
    case .and, .or, .unless: return (.nan, false)
    }
}

extension BinaryOp {
    /// Arithmetic drops the metric name; comparisons used as filters keep it.
    var dropsMetricName: Bool {
        switch self {
        case .add, .sub, .mul, .div, .mod, .pow: return true  // not atan2, as in 2.42
        default: return false
        }
    }
}

extension Evaluator {
    mutating func evalBinary(_ b: BinaryExpr) throws(QueryError) -> Value {
        let lv = try eval(b.lhs)
        let rv = try eval(b.rhs)
        switch (lv, rv) {
        case (.scalar(let l), .scalar(let r)):
            var out = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let (v, keep) = binop(b.op, l[i], r[i])
                out[i] = b.op.isComparison ? (keep ? 1 : 0) : v
            }
            return .scalar(out)
        case (.vector(let l), .scalar(let r)):
            return .vector(try vectorScalar(b, l, r, swap: false))
        case (.scalar(let l), .vector(let r)):
            return .vector(try vectorScalar(b, r, l, swap: true))
        case (.vector(let l), .vector(let r)):
            let m = b.matching ?? VectorMatching(card: b.op.isSetOperator ? .manyToMany : .oneToOne)
            switch b.op {
            case .and, .or, .unless: return .vector(try setOp(b.op, l, r, m))
            default: return .vector(try vectorVector(b, l, r, m))
            }
        default:
            throw QueryError(kind: .internal, message: "invalid binary operands")
        }
    }

    private func vectorScalar(_ b: BinaryExpr, _ vec: [VSeries], _ sc: [Double], swap: Bool) throws(QueryError) -> [VSeries] {
        var out = OutputSet(n: n)
        let drop = b.op.dropsMetricName || b.returnBool
        for s in vec {
            var vals = [Double](repeating: absentValue, count: n)
            for i in 0..<n {
                let x = s.values[i]
                if isAbsent(x) { continue }
                var (v, keep) = swap ? binop(b.op, sc[i], x) : binop(b.op, x, sc[i])
                if b.op.isComparison && swap { v = x }
                if b.returnBool {
                    v = keep ? 1 : 0
                    keep = true
                }
                if keep { vals[i] = v }
            }
            try out.add(drop ? dropName(s.labels) : s.labels, vals)
        }
        return out.series
    }

    func signature(_ l: Labels, _ m: VectorMatching, _ names: Set<String>) -> Labels {
        if m.on { return l.keeping(names) }
        var drop = names
        drop.insert(Labels.metricName)
        return l.removing(drop)
    }

    private func setOp(_ op: BinaryOp, _ l: [VSeries], _ r: [VSeries], _ m: VectorMatching) throws(QueryError) -> [VSeries] {
        let names = Set(m.matchingLabels)
        // For each signature, whether any series of the other side is present at each step.
        func presence(_ side: [VSeries]) -> [Labels: [Bool]] {
            var p: [Labels: [Bool]] = [:]
            for s in side {
                let sig = signature(s.labels, m, names)
                var arr = p[sig] ?? [Bool](repeating: false, count: n)
                for i in 0..<n where !isAbsent(s.values[i]) { arr[i] = true }
                p[sig] = arr
            }
            return p
        }
        var out = OutputSet(n: n)
        switch op {
        case .and, .unless:
            let rp = presence(r)
            let wantPresent = op == .and
            for s in l {
                let p = rp[signature(s.labels, m, names)]
                var vals = s.values
                for i in 0..<n where !isAbsent(vals[i]) {
                    let present = p?[i] ?? false
                    if present != wantPresent { vals[i] = absentValue }
                }
                try out.add(s.labels, vals)
            }
        default:
            let lp = presence(l)
            for s in l { try out.add(s.labels, s.values) }
            for s in r {
                let p = lp[signature(s.labels, m, names)]
                var vals = s.values
                if let p { for i in 0..<n where p[i] { vals[i] = absentValue } }
                try out.add(s.labels, vals)
            }
        }
        return out.series
    }

    private func resultMetric(_ lhs: Labels, _ rhs: Labels, _ op: BinaryOp, _ m: VectorMatching, _ names: Set<String>) -> Labels {
        var l = lhs
        if op.dropsMetricName { l = dropName(l) }
        if m.card == .oneToOne {
            if m.on { l = l.keeping(names) } else { l = l.removing(names) }
        }
        for ln in m.include {
            l = l.setting(ln, to: rhs[ln] ?? "")
        }
        return l
    }

    private func vectorVector(_ b: BinaryExpr, _ lhs: [VSeries], _ rhs: [VSeries], _ m: VectorMatching) throws(QueryError) -> [VSeries] {
        if lhs.isEmpty || rhs.isEmpty { return [] }
        let names = Set(m.matchingLabels)
        let swapped = m.card == .oneToMany
        let (L, R) = swapped ? (rhs, lhs) : (lhs, rhs)
        var rGroups: [Labels: [Int]] = [:]
        for (k, s) in R.enumerated() { rGroups[signature(s.labels, m, names), default: []].append(k) }
        // The "one" side must have one series per signature at every step; like Prometheus,
        // report the first duplicate met walking steps in order and series in order.
        var dupGroupOf = [Int](repeating: -1, count: R.count)
        var dupGroups = 0
        for (_, idxs) in rGroups where idxs.count > 1 {
            for k in idxs { dupGroupOf[k] = dupGroups }
            dupGroups += 1
        }
        if dupGroups > 0 {
            let members = (0..<R.count).filter { dupGroupOf[$0] >= 0 }
            var firstAt = [Int](repeating: -1, count: dupGroups)
            // Prometheus returns early at a step where either side is empty, before checking.
            var active = [Bool](repeating: false, count: n)
            var rActive = [Bool](repeating: false, count: n)
            for s in L { for i in 0..<n where !isAbsent(s.values[i]) { active[i] = true } }
            for s in R { for i in 0..<n where !isAbsent(s.values[i]) { rActive[i] = true } }
            for i in 0..<n where active[i] && rActive[i] {
                for g in 0..<dupGroups { firstAt[g] = -1 }
                for k in members where !isAbsent(R[k].values[i]) {
                    let g = dupGroupOf[k]
                    if firstAt[g] >= 0 {
                        let f = firstAt[g]
                        let side = swapped ? "left" : "right"
                        let sig = signature(R[k].labels, m, names)
                        throw QueryError.exec("found duplicate series for the match group \(goLabelsString(sig)) on the \(side) hand-side of the operation: [\(goLabelsString(R[k].labels)), \(goLabelsString(R[f].labels))];many-to-many matching not allowed: matching labels must be unique on one side")
                    }
                    firstAt[g] = k
                }
            }
        }
        var lCount: [Labels: Int] = [:]
        var lSigs: [Labels] = []
        lSigs.reserveCapacity(L.count)
        for s in L {
            let sig = signature(s.labels, m, names)
            lSigs.append(sig)
            lCount[sig, default: 0] += 1
        }
        // Steps already matched, per signature with several lhs series (one-to-one only).
        var matchedSlot: [Labels: Int] = [:]
        var matched: [[Bool]] = []
        var out = OutputSet(n: n)
        if m.card != .oneToOne { out.message = "multiple matches for labels: grouping labels must ensure unique matches" }
        for (li, ls) in L.enumerated() {
            let sig = lSigs[li]
            guard let group = rGroups[sig] else { continue }
            let track = m.card == .oneToOne && lCount[sig]! > 1
            for k in group {
                let rs = R[k]
                var vals = [Double](repeating: absentValue, count: n)
                var any = false
                for i in 0..<n {
                    let a = ls.values[i], c = rs.values[i]
                    if isAbsent(a) || isAbsent(c) { continue }
                    var (v, keep) = swapped ? binop(b.op, c, a) : binop(b.op, a, c)
                    if b.returnBool {
                        v = keep ? 1 : 0
                        keep = true
                    }
                    if !keep { continue }
                    if track {
                        let slot: Int
                        if let x = matchedSlot[sig] { slot = x } else {
                            slot = matched.count
                            matchedSlot[sig] = slot
                            matched.append([Bool](repeating: false, count: n))
                        }
                        if matched[slot][i] {
                            throw QueryError.exec("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                        }
                        matched[slot][i] = true
                    }
                    vals[i] = v
                    any = true
                }
                if !any { continue }
                var metric = resultMetric(ls.labels, rs.labels, b.op, m, names)
                if b.returnBool { metric = dropName(metric) }
                try out.add(metric, vals)
            }
        }
        return out.series
    }
}
