import Foundation
import TSDB

/// Bit pattern of Prometheus's stale marker.
let staleNaNBits: UInt64 = 0x7ff0_0000_0000_0002
/// Marks "no value at this step" in dense per-step arrays. Values read from storage are
/// canonicalized so no real sample carries this payload.
let absentBits: UInt64 = 0x7ff8_dead_beef_0001
let absentValue = Double(bitPattern: absentBits)

@inline(__always) func isAbsent(_ v: Double) -> Bool { v.bitPattern == absentBits }
@inline(__always) func isStale(_ v: Double) -> Bool { v.bitPattern == staleNaNBits }

/// An instant vector over the step grid: one dense array per series.
struct VSeries {
    var labels: Labels
    var values: [Double]
}

/// A range vector: the samples (stale markers removed) of each series.
struct RSeries {
    var labels: Labels
    var ts: [Int64]
    var vs: [Double]
}

enum Value {
    case scalar([Double])
    case string(String)
    case vector([VSeries])
    case matrix([RSeries])
}

/// A range-vector argument: series with the window geometry to slide over the step grid.
struct RangeArg {
    var series: [RSeries]
    var range: Int64
    var offset: Int64
    var at: Int64?
    /// The selector's matchers when the argument was a matrix selector (absent_over_time).
    var matchers: [Matcher]?
}

/// Evaluates an expression over every step of a grid at once.
struct Evaluator {
    let options: EngineOptions
    let storage: any QueryableStorage
    /// The query's own start and end (for `@ start()` / `@ end()`).
    let queryStart: Int64
    let queryEnd: Int64
    // The current grid (changes inside subqueries).
    var start: Int64
    var end: Int64
    var step: Int64
    var times: [Int64]
    var samplesLoaded = 0
    /// Prometheus 2.42 turns `@` into an offset computed when an evaluator starts, and a
    /// subquery whose first step equals its parent's start does not recompute it: the `@`
    /// selectors inside then read shifted by that subquery's offset (plus its own `@`). This
    /// reproduces that; it is 0 everywhere else.
    var atShift: Int64 = 0
    let deadline: ContinuousClock.Instant
    /// Streamed aggregations already evaluated in this query, by expression and grid.
    var streamedResults: [StreamedAggregateKey: (series: [VSeries], samples: Int)] = [:]

    init(options: EngineOptions, storage: any QueryableStorage, start: Int64, end: Int64, step: Int64) {
        self.options = options
        self.storage = storage
        let start = Evaluator.clampTime(start), end = Evaluator.clampTime(end)
        self.queryStart = start
        self.queryEnd = end
        self.start = start
        self.end = end
        self.step = step
        self.times = Evaluator.grid(start, end, step)
        self.deadline = ContinuousClock.now.advanced(by: options.timeout)
    }

    static func grid(_ start: Int64, _ end: Int64, _ step: Int64) -> [Int64] {
        guard end >= start, step > 0 else { return [] }
        let count = Int((end - start) / step) + 1
        var out: [Int64] = []
        out.reserveCapacity(count)
        for k in 0..<count { out.append(start + Int64(k) * step) }
        return out
    }

    var n: Int { times.count }

    func checkTimeout() throws(QueryError) {
        if ContinuousClock.now > deadline {
            throw QueryError(kind: .timeout, message: "query timed out in query execution")
        }
    }

    mutating func account(_ count: Int) throws(QueryError) {
        samplesLoaded += count
        if samplesLoaded > options.maxSamples {
            throw QueryError(kind: .tooManySamples,
                             message: "query processing would load too many samples into memory in query execution")
        }
    }

    /// Timestamps are kept within ±2^61 ms (73 million years) so that subtracting offsets and
    /// ranges (at most ~292 years each) never overflows.
    static let timeLimit: Int64 = 1 << 61

    static func clampTime(_ t: Int64) -> Int64 { Swift.min(Swift.max(t, -timeLimit), timeLimit) }

    func resolveAt(_ a: AtModifier?) -> Int64? {
        switch a {
        case nil: return nil
        case .timestamp(let t): return Evaluator.clampTime(t) &+ atShift
        case .start: return queryStart &+ atShift
        case .end: return queryEnd &+ atShift
        }
    }

    // MARK: Entry points

