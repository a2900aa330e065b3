import RE2
import TSDB

/// Go's `regexp.Expand` template: `$1`, `${1}`, `$name`, `${name}`, `$$`.
func expandTemplate(_ template: String, groups: [Substring?], names: [String: Int]) -> String {
    var out = ""
    let chars = Array(template.unicodeScalars)
    var i = 0
    func isNameChar(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
    }
    while i < chars.count {
        let c = chars[i]
        if c != "$" {
            out.unicodeScalars.append(c)
            i += 1
            continue
        }
        i += 1
        if i < chars.count && chars[i] == "$" {
            out += "$"
            i += 1
            continue
        }
        var name = ""
        var ok = false
        if i < chars.count && chars[i] == "{" {
            var j = i + 1
            while j < chars.count && isNameChar(chars[j]) { j += 1 }
            if j < chars.count && chars[j] == "}" && j > i + 1 {
                name = String(String.UnicodeScalarView(chars[(i + 1)..<j]))
                i = j + 1
                ok = true
            }
        } else {
            var j = i
            while j < chars.count && isNameChar(chars[j]) { j += 1 }
            if j > i {
                name = String(String.UnicodeScalarView(chars[i..<j]))
                i = j
                ok = true
            }
        }
        if !ok {
            out += "$"
            continue
        }
        var index: Int? = nil
        if name.unicodeScalars.allSatisfy({ $0 >= "0" && $0 <= "9" }) {
            index = name.count > 18 ? nil : Int(name)
        } else {
            index = names[name]
        }
        if let k = index, k < groups.count, let g = groups[k] { out += g }
    }
    return out
}

extension Evaluator {
    mutating func labelReplace(_ c: Call) throws(QueryError) -> [VSeries] {
        let v = try vectorArg(c.args[0])
        let dst = try stringArg(c.args[1]), repl = try stringArg(c.args[2])
        let src = try stringArg(c.args[3]), pattern = try stringArg(c.args[4])
        let re: PromRegex
        do { re = try PromRegex("^(?:" + pattern + ")$") } catch {
            throw QueryError.exec("invalid regular expression in label_replace(): \(pattern)")
        }
        guard Labels.isValidName(dst) else {
            throw QueryError.exec("invalid destination label name in label_replace(): \(dst)")
        }
        var out = OutputSet(n: n)
        for s in v {
            var l = s.labels
            if let groups = re.match(s.labels[src] ?? "") {
                l = l.setting(dst, to: expandTemplate(repl, groups: groups, names: re.groupNames))
            }
            try out.add(l, s.values)
        }
        return out.series
    }

    mutating func labelJoin(_ c: Call) throws(QueryError) -> [VSeries] {
        let v = try vectorArg(c.args[0])
        let dst = try stringArg(c.args[1]), sep = try stringArg(c.args[2])
        var srcs: [String] = []
        for a in c.args.dropFirst(3) { srcs.append(try stringArg(a)) }
        guard Labels.isValidName(dst) else {
            throw QueryError.exec("invalid destination label name in label_join(): \(dst)")
        }
        for s in srcs where !Labels.isValidName(s) {
            throw QueryError.exec("invalid source label name in label_join(): \(s)")
        }
        var out = OutputSet(n: n)
        for s in v {
            let joined = srcs.map { s.labels[$0] ?? "" }.joined(separator: sep)
            try out.add(s.labels.setting(dst, to: joined), s.values)
        }
        return out.series
    }

    mutating func histogramQuantile(_ c: Call) throws(QueryError) -> [VSeries] {
        let q = try scalarArg(c.args[0])
        let v = try vectorArg(c.args[1])
        var groupIndex: [Labels: Int] = [:]
        var groups: [(labels: Labels, members: [(bound: Double, series: Int)])] = []
        for (k, s) in v.enumerated() {
            guard let le = s.labels["le"], let bound = parseGoFloat(le) else { continue }
            let g = s.labels.removing([Labels.metricName, "le"])
            if let gi = groupIndex[g] {
                groups[gi].members.append((bound, k))
            } else {
                groupIndex[g] = groups.count
                groups.append((g, [(bound, k)]))
            }
        }
        var out: [VSeries] = []
        var buckets: [(upper: Double, count: Double)] = []
        for g in groups {
            var vals = [Double](repeating: absentValue, count: n)
            for i in 0..<n {
                buckets.removeAll(keepingCapacity: true)
                for m in g.members where !isAbsent(v[m.series].values[i]) {
                    buckets.append((m.bound, v[m.series].values[i]))
                }
                if buckets.isEmpty { continue }
                vals[i] = bucketQuantile(q[i], &buckets)
            }
            if vals.contains(where: { !isAbsent($0) }) { out.append(VSeries(labels: g.labels, values: vals)) }
        }
        return out
    }
}

/// Go's strconv.ParseFloat for bucket bounds (enough of it: decimal, exponent, Inf, NaN).
func parseGoFloat(_ s: String) -> Double? {
    let t = s.replacingOccurrences(of: "_", with: "")
    switch t.lowercased() {
    case "inf", "+inf", "infinity", "+infinity": return .infinity
    case "-inf", "-infinity": return -.infinity
    case "nan": return .nan
    default: return Double(t)
    }
}

func bucketQuantile(_ q: Double, _ buckets: inout [(upper: Double, count: Double)]) -> Double {
    if q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    buckets.sort { $0.upper < $1.upper }
    guard buckets[buckets.count - 1].upper == .infinity else { return .nan }
    // Coalesce equal bounds.
    var merged: [(upper: Double, count: Double)] = []
    merged.reserveCapacity(buckets.count)
    for b in buckets {
        if let last = merged.last, last.upper == b.upper {
            merged[merged.count - 1].count += b.count
        } else {
            merged.append(b)
        }
    }
    // Monotonicity fix.
    var mx = -Double.infinity
    for k in merged.indices {
        if merged[k].count > mx { mx = merged[k].count } else if merged[k].count < mx { merged[k].count = mx }
    }
    if merged.count < 2 { return .nan }
    let observations = merged[merged.count - 1].count
    if observations == 0 { return .nan }
    var rank = q * observations
    var b = 0
    while b < merged.count - 1 && !(merged[b].count >= rank) { b += 1 }
    if b == merged.count - 1 { return merged[merged.count - 2].upper }
    if b == 0 && merged[0].upper <= 0 { return merged[0].upper }
    var bucketStart = 0.0
    let bucketEnd = merged[b].upper
    var count = merged[b].count
    if b > 0 {
        bucketStart = merged[b - 1].upper
        count -= merged[b - 1].count
        rank -= merged[b - 1].count
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count)
}
