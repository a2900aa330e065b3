import TSDB

/// The canonical text of an expression, as Prometheus 2.42's `String()` writes it
/// (`sum by (job) (rate(x{code=~"5.."}[5m]))`): rule tooling, `promtool`-style formatting and
/// error messages show expressions this way, and users compare them with Prometheus's.
///
/// Two deliberate differences, both so that printing and parsing again gives the same tree:
/// Prometheus 2.42 drops `ignoring () group_left` entirely when the ignoring list is empty,
/// which changes the meaning of the printed query, and it prints `Inf ^ 2` as `+Inf ^ 2`,
/// which parses back as `+(Inf ^ 2)`; here it prints as `Inf ^ 2`.
extension Expr: CustomStringConvertible {
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Recursion only; the text of each node is made by non-inlined helpers, keeping the
    /// stack needed per nesting level small.
    func write(to out: inout String) {
        switch self {
        case .number, .string, .vectorSelector, .matrixSelector:
            writeLeaf(to: &out)
        case .subquery(let sq):
            sq.expr.write(to: &out)
            Expr.writeSubquerySuffix(sq, to: &out)
        case .aggregate(let a):
            Expr.writeAggregatePrefix(a, to: &out)
            if let p = a.param {
                p.write(to: &out)
                out += ", "
            }
            a.expr.write(to: &out)
            out += ")"
        case .binary(let b):
            if b.op == .pow, case .number(let n) = b.lhs, n.value == .infinity {
                // `+Inf ^ 2` would parse as `+(Inf ^ 2)`.
                out += "Inf"
            } else {
                b.lhs.write(to: &out)
            }
            Expr.writeOperator(b, to: &out)
            b.rhs.write(to: &out)
        case .unary(let u):
            out += u.op.rawValue
            u.expr.write(to: &out)
        case .call(let c):
            out += c.function.name
            out += "("
            for (i, arg) in c.args.enumerated() {
                if i > 0 { out += ", " }
                arg.write(to: &out)
            }
            out += ")"
        case .paren(let p):
            out += "("
            p.expr.write(to: &out)
            out += ")"
        }
    }

    @inline(never)
    private func writeLeaf(to out: inout String) {
        switch self {
        case .number(let n):
            out += GoFormat.float(n.value)
        case .string(let s):
            out += GoFormat.quote(s.value)
        case .vectorSelector(let vs):
            vs.writeSelector(to: &out)
            vs.writeModifiers(to: &out)
        case .matrixSelector(let ms):
            ms.selector.writeSelector(to: &out)
            out += "["
            out += GoFormat.duration(milliseconds: ms.range)
            out += "]"
            ms.selector.writeModifiers(to: &out)
        default:
            break
        }
    }

    @inline(never)
    private static func writeSubquerySuffix(_ sq: SubqueryExpr, to out: inout String) {
        out += "["
        out += GoFormat.duration(milliseconds: sq.range)
        out += ":"
        if let step = sq.step { out += GoFormat.duration(milliseconds: step) }
        out += "]"
        writeTimeModifiers(at: sq.at, offset: sq.offset, to: &out)
    }

    /// `sum by (a, b) (` or `sum(`.
    @inline(never)
    private static func writeAggregatePrefix(_ a: AggregateExpr, to out: inout String) {
        out += a.op.rawValue
        if a.without {
            out += " without ("
            out += a.grouping.joined(separator: ", ")
            out += ") "
        } else if !a.grouping.isEmpty {
            out += " by ("
            out += a.grouping.joined(separator: ", ")
            out += ") "
        }
        out += "("
    }

    /// ` + `, ` > bool on (a) group_left (b) `.
    @inline(never)
    private static func writeOperator(_ b: BinaryExpr, to out: inout String) {
        out += " "
        out += b.op.rawValue
        if b.returnBool { out += " bool" }
        if let m = b.matching, m.on || !m.matchingLabels.isEmpty || m.card == .manyToOne || m.card == .oneToMany {
            out += m.on ? " on (" : " ignoring ("
            out += m.matchingLabels.joined(separator: ", ")
            out += ")"
            if m.card == .manyToOne || m.card == .oneToMany {
                out += m.card == .manyToOne ? " group_left (" : " group_right ("
                out += m.include.joined(separator: ", ")
                out += ")"
            }
        }
        out += " "
    }
}

/// ` @ 1609746000.000`, ` @ start()`, then ` offset 5m` / ` offset -5m`.
private func writeTimeModifiers(at: AtModifier?, offset: Int64, to out: inout String) {
    switch at {
    case .timestamp(let ms)?:
        out += " @ "
        out += AtModifier.formatSeconds(ms)
    case .start?:
        out += " @ start()"
    case .end?:
        out += " @ end()"
    case nil:
        break
    }
    if offset > 0 {
        out += " offset "
        out += GoFormat.duration(milliseconds: offset)
    } else if offset < 0 {
        out += " offset -"
        out += GoFormat.duration(milliseconds: offset == Int64.min ? Int64.max : -offset)
    }
}

extension AtModifier {
    /// Prometheus's `%.3f` of the timestamp in seconds.
    static func formatSeconds(_ ms: Int64) -> String {
        if ms.magnitude < (1 << 53) {
            // Exact, and equal to what %.3f prints for ms/1000.0 in this range.
            let sign = ms < 0 ? "-" : ""
            let m = ms.magnitude
            let frac = String(m % 1000)
            return sign + String(m / 1000) + "." + String(repeating: "0", count: 3 - frac.count) + frac
        }
        return GoFormat.fixed(Double(ms) / 1000, precision: 3)
    }
}

extension VectorSelector: CustomStringConvertible {
    public var description: String { Expr.vectorSelector(self).description }

    /// `name{a="b",c=~"d"}`: matchers sorted as text, the one for `name` left out.
    func writeSelector(to out: inout String) {
        var parts: [String] = []
        parts.reserveCapacity(matchers.count)
        for m in matchers {
            if let name, m.name == Labels.metricName, m.kind == .equal, m.value == name { continue }
            parts.append(m.name + m.kind.rawValue + GoFormat.quote(m.value))
        }
        out += name ?? ""
        if parts.isEmpty { return }
        parts.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        out += "{"
        out += parts.joined(separator: ",")
        out += "}"
    }

    func writeModifiers(to out: inout String) {
        writeTimeModifiers(at: at, offset: offset, to: &out)
    }
}
