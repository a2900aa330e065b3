import TSDB

/// The per-group state of `sum`, `avg`, `min`, `max`, `count`, `group`, `stddev`, `stdvar`
/// over the step grid: one slot per group and step, series folded in one at a time, in input
/// order (so floating-point sums come out exactly as when all series are held at once).
struct Accumulators {
    let op: AggregateOp
    let n: Int
    private(set) var groups: Int
    private var value: [Double]
    private var mean: [Double]
    private var count: [Double]

    init(op: AggregateOp, n: Int, groups: Int) {
        self.op = op
        self.n = n
        self.groups = groups
        value = [Double](repeating: 0, count: groups * n)
        mean = [Double](repeating: 0, count: groups * n)
        count = [Double](repeating: 0, count: groups * n)
    }

    /// A new group's slots (streamed input discovers groups as it goes); its index.
    mutating func addGroup() -> Int {
        value.append(contentsOf: repeatElement(0, count: n))
        mean.append(contentsOf: repeatElement(0, count: n))
        count.append(contentsOf: repeatElement(0, count: n))
        groups += 1
        return groups - 1
    }

    /// Folds one series' step values (absent ones skipped) into `group`.
    mutating func add(_ values: [Double], group: Int) {
        let base = group * n
        for i in 0..<n {
            let v = values[i]
            if isAbsent(v) { continue }
            let x = base + i
            if count[x] == 0 {
                count[x] = 1
                switch op {
                case .stddev, .stdvar: mean[x] = v; value[x] = 0
                case .avg: mean[x] = v
                case .group: value[x] = 1
                default: value[x] = v
                }
                continue
            }
            count[x] += 1
            switch op {
            case .sum: value[x] += v
            case .min: if value[x] > v || value[x].isNaN { value[x] = v }
            case .max: if value[x] < v || value[x].isNaN { value[x] = v }
            case .avg:
                let c = count[x]
                if mean[x].isInfinite {
                    if v.isInfinite && (mean[x] > 0) == (v > 0) { continue }
                    if !v.isInfinite && !v.isNaN { continue }
                }
                mean[x] += v / c - mean[x] / c
            case .stddev, .stdvar:
                let delta = v - mean[x]
                mean[x] += delta / count[x]
                value[x] += delta * (v - mean[x])
            default: break
            }
        }
    }

    /// One output series per group (labels in group order).
    func finish(_ labels: [Labels]) -> [VSeries] {
        var out: [VSeries] = []
        out.reserveCapacity(groups)
        for g in 0..<groups {
            var vals = [Double](repeating: absentValue, count: n)
            for i in 0..<n {
                let x = g * n + i
                if count[x] == 0 { continue }
                switch op {
                case .avg: vals[i] = mean[x]
                case .count: vals[i] = count[x]
                case .stdvar: vals[i] = value[x] / count[x]
                case .stddev: vals[i] = (value[x] / count[x]).squareRoot()
                default: vals[i] = value[x]
                }
            }
            out.append(VSeries(labels: labels[g], values: vals))
        }
        return out
    }
}