    mutating func runInstant(_ e: Expr) throws(QueryError) -> QueryResult {
        let t = start
        switch unwrap(e) {
        case .matrixSelector(let ms):
            let arg = try rangeArg(.matrixSelector(ms))
            return .matrix(matrixAt(arg, t: t))
        case .subquery(let sq):
            let arg = try rangeArg(.subquery(sq))
            return .matrix(matrixAt(arg, t: t))
        default: break
        }
        switch try eval(e) {
        case .scalar(let v): return .scalar(t: t, v: v[0])
        case .string(let s): return .string(t: t, s: s)
        case .vector(let vs):
            var out: [Sample] = []
            out.reserveCapacity(vs.count)
            for s in vs where !isAbsent(s.values[0]) { out.append(Sample(labels: s.labels, t: t, v: s.values[0])) }
            if case .aggregate(let a) = unwrap(e), a.op == .topk || a.op == .bottomk {
                // Prometheus lists each group's selection best first, groups in order of appearance.
                let names = Set(a.grouping)
                var groupOrder: [Labels: Int] = [:]
                let keyed = out.enumerated().map { k, s -> (g: Int, k: Int, s: Sample) in
                    let g = groupLabels(s.labels, a, names)
                    let gi = groupOrder[g] ?? groupOrder.count
                    groupOrder[g] = gi
                    return (gi, k, s)
                }
                let top = a.op == .topk
                out = keyed.sorted { x, y in
                    if x.g != y.g { return x.g < y.g }
                    if x.s.v.isNaN != y.s.v.isNaN { return y.s.v.isNaN }
                    if x.s.v != y.s.v && !x.s.v.isNaN { return top ? x.s.v > y.s.v : x.s.v < y.s.v }
                    return x.k < y.k
                }.map(\.s)
            }
            if case .call(let c) = unwrap(e), c.function == .sort || c.function == .sortDesc {
                let desc = c.function == .sortDesc
                // NaN sorts first for sort, last for sort_desc, as Prometheus's heaps do.
                out.sort { a, b in
                    if desc {
                        if a.v.isNaN { return false }
                        if b.v.isNaN { return true }
                        return a.v > b.v
                    }
                    if a.v.isNaN { return !b.v.isNaN }
                    if b.v.isNaN { return false }
                    return a.v < b.v
                }
            }
            return .vector(out)
        case .matrix(let m):
            return .matrix(m.map { SeriesResult(labels: $0.labels, points: zip($0.ts, $0.vs).map { QueryPoint(t: $0, v: $1) }) })
        }
    }

    private func matrixAt(_ arg: RangeArg, t: Int64) -> [SeriesResult] {
        let ref = (arg.at ?? t) - arg.offset
        var out: [SeriesResult] = []
        for s in arg.series {
            var pts: [QueryPoint] = []
            for j in 0..<s.ts.count where s.ts[j] >= ref - arg.range && s.ts[j] <= ref {
                pts.append(QueryPoint(t: s.ts[j], v: s.vs[j]))
            }
            if !pts.isEmpty { out.append(SeriesResult(labels: s.labels, points: pts)) }
        }
        return out
    }

    mutating func runRange(_ e: Expr) throws(QueryError) -> QueryResult {
        switch try eval(e) {
        case .scalar(let v):
            return .matrix([SeriesResult(labels: .empty, points: zip(times, v).map { QueryPoint(t: $0, v: $1) })])
        case .vector(let vs):
            var out: [SeriesResult] = []
            for s in vs {
                var pts: [QueryPoint] = []
                pts.reserveCapacity(n)
                for i in 0..<n where !isAbsent(s.values[i]) { pts.append(QueryPoint(t: times[i], v: s.values[i])) }
                if !pts.isEmpty { out.append(SeriesResult(labels: s.labels, points: pts)) }
            }
            out.sort { labelsLess($0.labels, $1.labels) }
            return .matrix(out)
        case .string, .matrix:
            throw QueryError(kind: .badData, message: "invalid expression type for range query, must be Scalar or instant Vector")
        }
    }

    // MARK: Dispatch

    func unwrap(_ e: Expr) -> Expr {
        var e = e
        while case .paren(let p) = e { e = p.expr }
        return e
    }

    mutating func eval(_ e: Expr) throws(QueryError) -> Value {
        try checkTimeout()
        switch e {
        case .number(let n): return .scalar([Double](repeating: n.value, count: self.n))
        case .string(let s): return .string(s.value)
        case .paren(let p): return try eval(p.expr)
        case .unary(let u):
            let v = try eval(u.expr)
            if u.op == .plus { return v }
            switch v {
            case .scalar(let xs): return .scalar(xs.map { -$0 })
            case .vector(let vs):
                var out = OutputSet(n: n)
                for s in vs {
                    try out.add(dropName(s.labels), s.values.map { isAbsent($0) ? $0 : -$0 })
                }
                return .vector(out.series)
            default: throw QueryError(kind: .internal, message: "unary minus on \(v)")
            }
        case .vectorSelector(let vs): return .vector(try selectVector(vs))
        case .matrixSelector(let ms): return .matrix(try rangeArg(.matrixSelector(ms)).series)
        case .subquery(let sq): return .matrix(try rangeArg(.subquery(sq)).series)
        case .aggregate(let a): return .vector(try evalAggregate(a))
        case .binary(let b): return try evalBinary(b)
        case .call(let c): return try evalCall(c)
        }
    }

