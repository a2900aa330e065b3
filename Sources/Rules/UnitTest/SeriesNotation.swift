import PromQL
import TSDB

/// The input-series notation of `promtool test rules` (Prometheus's `load` command):
/// `metric{a="b"} 1 2+3x4 _ _x2 stale -Inf`. Grammar as in Prometheus 2.42's
/// `series_values`: `_` (no sample), `_xN` (N missing), `v` , `vxN` (N+1 copies of v),
/// `v+dxN` / `v-dxN` (N+1 values, each the previous plus d), `stale` (the stale marker).
enum SeriesNotation {
    /// Prometheus's stale marker, a NaN with these exact bits.
    static let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)

    /// One position of the expanded sequence: nil where a sample is omitted.
    typealias Values = [Double?]

    struct Error: Swift.Error, CustomStringConvertible {
        /// 1-based column in `series + " " + values`, as Prometheus reports it.
        var column: Int
        var message: String
        var description: String { "1:\(column): parse error: \(message)" }
    }

    /// Parses the labels of `series` and expands `values`.
    static func parse(series: String, values: String) throws(Error) -> (Labels, Values) {
        let labels: Labels
        do {
            labels = try parseMetric(series)
        } catch let e as ParseError {
            throw Error(column: e.column, message: e.message)
        } catch {
            throw Error(column: 1, message: "\(error)")
        }
        let offset = series.utf8.count + 1
        return (labels, try expand(values, columnOffset: offset))
    }

    /// A metric as Prometheus's `parser.ParseMetric` reads it: `name{a="b"}`, `{a="b"}`, `{}`.
    static func parseMetric(_ text: String) throws -> Labels {
        let trimmed = text.trimmingSpaces
        if trimmed == "{}" { return Labels.empty }
        let matchers = try PromQL.parseMetricSelector(text)
        var pairs: [(String, String)] = []
        for m in matchers {
            guard m.kind == .equal else {
                let column = firstNonEqualOperator(text)
                throw ParseError(message: "unexpected <op:\(m.kind.rawValue)> in label set, expected \"=\"",
                                 positionRange: PositionRange(start: column - 1, end: column), line: 1, column: column)
            }
            if m.value.isEmpty { continue }
            pairs.append((m.name, m.value))
        }
        return try Labels(pairs)
    }

    /// 1-based byte column of the first `!=`, `=~` or `!~` outside quotes in a selector.
    private static func firstNonEqualOperator(_ text: String) -> Int {
        let b = Array(text.utf8)
        var i = 0
        var quote: UInt8? = nil
        while i < b.count {
            let c = b[i]
            if let q = quote {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == q { quote = nil }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "`") {
                quote = c
            } else if i + 1 < b.count, (c == UInt8(ascii: "!") && (b[i + 1] == UInt8(ascii: "=") || b[i + 1] == UInt8(ascii: "~")))
                        || (c == UInt8(ascii: "=") && b[i + 1] == UInt8(ascii: "~")) {
                return i + 1
            }
            i += 1
        }
        return 1
    }

    private enum Token: Equatable {
        case number(Double, String)
        case blank
        case stale
        case times
        case plus
        case minus
        case space
        case ident(String)
    }

    /// Expands the value sequence; `columnOffset` is the byte offset of `values` in the line.
    static func expand(_ values: String, columnOffset: Int) throws(Error) -> Values {
        let toks = try lex(Array(values.utf8), columnOffset: columnOffset)
        var out: Values = []
        var i = 0
        func col(_ k: Int) -> Int { k < toks.count ? toks[k].col : columnOffset + values.utf8.count + 1 }
        func describe(_ k: Int) -> String {
            guard k < toks.count else { return "end of input" }
            switch toks[k].tok {
            case .number(_, let s): return "number \"\(s)\""
            case .blank: return "\"_\""
            case .stale: return "identifier \"stale\""
            case .times: return "\"x\""
            case .plus: return "\"+\""
            case .minus: return "\"-\""
            case .space: return "space"
            case .ident(let s): return "identifier \"\(s)\""
            }
        }
        func uint(_ k: Int) throws(Error) -> UInt64 {
            guard k < toks.count, case .number(_, let s) = toks[k].tok, let n = UInt64(s) else {
                throw Error(column: col(k), message: "unexpected \(describe(k)) in series values, expected number")
            }
            return n
        }
        func value(_ k: inout Int) throws(Error) -> Double {
            guard k < toks.count else { throw Error(column: col(k), message: "unexpected end of input") }
            switch toks[k].tok {
            case .number(let v, _): k += 1; return v
            case .stale: k += 1; return staleNaN
            case .plus, .minus:
                let neg = toks[k].tok == .minus
                guard k + 1 < toks.count, case .number(let v, _) = toks[k + 1].tok else {
                    throw Error(column: col(k + 1), message: "unexpected \(describe(k + 1))")
                }
                k += 2
                return neg ? -v : v
            case .ident:
                throw Error(column: col(k), message: "unexpected \(describe(k)) in series values, expected number or \"stale\"")
            default:
                throw Error(column: col(k), message: "unexpected \(describe(k))")
            }
        }
        while i < toks.count {
            if toks[i].tok == .space { i += 1; continue }
            if toks[i].tok == .blank {
                if i + 1 < toks.count, toks[i + 1].tok == .times {
                    let n = try uint(i + 2)
                    out.append(contentsOf: Array(repeating: nil, count: Int(n)))
                    i += 3
                } else {
                    out.append(nil)
                    i += 1
                }
            } else {
                var v = try value(&i)
                if i < toks.count, toks[i].tok == .times {
                    let n = try uint(i + 1)
                    out.append(contentsOf: Array(repeating: v, count: Int(n) + 1))
                    i += 2
                } else if i < toks.count, toks[i].tok == .plus || toks[i].tok == .minus {
                    let d = try value(&i)
                    guard i < toks.count, toks[i].tok == .times else {
                        throw Error(column: col(i), message: "unexpected \(describe(i)) in series values")
                    }
                    let n = try uint(i + 1)
                    i += 2
                    for _ in 0...n {
                        out.append(v)
                        v += d
                    }
                } else {
                    out.append(v)
                }
            }
            if i < toks.count, toks[i].tok != .space {
                throw Error(column: col(i), message: "unexpected \(describe(i))")
            }
        }
        return out
    }

    private static func lex(_ b: [UInt8], columnOffset: Int) throws(Error) -> [(tok: Token, col: Int)] {
        var out: [(tok: Token, col: Int)] = []
        var i = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func isAlpha(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F }
        while i < b.count {
            let c = b[i]
            let col = columnOffset + i + 1
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D:
                while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
                out.append((.space, col))
            case UInt8(ascii: "+"): out.append((.plus, col)); i += 1
            case UInt8(ascii: "-"): out.append((.minus, col)); i += 1
            case UInt8(ascii: "x"): out.append((.times, col)); i += 1
            case UInt8(ascii: "_"): out.append((.blank, col)); i += 1
            default:
                if isDigit(c) || (c == UInt8(ascii: ".") && i + 1 < b.count && isDigit(b[i + 1])) {
                    let start = i
                    while i < b.count, isDigit(b[i]) { i += 1 }
                    if i < b.count, b[i] == UInt8(ascii: ".") {
                        i += 1
                        while i < b.count, isDigit(b[i]) { i += 1 }
                    }
                    if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                        i += 1
                        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                        while i < b.count, isDigit(b[i]) { i += 1 }
                    }
                    let text = String(decoding: b[start..<i], as: UTF8.self)
                    if i < b.count, b[i] != UInt8(ascii: "x"), isAlpha(b[i]) || isDigit(b[i]) {
                        throw Error(column: col, message: "bad number or duration syntax: \"\(text)\(Character(Unicode.Scalar(b[i])))\"")
                    }
                    guard let v = goNumber(text) else {
                        throw Error(column: col, message: "error parsing number: \(text)")
                    }
                    out.append((.number(v, text), col))
                } else if isAlpha(c) {
                    let start = i
                    while i < b.count, isAlpha(b[i]) || isDigit(b[i]) { i += 1 }
                    let word = String(decoding: b[start..<i], as: UTF8.self)
                    switch word.lowercased() {
                    case "inf": out.append((.number(.infinity, word), col))
                    case "nan": out.append((.number(.nan, word), col))
                    default: out.append((word == "stale" ? .stale : .ident(word), col))
                    }
                } else {
                    let s = String(decoding: [c], as: UTF8.self)
                    throw Error(column: col, message: "unexpected character in series sequence: '\(s)'")
                }
            }
        }
        return out
    }

    /// Prometheus's `parser.number`: Go's `ParseInt(s, 0, 64)` (so `010` is octal), then `ParseFloat`.
    static func goNumber(_ s: String) -> Double? {
        let u = Array(s.utf8)
        if u.count >= 2, u[0] == UInt8(ascii: "0"), u.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) {
            if let i = Int64(s.dropFirst(), radix: 8) { return Double(i) }
        }
        if u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let i = Int64(s) { return Double(i) }
        guard let d = Double(s), d.isFinite else { return nil }
        return d
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