extension Evaluator {
    /// `sum|avg|min|max|count|group|stddev|stdvar [by|without (…)] (rate|increase|delta(m[r]))`
    /// where `m` names its metric (`__name__=` matcher): the seed rules' shape, and what most
    /// dashboards and recording rules ask. Evaluated series by series straight from storage,
    /// with the same steps as the general path (stale markers dropped, windows slid over the
    /// grid, `extrapolatedRate`, groups in order of appearance, values folded in series order),
    /// so results are identical, but no series' samples, step values or labels outlive its
    /// turn. nil when the expression has another shape.
    mutating func streamedAggregate(_ a: AggregateExpr) throws(QueryError) -> [VSeries]? {
        switch a.op {
        case .sum, .avg, .min, .max, .count, .group, .stddev, .stdvar: break
        default: return nil
        }
        guard a.param == nil, case .call(let c) = unwrap(a.expr), c.args.count == 1 else { return nil }
        let isCounter: Bool, isRate: Bool
        switch c.function {
        case .rate: (isCounter, isRate) = (true, true)
        case .increase: (isCounter, isRate) = (true, false)
        case .delta: (isCounter, isRate) = (false, false)
        default: return nil
        }
        // One metric name, so dropping it cannot make two series collide (the general path's
        // "same labelset" check has nothing to find).
        guard case .matrixSelector(let ms) = unwrap(c.args[0]),
              ms.selector.matchers.contains(where: { $0.kind == .equal && $0.name == Labels.metricName && !$0.value.isEmpty })
        else { return nil }
        try checkTimeout()
        // The same aggregation twice in one query (the seed alert's `x >= 10 and x / y …`) is
        // read once: both then see the same data, as Prometheus's isolation gives them.
        let key = StreamedAggregateKey(expr: a, start: start, end: end, step: step, atShift: atShift)
        if let hit = streamedResults[key] {
            try account(hit.samples)
            return hit.series
        }
        let sel = ms.selector
        let at = resolveAt(sel.at)
        let range = ms.range, offset = sel.offset
        let rangeSec = Double(range) / 1000
        let minRef = (at ?? start) - offset, maxRef = (at ?? end) - offset
        let n = self.n, times = self.times, deadline = self.deadline
        // `without (…)` drops the name too (groupLabels); `by (…)` keeps the listed labels.
        var withoutNames = Set(a.grouping)
        withoutNames.insert(Labels.metricName)
        let without = a.without, grouping = a.grouping
        var groupIndex: [Labels: Int] = [:]
        var groups: [Labels] = []
        var acc = Accumulators(op: a.op, n: n, groups: 0)
        var vals = [Double](repeating: absentValue, count: n)
        var total = 0, seen = 0
        var lastInput: (labels: Labels, group: Int)?
        do {
            // `by (…)` reads only its labels (`__name__` is dropped before grouping); `without` all.
            let only = without ? nil : grouping.filter { $0 != Labels.metricName }
            try storage.forEachSeries(sel.matchers, mint: minRef - range, maxt: maxRef, onlyLabels: only) { (labels, ts, vs) throws(QueryError) in
                seen += 1
                if seen & 255 == 0 && ContinuousClock.now > deadline {
                    throw QueryError(kind: .timeout, message: "query timed out in query execution")
                }
                var ts = ts, vs = vs
                if vs.contains(where: { $0.isNaN }) {
                    // As the general path: stale markers dropped, other NaNs made plain.
                    var fts: [Int64] = [], fvs: [Double] = []
                    for j in 0..<ts.count where !isStale(vs[j]) {
                        fts.append(ts[j])
                        fvs.append(vs[j].isNaN ? .nan : vs[j])
                    }
                    ts = fts
                    vs = fvs
                }
                let count = ts.count
                total += count
                if count == 0 { return }
                let mayReset = isCounter && hasDecrease(vs)
                var lo = 0, hi = 0, any = false
                for i in 0..<n {
                    let ref = (at ?? times[i]) - offset
                    let mint = ref - range
                    while lo < count && ts[lo] < mint { lo += 1 }
                    if hi < lo { hi = lo }
                    while hi < count && ts[hi] <= ref { hi += 1 }
                    if hi > lo, let v = extrapolatedRate(ts[lo..<hi], vs[lo..<hi], rangeStart: ref - range, rangeEnd: ref,
                                                         rangeSec: rangeSec, isCounter: isCounter, isRate: isRate,
                                                         mayReset: mayReset) {
                        vals[i] = v
                        any = true
                    } else {
                        vals[i] = absentValue
                    }
                }
                guard any else { return }
                // Storage hands consecutive series of one group the same labels (equal by
                // identity, so this compare is cheap): their group is the last one's.
                if let last = lastInput, last.labels == labels {
                    acc.add(vals, group: last.group)
                    return
                }
                let dropped = dropName(labels)
                let g = without ? dropped.removing(withoutNames) : dropped.keeping(grouping)
                let gi: Int
                if let x = groupIndex[g] {
                    gi = x
                } else {
                    gi = acc.addGroup()
                    groupIndex[g] = gi
                    groups.append(g)
                }
                lastInput = (labels, gi)
                acc.add(vals, group: gi)
            }
        } catch let e as QueryError {
            throw e
        } catch {
            throw QueryError(kind: .internal, message: "\(error)")
        }
        try account(total)
        let result = acc.finish(groups)
        streamedResults[key] = (result, total)
        return result
    }
}

/// A streamed aggregation and the grid it was evaluated on (the expression compares
/// structurally, ignoring positions; `@` resolves against the query's fixed start and end).
struct StreamedAggregateKey: Hashable {
    let expr: AggregateExpr
    let start: Int64
    let end: Int64
    let step: Int64
    let atShift: Int64
}
