import Foundation
import TSDB
@testable import PromQL

/// A reader for the `promtool test rules` files of the corpora (the regular layout that
/// scripts/corpus-fill.py writes), enough to replay them against the engine.
struct CorpusCase {
    var file: String
    var expr: String
    var evalTime: Int64
    var expected: [(labels: Labels, value: Double)]
}

struct CorpusGroup {
    var interval: Int64
    var series: [StoredSeries]
    var cases: [CorpusCase]
}

enum CorpusReader {
    static func unquote(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("'") && t.hasSuffix("'") && t.count >= 2 {
            t = String(t.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        } else if t.hasPrefix("\"") && t.hasSuffix("\"") && t.count >= 2 {
            t = String(t.dropFirst().dropLast())
        }
        return t
    }

    static func duration(_ s: String) -> Int64 {
        let t = unquote(s)
        if t == "0" { return 0 }
        var total: Int64 = 0
        var num: Int64 = 0
        let cs = Array(t)
        var i = 0
        while i < cs.count {
            let c = cs[i]
            if let d = c.wholeNumberValue {
                num = num * 10 + Int64(d)
                i += 1
                continue
            }
            var unit = String(c)
            if c == "m" && i + 1 < cs.count && cs[i + 1] == "s" {
                unit = "ms"
                i += 1
            }
            let mult: Int64 = ["ms": 1, "s": 1000, "m": 60000, "h": 3_600_000, "d": 86_400_000,
                               "w": 604_800_000, "y": 31_536_000_000][unit] ?? 0
            total += num * mult
            num = 0
            i += 1
        }
        return total
    }

    static func yamlFloat(_ s: String) -> Double {
        let t = unquote(s)
        switch t.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: return Double(t) ?? .nan
        }
    }

    static func read(_ path: String) -> [CorpusGroup] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let file = (path as NSString).lastPathComponent
        var groups: [CorpusGroup] = []
        var pendingSeries: String? = nil
        var pendingLabels: Labels? = nil
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") { continue }
            func value(after key: String) -> String? {
                for prefix in ["- " + key + ":", key + ":"] where trimmed.hasPrefix(prefix) {
                    return String(trimmed.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
                }
                return nil
            }
            if let v = value(after: "interval"), line.hasPrefix("  - ") {
                groups.append(CorpusGroup(interval: duration(v), series: [], cases: []))
            } else if let v = value(after: "series") {
                pendingSeries = unquote(v)
            } else if let v = value(after: "values"), let s = pendingSeries, !groups.isEmpty {
                let g = groups.count - 1
                let labels = try! SeriesNotationLite.parseMetric(s)
                let vals = try! SeriesNotationLite.expand(unquote(v))
                var ts: [Int64] = [], vs: [Double] = []
                for (k, x) in vals.enumerated() {
                    if let x {
                        ts.append(Int64(k) * groups[g].interval)
                        vs.append(x)
                    }
                }
                groups[g].series.append(StoredSeries(labels: labels, timestamps: ts, values: vs))
                pendingSeries = nil
            } else if let v = value(after: "expr"), !groups.isEmpty {
                groups[groups.count - 1].cases.append(CorpusCase(file: file, expr: unquote(v), evalTime: 0, expected: []))
            } else if let v = value(after: "eval_time"), !groups.isEmpty {
                let g = groups.count - 1
                groups[g].cases[groups[g].cases.count - 1].evalTime = duration(v)
            } else if let v = value(after: "labels") {
                pendingLabels = try! SeriesNotationLite.parseMetric(unquote(v))
            } else if let v = value(after: "value"), let l = pendingLabels, !groups.isEmpty {
                let g = groups.count - 1
                groups[g].cases[groups[g].cases.count - 1].expected.append((l, yamlFloat(v)))
                pendingLabels = nil
            }
        }
        return groups
    }
}

/// The expanding notation of input_series: `a+bxN`, `a-bxN`, `axN`, `_`, `_xN`, `stale`.
enum SeriesNotationLite {
    static let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)

    static func parseMetric(_ text: String) throws -> Labels {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "{}" || t.isEmpty { return .empty }
        let matchers = try PromQL.parseMetricSelector(t)
        var pairs: [(String, String)] = []
        for m in matchers where !m.value.isEmpty { pairs.append((m.name, m.value)) }
        return try Labels(pairs)
    }

    static func number(_ s: Substring) -> Double? {
        switch s.lowercased() {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default: return Double(s)
        }
    }

    struct Bad: Error { var item: String }

    static func expand(_ text: String) throws -> [Double?] {
        var out: [Double?] = []
        for item in text.split(separator: " ", omittingEmptySubsequences: true) {
            if item == "_" { out.append(nil); continue }
            if item == "stale" { out.append(staleNaN); continue }
            if item.hasPrefix("_x"), let k = Int(item.dropFirst(2)) {
                out.append(contentsOf: [Double?](repeating: nil, count: k))
                continue
            }
            guard let xi = item.lastIndex(of: "x"), let times = Int(item[item.index(after: xi)...]) else {
                guard let v = number(item) else { throw Bad(item: String(item)) }
                out.append(v)
                continue
            }
            let head = item[..<xi]
            // Split "a+b" / "a-b" at the sign that is not the leading one nor after an exponent.
            var split: String.Index? = nil
            var i = head.index(after: head.startIndex)
            while i < head.endIndex {
                let c = head[i]
                let prev = head[head.index(before: i)]
                if (c == "+" || c == "-") && prev != "e" && prev != "E" { split = i; break }
                i = head.index(after: i)
            }
            if let split {
                guard var a = number(head[..<split]), let d = number(head[split...]) else { throw Bad(item: String(item)) }
                out.append(a)
                if times >= 1 { for _ in 1...times { a += d; out.append(a) } }
            } else {
                guard let a = number(head) else { throw Bad(item: String(item)) }
                out.append(contentsOf: [Double?](repeating: a, count: times + 1))
            }
        }
        return out
    }
}