    // MARK: Selectors

    /// Fetches the series of a selector for reference times in [minRef - before, maxRef].
    /// With `latestOnly`, only the last sample at or before `maxRef` is read (see
    /// `QueryableStorage.selectLatest`).
    mutating func fetch(_ vs: VectorSelector, before: Int64, latestOnly: Bool = false) throws(QueryError) -> [StoredSeries] {
        let at = resolveAt(vs.at)
        let minRef = (at ?? start) - vs.offset
        let maxRef = (at ?? end) - vs.offset
        do {
            if latestOnly { return try storage.selectLatest(vs.matchers, mint: minRef - before, maxt: maxRef) }
            let r = try storage.select(vs.matchers, mint: minRef - before, maxt: maxRef)
            return r
        } catch let e as QueryError {
            throw e
        } catch {
            throw QueryError(kind: .internal, message: "\(error)")
        }
    }

    /// An instant vector selector over the grid: lookback and staleness.
    mutating func selectVector(_ vs: VectorSelector, timestamps: Bool = false) throws(QueryError) -> [VSeries] {
        let at = resolveAt(vs.at)
        // One step whose reference time is the fetch's end: only each series' last sample at
        // or before it is read (not so for `timestamp(x @ t)`, which may look earlier).
        let latestOnly = n == 1 && !timestamps && (at != nil || times[0] == end)
        let lookback = options.lookbackDelta > 0 ? options.lookbackDelta : 300_000
        let stored = try fetch(vs, before: lookback, latestOnly: latestOnly)
        var out: [VSeries] = []
        out.reserveCapacity(stored.count)
        var total = 0
        for s in stored {
            var vals = [Double](repeating: absentValue, count: n)
            var j = -1
            let ts = s.timestamps
            let count = ts.count
            var any = false
            for i in 0..<n {
                var ref = (at ?? times[i]) - vs.offset
                var lower = ref - lookback
                if timestamps, let at {
                    // `timestamp(x @ t offset o)` in 2.42: the offset is replaced by the @ shift
                    // (reference time t), but the samples are those fetched for t - o.
                    lower = Swift.max(ref - lookback, at - lookback)
                    ref = Swift.min(at, ref)
                }
                while j + 1 < count && ts[j + 1] <= ref { j += 1 }
                if j >= 0 && ts[j] >= lower {
                    let v = s.values[j]
                    if isStale(v) { continue }
                    vals[i] = timestamps ? Double(ts[j]) / 1000 : (v.isNaN ? .nan : v)
                    any = true
                    total += 1
                }
            }
            if any { out.append(VSeries(labels: s.labels, values: vals)) }
        }
        try account(total)
        return out
    }

