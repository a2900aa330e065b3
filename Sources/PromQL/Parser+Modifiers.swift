/// The postfix modifiers of PromQL: `[range]`, `[range:step]`, `offset` and `@`, with the
/// restrictions Prometheus applies to what they may follow.
extension Parser {
    @inline(never)
    mutating func parseRangeOrSubquery(_ expr: Expr) throws(ParseError) -> Expr {
        let open = try next()
        let rangeTok = try next()
        guard rangeTok.kind == .duration else {
            throw unexpected(rangeTok, "subquery selector", expected: "duration")
        }
        let range = try durationValue(rangeTok)
        var tok = try next()
        let start = expr.positionRange.start
        switch tok.kind {
        case .rightBracket:
            let message: String
            if case .vectorSelector(let vs) = expr {
                if vs.offset != 0 {
                    message = "no offset modifiers allowed before range"
                } else if case .timestamp = vs.at {
                    message = "no @ modifiers allowed before range"
                } else {
                    let ms = MatrixSelector(selector: vs, range: range, positionRange: PositionRange(start: start, end: tok.end))
                    return .matrixSelector(ms)
                }
            } else {
                message = "ranges only allowed for vector selectors"
            }
            throw error(message, at: PositionRange(start: open.start, end: tok.end))
        case .colon:
            tok = try next()
            var step: Int64?
            if tok.kind == .duration {
                step = try durationValue(tok)
                tok = try next()
                guard tok.kind == .rightBracket else {
                    throw unexpected(tok, "subquery selector", expected: "\"]\"")
                }
            } else if tok.kind != .rightBracket {
                throw unexpected(tok, "subquery selector", expected: "duration or \"]\"")
            }
            let sq = SubqueryExpr(expr: expr, range: range, step: step, positionRange: PositionRange(start: start, end: tok.end))
            return .subquery(sq)
        default:
            throw unexpected(tok, "subquery or range", expected: "\":\" or \"]\"")
        }
    }

    @inline(never)
    mutating func parseOffset(_ expr: Expr) throws(ParseError) -> Expr {
        _ = try next()
        var tok = try next()
        var negative = false
        if tok.kind == .sub {
            negative = true
            tok = try next()
        }
        guard tok.kind == .duration else { throw unexpected(tok, "offset", expected: "duration") }
        let d = try durationValue(tok)
        let offset = negative ? -d : d
        let range = expr.positionRange
        let twice = error("offset may not be set multiple times", at: range)
        switch expr {
        case .vectorSelector(var vs):
            if vs.offset != 0 { throw twice }
            vs.offset = offset
            vs.positionRange.end = tok.end
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.selector.offset != 0 { throw twice }
            ms.selector.offset = offset
            ms.positionRange.end = tok.end
            return .matrixSelector(ms)
        case .subquery(var sq):
            if sq.offset != 0 { throw twice }
            sq.offset = offset
            sq.positionRange.end = tok.end
            return .subquery(sq)
        default:
            throw error(
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                at: range)
        }
    }

    @inline(never)
    mutating func parseAt(_ expr: Expr) throws(ParseError) -> Expr {
        _ = try next()
        let tok = try next()
        let at: AtModifier
        let end: Int
        switch tok.kind {
        case .number, .add, .sub:
            var numTok = tok
            if tok.kind != .number {
                numTok = try next()
                guard numTok.kind == .number else { throw unexpected(numTok, "@", expected: "timestamp") }
            }
            var seconds = try numberValue(numTok)
            if tok.kind == .sub { seconds = -seconds }
            if seconds.isNaN || seconds.isInfinite || seconds >= 9.223372036854775807e18 || seconds <= -9.223372036854775808e18 {
                throw error(
                    "timestamp out of bounds for @ modifier: \(GoFormat.fixed(seconds, precision: 6))",
                    at: expr.positionRange)
            }
            at = .timestamp(Parser.milliseconds(fromSeconds: seconds))
            end = numTok.end
        case .start, .end:
            let open = try next()
            guard open.kind == .leftParen else { throw unexpected(open, "@", expected: "timestamp") }
            let close = try next()
            guard close.kind == .rightParen else { throw unexpected(close, "@", expected: "timestamp") }
            at = tok.kind == .start ? .start : .end
            end = close.end
        default:
            throw unexpected(tok, "@", expected: "timestamp")
        }
        let range = expr.positionRange
        let twice = error("@ <timestamp> may not be set multiple times", at: range)
        switch expr {
        case .vectorSelector(var vs):
            if vs.at != nil { throw twice }
            vs.at = at
            vs.positionRange.end = end
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.selector.at != nil { throw twice }
            ms.selector.at = at
            ms.positionRange.end = end
            return .matrixSelector(ms)
        case .subquery(var sq):
            if sq.at != nil { throw twice }
            sq.at = at
            sq.positionRange.end = end
            return .subquery(sq)
        default:
            throw error(
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                at: range)
        }
    }

    /// Go's `int64(math.Round(s * 1000))`; out-of-range results become Int64.min as they do
    /// on amd64, which is what Prometheus then prints.
    static func milliseconds(fromSeconds s: Double) -> Int64 {
        let ms = (s * 1000).rounded(.toNearestOrAwayFromZero)
        guard ms > -9.223372036854775808e18, ms < 9.223372036854775808e18 else { return Int64.min }
        return Int64(ms)
    }
}
