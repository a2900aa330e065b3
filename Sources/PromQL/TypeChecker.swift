import TSDB

/// Prometheus's `checkAST`: the type and consistency rules a syntactically valid tree must
/// still satisfy. Nodes are visited in Prometheus's order and the first violation is
/// reported, so that among several problems the same one is named.
struct TypeChecker {
    let src: [UInt8]

    @inline(never)
    private func error(_ message: String, at range: PositionRange) -> ParseError {
        ParseError(message, at: range, in: src)
    }

    /// Recursion only; the rules live in non-inlined helpers so that deep trees need little
    /// stack per level.
    @discardableResult
    func check(_ expr: Expr) throws(ParseError) -> ValueType {
        switch expr {
        case .number, .string:
            break
        case .vectorSelector(let vs):
            try checkSelector(vs)
        case .matrixSelector(let ms):
            try checkSelector(ms.selector)
        case .paren(let p):
            try check(p.expr)
        case .subquery(let sq):
            try subqueryRule(try check(sq.expr), sq.positionRange)
        case .unary(let u):
            try unaryRule(try check(u.expr), u.positionRange)
        case .aggregate(let a):
            try expect(a.expr, .vector, "aggregation expression")
            if let p = a.param {
                try expect(p, a.op == .countValues ? .string : .scalar, "aggregation parameter")
            }
        case .call(let c):
            try callArityRule(c)
            try checkCallArguments(c)
        case .binary(let b):
            let lt = try check(b.lhs)
            let rt = try check(b.rhs)
            try binaryRules(b, lt, rt)
        }
        return expr.type
    }

    private func expect(_ expr: Expr, _ want: ValueType, _ context: String) throws(ParseError) {
        let t = try check(expr)
        if t != want { throw mismatch(expr, want, t, context) }
    }

    @inline(never)
    private func mismatch(_ expr: Expr, _ want: ValueType, _ got: ValueType, _ context: String) -> ParseError {
        error("expected type \(want.documentedName) in \(context), got \(got.documentedName)", at: expr.positionRange)
    }

    @inline(never)
    private func subqueryRule(_ t: ValueType, _ range: PositionRange) throws(ParseError) {
        if t != .vector {
            throw error("subquery is only allowed on instant vector, got \(t.rawValue) instead", at: range)
        }
    }

    @inline(never)
    private func unaryRule(_ t: ValueType, _ range: PositionRange) throws(ParseError) {
        if t != .scalar && t != .vector {
            throw error(
                "unary expression only allowed on expressions of type scalar or instant vector, got \(GoFormat.quote(t.documentedName))",
                at: range)
        }
    }

    @inline(never)
    private func checkSelector(_ vs: VectorSelector) throws(ParseError) {
        if let name = vs.name {
            // The last matcher is the one for the name written before the braces.
            for m in vs.matchers.dropLast() where m.name == Labels.metricName {
                throw error(
                    "metric name must not be set twice: \(GoFormat.quote(name)) or \(GoFormat.quote(m.value))",
                    at: vs.positionRange)
            }
            return
        }
        // Refuse selectors that would match every series, which is almost always a typo.
        if !vs.matchers.contains(where: { !$0.matchesEmpty }) {
            throw error("vector selector must contain at least one non-empty matcher", at: vs.positionRange)
        }
    }

    @inline(never)
    private func callArityRule(_ c: Call) throws(ParseError) {
        let f = c.function
        let declared = f.argTypes.count
        let quotedName = GoFormat.quote(f.name)
        if f.variadic == 0 {
            if declared != c.args.count {
                throw error("expected \(declared) argument(s) in call to \(quotedName), got \(c.args.count)", at: c.positionRange)
            }
        } else if f.minArgs > c.args.count {
            throw error("expected at least \(f.minArgs) argument(s) in call to \(quotedName), got \(c.args.count)", at: c.positionRange)
        } else if let maximum = f.maxArgs, maximum < c.args.count {
            throw error("expected at most \(maximum) argument(s) in call to \(quotedName), got \(c.args.count)", at: c.positionRange)
        }
    }

    private func checkCallArguments(_ c: Call) throws(ParseError) {
        let types = c.function.argTypes
        for (i, arg) in c.args.enumerated() {
            var index = i
            if i >= types.count {
                if c.function.variadic == 0 { break }
                index = types.count - 1
            }
            try expect(arg, types[index], "call to function \"\(c.function.name)\"")
        }
    }

    /// Where the operator is: from the end of the left side to the start of the right side,
    /// without surrounding whitespace.
    private func operatorRange(_ b: BinaryExpr) -> PositionRange {
        var start = b.lhs.positionRange.end
        while start < src.count, isSpace(src[start]) { start += 1 }
        var end = b.rhs.positionRange.start - 1
        while end > start, end < src.count, isSpace(src[end]) { end -= 1 }
        return PositionRange(start: start, end: end)
    }

    private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    @inline(never)
    private func binaryRules(_ b: BinaryExpr, _ lt: ValueType, _ rt: ValueType) throws(ParseError) {
        let m = b.parsedMatching
        if b.returnBool && !b.op.isComparison {
            throw error("bool modifier can only be used on comparison operators", at: operatorRange(b))
        }
        if b.op.isComparison && !b.returnBool && lt == .scalar && rt == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", at: operatorRange(b))
        }
        if m.on {
            for l in m.matchingLabels where m.include.contains(l) {
                throw error("label \(GoFormat.quote(l)) must not occur in ON and GROUP clause at once", at: operatorRange(b))
            }
        }
        if lt != .scalar && lt != .vector {
            throw error("binary expression must contain only scalar and instant vector types", at: b.lhs.positionRange)
        }
        if rt != .scalar && rt != .vector {
            throw error("binary expression must contain only scalar and instant vector types", at: b.rhs.positionRange)
        }
        let opName = GoFormat.quote(b.op.rawValue)
        if lt != .vector || rt != .vector {
            if !m.matchingLabels.isEmpty {
                throw error("vector matching only allowed between instant vectors", at: b.positionRange)
            }
        } else if b.op.isSetOperator {
            if m.card == .oneToMany || m.card == .manyToOne {
                throw error("no grouping allowed for \(opName) operation", at: b.positionRange)
            }
            if m.card != .manyToMany {
                throw error("set operations must always be many-to-many", at: b.positionRange)
            }
        }
        if (lt == .scalar || rt == .scalar) && b.op.isSetOperator {
            throw error("set operator \(opName) not allowed in binary scalar expression", at: b.positionRange)
        }
    }
}