    /// The series of a range-vector expression (matrix selector or subquery).
    /// With `shiftAt`, an `@` acts as Prometheus 2.42 applies it to the range argument of a
    /// function that is not step-invariant (`predict_linear`): as an offset fixed at the
    /// evaluation start, so the window moves with the step.
    mutating func rangeArg(_ e: Expr, shiftAt: Bool = false) throws(QueryError) -> RangeArg {
        var e = unwrap(e)
        if shiftAt {
            switch e {
            case .matrixSelector(let ms):
                // The samples are those fetched for the `@` time; only the window moves.
                if let at = resolveAt(ms.selector.at) {
                    var arg = try rangeArg(e)
                    arg.offset += start - at
                    arg.at = nil
                    return arg
                }
            case .subquery(var sq):
                if let at = resolveAt(sq.at) {
                    sq.offset += start - at
                    sq.at = nil
                    e = .subquery(sq)
                }
            default: break
            }
        }
        switch e {
        case .matrixSelector(let ms):
            let stored = try fetch(ms.selector, before: ms.range)
            var out: [RSeries] = []
            out.reserveCapacity(stored.count)
            var total = 0
            for s in stored {
                // Most series hold no NaN (so no stale marker): their columns are shared as they are.
                if !s.values.contains(where: { $0.isNaN }) {
                    total += s.timestamps.count
                    if !s.timestamps.isEmpty { out.append(RSeries(labels: s.labels, ts: s.timestamps, vs: s.values)) }
                    continue
                }
                var ts: [Int64] = []
                var vs: [Double] = []
                ts.reserveCapacity(s.timestamps.count)
                vs.reserveCapacity(s.timestamps.count)
                for j in 0..<s.timestamps.count where !isStale(s.values[j]) {
                    ts.append(s.timestamps[j])
                    vs.append(s.values[j].isNaN ? .nan : s.values[j])
                }
                total += ts.count
                if !ts.isEmpty { out.append(RSeries(labels: s.labels, ts: ts, vs: vs)) }
            }
            try account(total)
            return RangeArg(series: out, range: ms.range, offset: ms.selector.offset,
                            at: resolveAt(ms.selector.at), matchers: ms.selector.matchers)
        case .subquery(let sq):
            let at = resolveAt(sq.at)
            var interval = sq.step ?? options.defaultSubqueryStep
            if interval <= 0 { interval = options.defaultSubqueryStep > 0 ? options.defaultSubqueryStep : 60_000 }
            let outerStart = (at ?? start) - sq.offset
            let outerEnd = (at ?? end) - sq.offset
            var subStart = interval * ((outerStart - sq.range) / interval)
            if subStart < outerStart - sq.range { subStart += interval }
            if outerEnd >= subStart && (outerEnd - subStart) / interval >= Int64(options.maxSamples) {
                throw QueryError(kind: .tooManySamples,
                                 message: "query processing would load too many samples into memory in query execution")
            }
            let saved = (start, end, step, times, atShift)
            // 2.42 recomputes the `@` offsets of the inner expression only when the subquery
            // starts elsewhere than its parent (see `atShift`).
            atShift = subStart == start ? atShift &+ sq.offset &+ (at.map { start &- $0 } ?? 0) : 0
            start = subStart
            end = outerEnd
            step = interval
            times = Evaluator.grid(subStart, outerEnd, interval)
            defer { (start, end, step, times, atShift) = saved }
            let inner = try eval(sq.expr)
            var out: [RSeries] = []
            guard case .vector(let vs) = inner else {
                throw QueryError(kind: .internal, message: "subquery of non-vector")
            }
            var total = 0
            for s in vs {
                var ts: [Int64] = []
                var xs: [Double] = []
                for i in 0..<times.count where !isAbsent(s.values[i]) {
                    ts.append(times[i])
                    xs.append(s.values[i])
                }
                total += ts.count
                if !ts.isEmpty { out.append(RSeries(labels: s.labels, ts: ts, vs: xs)) }
            }
            try account(total)
            return RangeArg(series: out, range: sq.range, offset: sq.offset, at: at, matchers: nil)
        default:
            throw QueryError(kind: .internal, message: "expected a range vector")
        }
    }

    // MARK: Helpers

    mutating func scalarArg(_ e: Expr) throws(QueryError) -> [Double] {
        guard case .scalar(let v) = try eval(e) else {
            throw QueryError(kind: .internal, message: "expected a scalar argument")
        }
        return v
    }

    mutating func vectorArg(_ e: Expr) throws(QueryError) -> [VSeries] {
        guard case .vector(let v) = try eval(e) else {
            throw QueryError(kind: .internal, message: "expected an instant vector argument")
        }
        return v
    }

    mutating func stringArg(_ e: Expr) throws(QueryError) -> String {
        guard case .string(let s) = try eval(e) else {
            throw QueryError(kind: .internal, message: "expected a string argument")
        }
        return s
    }
}

func dropName(_ l: Labels) -> Labels {
    l.removingName()
}

/// Collects output series by label set; two values for the same labels at one step are an
/// error, as in Prometheus ("vector cannot contain metrics with the same labelset").
struct OutputSet {
    let n: Int
    var series: [VSeries] = []
    var index: [Labels: Int] = [:]
    var message = "vector cannot contain metrics with the same labelset"

    init(n: Int) { self.n = n }

    mutating func add(_ labels: Labels, _ values: [Double]) throws(QueryError) {
        if let k = index[labels] {
            for i in 0..<n where !isAbsent(values[i]) {
                if !isAbsent(series[k].values[i]) { throw QueryError.exec(message) }
                series[k].values[i] = values[i]
            }
            return
        }
        guard values.contains(where: { !isAbsent($0) }) else { return }
        index[labels] = series.count
        series.append(VSeries(labels: labels, values: values))
    }
}

/// Go's `labels.Labels.String()`: `{__name__="up", job="x"}`.
public func goLabelsString(_ l: Labels) -> String {
    var out = "{"
    var first = true
    for x in l {
        if !first { out += ", " }
        first = false
        out += x.name + "=" + Labels.quote(x.value)
    }
    return out + "}"
}

/// Prometheus's label-set order: label by label, name then value, bytewise.
func labelsLess(_ a: Labels, _ b: Labels) -> Bool {
    let n = Swift.min(a.count, b.count)
    for i in 0..<n {
        let x = a[i], y = b[i]
        if x.name != y.name { return x.name.utf8.lexicographicallyPrecedes(y.name.utf8) }
        if x.value != y.value { return x.value.utf8.lexicographicallyPrecedes(y.value.utf8) }
    }
    return a.count < b.count
}
