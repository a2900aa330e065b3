import RE2
import TSDB

/// A recursive-descent (precedence-climbing) parser for PromQL.
///
/// It accepts what Prometheus 2.42's yacc grammar accepts and reports the first error
/// Prometheus would report, with the same wording and position. Prometheus's messages depend
/// on which grammar rule catches the error ("in aggregation", "in grouping opts", "in label
/// matching", ...), so each place that expects specific tokens names its context the way the
/// corresponding rule does, and syntax errors anywhere inside an aggregation's arguments say
/// "in aggregation", as the yacc error recovery does. Errors the grammar's actions raise
/// (unknown function, bad duration, bad regex, misplaced offset/@) are raised at the same
/// point of the input; type errors come from a separate pass afterwards (`TypeChecker`), as
/// Prometheus only type-checks a syntactically valid tree.
struct Parser {
    /// Deepest nesting of parentheses, calls, aggregations, unary operators and right-hand
    /// sides accepted, and tallest tree (long `a or b or c …` chains are tall but not
    /// nested). Prometheus has no limits, but the parser, the checks, printing, evaluation
    /// and freeing all recurse, and an absurd query must not exhaust a thread's stack
    /// (at the limits, a release build needs about 1 MB of the 8 MB Linux threads get).
    static let maxNesting = 256
    static let maxHeight = 1000

    private var lexer: Lexer
    let src: [UInt8]
    private var peeked: Token?
    /// >0 while inside the arguments of an aggregation.
    private var aggregationDepth = 0

    init(_ input: String) {
        src = Array(input.utf8)
        lexer = Lexer(src)
    }

    /// An expression with the height of its tree.
    private struct Node {
        var expr: Expr
        var height: Int
    }

    // MARK: Tokens and errors

    mutating func peek() throws(ParseError) -> Token {
        if let t = peeked { return t }
        let t = try lexer.next()
        peeked = t
        return t
    }

    mutating func next() throws(ParseError) -> Token {
        if let t = peeked {
            peeked = nil
            return t
        }
        return try lexer.next()
    }

    @inline(never)
    func error(_ message: String, at range: PositionRange) -> ParseError {
        ParseError(message, at: range, in: src)
    }

    /// Prometheus's `unexpected(context, expected)`.
    @inline(never)
    func unexpected(_ tok: Token, _ context: String?, expected: String? = nil) -> ParseError {
        var msg = "unexpected " + tok.describe(src)
        if let context { msg += " in " + context }
        if let expected { msg += ", expected " + expected }
        return error(msg, at: tok.range)
    }

    /// A token no rule expects here; inside an aggregation the aggregation's rule catches it.
    private func unexpected(_ tok: Token) -> ParseError {
        unexpected(tok, aggregationDepth > 0 ? "aggregation" : nil)
    }

    @inline(never)
    private func checkNesting(_ depth: Int, _ tok: Token) throws(ParseError) {
        if depth > Parser.maxNesting {
            throw error("query is nested too deeply (more than \(Parser.maxNesting) levels)", at: tok.range)
        }
    }

    @inline(never)
    private func checkHeight(_ height: Int, _ tok: Token) throws(ParseError) {
        if height > Parser.maxHeight {
            throw error("query is too complex (expression tree deeper than \(Parser.maxHeight) levels)", at: tok.range)
        }
    }

    // MARK: Entry points

    mutating func parseTopLevel() throws(ParseError) -> Expr {
        let first = try peek()
        if first.kind == .eof {
            throw error("no expression found in input", at: PositionRange(start: 0, end: 0))
        }
        let node = try parseExpr(minPrecedence: 0, depth: 1)
        let tok = try next()
        guard tok.kind == .eof else { throw unexpected(tok) }
        return node.expr
    }

    /// A bare selector such as `up{job="x"}` (the API's `match[]`).
    mutating func parseSelectorOnly() throws(ParseError) -> VectorSelector {
        let tok = try next()
        let selector: VectorSelector
        if tok.kind == .leftBrace {
            selector = try parseSelector(name: nil, start: tok.start, braceAlreadyRead: true)
        } else if tok.kind.canBeMetricName {
            selector = try parseSelector(name: tok, start: tok.start, braceAlreadyRead: false)
        } else {
            throw unexpected(tok)
        }
        let end = try next()
        guard end.kind == .eof else { throw unexpected(end) }
        return selector
    }

    // MARK: Expressions

    /// Operators binding at least as tightly as `minPrecedence`, left to right except `^`.
    ///
    /// This and the other functions on the recursive path only dispatch; the work is in
    /// non-inlined helpers, which keeps each nesting level's stack frames small.
    private mutating func parseExpr(minPrecedence: Int, depth: Int) throws(ParseError) -> Node {
        var lhs = try parseUnary(depth: depth)
        while let pending = try beginBinary(minPrecedence: minPrecedence, depth: depth) {
            let rhs = try parseExpr(minPrecedence: pending.rhsPrecedence, depth: depth + 1)
            lhs = try finishBinary(pending, lhs, rhs, depth: depth)
        }
        return lhs
    }

    /// A binary operator and its modifiers, read before the right-hand side.
    private struct PendingBinary {
        var op: BinaryOp
        var returnBool: Bool
        var matching: VectorMatching
        var rhsToken: Token
        var rhsPrecedence: Int
    }

    @inline(never)
    private mutating func beginBinary(minPrecedence: Int, depth: Int) throws(ParseError) -> PendingBinary? {
        let opTok = try peek()
        guard let op = opTok.kind.binaryOperator, op.precedence >= minPrecedence else { return nil }
        _ = try next()
        try checkNesting(depth + 1, opTok)
        let (returnBool, matching) = try parseBinaryModifiers()
        return PendingBinary(
            op: op, returnBool: returnBool, matching: matching, rhsToken: try peek(),
            rhsPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
    }

    @inline(never)
    private func finishBinary(_ p: PendingBinary, _ lhs: Node, _ rhs: Node, depth: Int) throws(ParseError) -> Node {
        let height = max(lhs.height, rhs.height) + 1
        try checkHeight(depth - 1 + height, p.rhsToken)
        let range = PositionRange(start: lhs.expr.positionRange.start, end: rhs.expr.positionRange.end)
        let b = BinaryExpr(
            op: p.op, lhs: lhs.expr, rhs: rhs.expr, returnBool: p.returnBool, matching: p.matching, positionRange: range)
        return Node(expr: .binary(b), height: height)
    }

    /// `[bool] [on|ignoring (…) [group_left|group_right [(…)]]]` after a binary operator.
    @inline(never)
    private mutating func parseBinaryModifiers() throws(ParseError) -> (Bool, VectorMatching) {
        var returnBool = false
        var matching = VectorMatching(card: .oneToOne)
        if try peek().kind == .bool {
            _ = try next()
            returnBool = true
        }
        let t = try peek()
        guard t.kind == .on || t.kind == .ignoring else { return (returnBool, matching) }
        _ = try next()
        matching.on = t.kind == .on
        matching.matchingLabels = try parseGroupingLabels().labels
        let g = try peek()
        guard g.kind == .groupLeft || g.kind == .groupRight else { return (returnBool, matching) }
        _ = try next()
        matching.card = g.kind == .groupLeft ? .manyToOne : .oneToMany
        let after = try peek()
        if after.kind == .leftParen {
            matching.include = try parseGroupingLabels().labels
        } else if !after.kind.canStartExpression {
            throw unexpected(after, "grouping opts", expected: "\"(\"")
        }
        return (returnBool, matching)
    }

    /// Unary `+`/`-`: binds tighter than `*` but looser than `^` (`-2 ^ 2` is `-(2 ^ 2)`).
    private mutating func parseUnary(depth: Int) throws(ParseError) -> Node {
        let tok = try peek()
        guard tok.kind == .add || tok.kind == .sub else {
            return try parsePostfix(depth: depth)
        }
        _ = try next()
        try checkNesting(depth + 1, tok)
        let operand = try parseExpr(minPrecedence: BinaryOp.pow.precedence, depth: depth + 1)
        return Parser.finishUnary(tok, operand)
    }

    @inline(never)
    private static func finishUnary(_ tok: Token, _ operand: Node) -> Node {
        if case .number(var n) = operand.expr {
            if tok.kind == .sub { n.value = -n.value }
            n.positionRange.start = tok.start
            return Node(expr: .number(n), height: operand.height)
        }
        let range = PositionRange(start: tok.start, end: operand.expr.positionRange.end)
        let op: UnaryOp = tok.kind == .sub ? .minus : .plus
        return Node(expr: .unary(UnaryExpr(op: op, expr: operand.expr, positionRange: range)), height: operand.height + 1)
    }

    /// A primary expression followed by any `[range]`, `[range:step]`, `offset` and `@`.
    private mutating func parsePostfix(depth: Int) throws(ParseError) -> Node {
        var node = try parsePrimary(depth: depth)
        while true {
            let tok = try peek()
            switch tok.kind {
            case .leftBracket:
                node.expr = try parseRangeOrSubquery(node.expr)
                node.height += 1
                try checkHeight(depth - 1 + node.height, tok)
            case .offset:
                node.expr = try parseOffset(node.expr)
            case .at:
                node.expr = try parseAt(node.expr)
            default:
                return node
            }
        }
    }

    private mutating func parsePrimary(depth: Int) throws(ParseError) -> Node {
        let tok = try next()
        switch tok.kind {
        case .leftParen:
            try checkNesting(depth + 1, tok)
            let inner = try parseExpr(minPrecedence: 0, depth: depth + 1)
            return try finishParen(tok, inner)
        case .identifier:
            if try peek().kind == .leftParen { return try parseCall(tok, depth: depth) }
        default:
            if let op = tok.kind.aggregateOperator {
                let k = try peek().kind
                if k == .leftParen || k == .by || k == .without {
                    return try parseAggregate(op, tok, depth: depth)
                }
            }
        }
        return try parseLeaf(tok)
    }

    @inline(never)
    private mutating func finishParen(_ open: Token, _ inner: Node) throws(ParseError) -> Node {
        let close = try next()
        guard close.kind == .rightParen else { throw unexpected(close) }
        let range = PositionRange(start: open.start, end: close.end)
        return Node(expr: .paren(ParenExpr(inner.expr, positionRange: range)), height: inner.height + 1)
    }

    /// Number and string literals and selectors.
    @inline(never)
    private mutating func parseLeaf(_ tok: Token) throws(ParseError) -> Node {
        switch tok.kind {
        case .number:
            return Node(expr: .number(NumberLiteral(try numberValue(tok), positionRange: tok.range)), height: 1)
        case .string:
            let value = Literals.unquote(src[tok.start..<tok.end])
            return Node(expr: .string(StringLiteral(value, positionRange: tok.range)), height: 1)
        case .leftBrace:
            return Node(expr: .vectorSelector(try parseSelector(name: nil, start: tok.start, braceAlreadyRead: true)), height: 1)
        default:
            guard tok.kind.canBeMetricName else { throw unexpected(tok) }
            return Node(expr: .vectorSelector(try parseSelector(name: tok, start: tok.start, braceAlreadyRead: false)), height: 1)
        }
    }

    @inline(never)
    func numberValue(_ tok: Token) throws(ParseError) -> Double {
        let text = Array(src[tok.start..<tok.end])
        switch Literals.number(text) {
        case .success(let v):
            return v
        case .failure(let e):
            let reason = e == .outOfRange ? "value out of range" : "invalid syntax"
            let quoted = GoFormat.quote(String(decoding: text, as: UTF8.self))
            throw error("error parsing number: strconv.ParseFloat: parsing \(quoted): \(reason)", at: tok.range)
        }
    }

    @inline(never)
    func durationValue(_ tok: Token) throws(ParseError) -> Int64 {
        let ms: Int64
        do {
            ms = try PromQLDuration.parse(tok.text(src))
        } catch {
            throw self.error(error.description, at: tok.range)
        }
        if ms == 0 { throw error("duration must be greater than 0", at: tok.range) }
        return ms
    }

    // MARK: Selectors

    /// `name`, `name{…}` or `{…}`; adds the `__name__` matcher for a name before the braces.
    @inline(never)
    private mutating func parseSelector(name: Token?, start: Int, braceAlreadyRead: Bool) throws(ParseError) -> VectorSelector {
        var end = name?.end ?? start
        var matchers: [Matcher] = []
        var hasBraces = braceAlreadyRead
        if !hasBraces, try peek().kind == .leftBrace {
            _ = try next()
            hasBraces = true
        }
        if hasBraces {
            let parsed = try parseLabelMatchers()
            matchers = parsed.matchers
            end = parsed.end
        }
        var nameText: String?
        if let name {
            let text = name.text(src)
            nameText = text
            matchers.append(Matcher.equal(Labels.metricName, text))
        }
        return VectorSelector(name: nameText, matchers: matchers, positionRange: PositionRange(start: start, end: end))
    }

    /// The inside of `{…}` after the opening brace; returns the end offset of the `}`.
    @inline(never)
    private mutating func parseLabelMatchers() throws(ParseError) -> (matchers: [Matcher], end: Int) {
        var matchers: [Matcher] = []
        var tok = try next()
        if tok.kind == .rightBrace { return (matchers, tok.end) }
        while true {
            guard tok.kind == .identifier else {
                throw unexpected(tok, "label matching", expected: "identifier or \"}\"")
            }
            let opTok = try next()
            let kind: Matcher.Kind
            switch opTok.kind {
            case .assign: kind = .equal
            case .neq: kind = .notEqual
            case .eqlRegex: kind = .regexMatch
            case .neqRegex: kind = .regexNoMatch
            default: throw unexpected(opTok, "label matching", expected: "label matching operator")
            }
            let valueTok = try next()
            guard valueTok.kind == .string else {
                throw unexpected(valueTok, "label matching", expected: "string")
            }
            let name = tok.text(src)
            let value = Literals.unquote(src[valueTok.start..<valueTok.end])
            do {
                matchers.append(try Matcher(kind, name, value))
            } catch {
                throw self.error(regexMessage(value, error), at: PositionRange(start: tok.start, end: valueTok.end))
            }
            tok = try next()
            if tok.kind == .comma {
                tok = try next()
                if tok.kind == .rightBrace { return (matchers, tok.end) }
                continue
            }
            if tok.kind == .rightBrace { return (matchers, tok.end) }
            throw unexpected(tok, "label matching", expected: "\",\" or \"}\"")
        }
    }

    /// Prometheus compiles `^(?:<value>)$`, so Go's message quotes that anchored pattern.
    @inline(never)
    private func regexMessage(_ value: String, _ original: RegexError) -> String {
        do {
            _ = try PromRegex("^(?:" + value + ")$")
        } catch {
            return error.message
        }
        return original.message
    }

    // MARK: Calls and aggregations

    /// `(arg, …)` after a function name or aggregation operator; returns the `)` token.
    @inline(never)
    private mutating func parseArguments(depth: Int) throws(ParseError) -> (args: [Node], close: Token) {
        let open = try next()
        guard open.kind == .leftParen else { throw unexpected(open) }
        var args: [Node] = []
        if try peek().kind == .rightParen { return (args, try next()) }
        while true {
            args.append(try parseExpr(minPrecedence: 0, depth: depth + 1))
            let tok = try next()
            switch tok.kind {
            case .comma:
                // Prometheus's grammar reduces a comma not followed by an argument as a
                // trailing comma, whatever comes next.
                if !(try peek().kind.canStartExpression) {
                    throw error("trailing commas not allowed in function call args", at: tok.range)
                }
            case .rightParen:
                return (args, tok)
            default:
                throw unexpected(tok)
            }
        }
    }

    @inline(never)
    private mutating func parseCall(_ nameTok: Token, depth: Int) throws(ParseError) -> Node {
        try checkNesting(depth + 1, nameTok)
        let (args, close) = try parseArguments(depth: depth)
        let name = nameTok.text(src)
        guard let function = Function(name: name) else {
            throw error("unknown function with name \(GoFormat.quote(name))", at: nameTok.range)
        }
        let height = (args.map(\.height).max() ?? 0) + 1
        let range = PositionRange(start: nameTok.start, end: close.end)
        return Node(expr: .call(Call(function: function, args: args.map(\.expr), positionRange: range)), height: height)
    }

    @inline(never)
    private mutating func parseAggregate(_ op: AggregateOp, _ opTok: Token, depth: Int) throws(ParseError) -> Node {
        try checkNesting(depth + 1, opTok)
        var grouping: [String] = []
        var without = false
        var modifierFirst = false
        aggregationDepth += 1
        let m = try peek()
        if m.kind == .by || m.kind == .without {
            _ = try next()
            without = m.kind == .without
            grouping = try parseGroupingLabels().labels
            modifierFirst = true
        }
        let (args, close) = try parseArguments(depth: depth)
        aggregationDepth -= 1
        var end = close.end
        if !modifierFirst {
            let t = try peek()
            if t.kind == .by || t.kind == .without {
                _ = try next()
                without = t.kind == .without
                let parsed = try parseGroupingLabels()
                grouping = parsed.labels
                end = parsed.end
            }
        }
        let range = PositionRange(start: opTok.start, end: end)
        if args.isEmpty {
            throw error("no arguments for aggregate expression provided", at: range)
        }
        let want = op.hasParameter ? 2 : 1
        if args.count != want {
            throw error(
                "wrong number of arguments for aggregate expression provided, expected \(want), got \(args.count)",
                at: range)
        }
        let height = (args.map(\.height).max() ?? 0) + 1
        let agg = AggregateExpr(
            op: op, expr: args[want - 1].expr, param: op.hasParameter ? args[0].expr : nil,
            grouping: grouping, without: without, positionRange: range)
        return Node(expr: .aggregate(agg), height: height)
    }

    /// `(label, …)` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
    @inline(never)
    private mutating func parseGroupingLabels() throws(ParseError) -> (labels: [String], end: Int) {
        let open = try next()
        guard open.kind == .leftParen else { throw unexpected(open, "grouping opts", expected: "\"(\"") }
        var labels: [String] = []
        var tok = try next()
        if tok.kind == .rightParen { return (labels, tok.end) }
        while true {
            guard tok.kind.canBeGroupingLabel, isLabelName(tok) else {
                throw unexpected(tok, "grouping opts", expected: "label")
            }
            labels.append(tok.text(src))
            tok = try next()
            if tok.kind == .comma {
                tok = try next()
                if tok.kind == .rightParen { return (labels, tok.end) }
                continue
            }
            if tok.kind == .rightParen { return (labels, tok.end) }
            throw unexpected(tok, "grouping opts", expected: "\",\" or \")\"")
        }
    }

    private func isLabelName(_ tok: Token) -> Bool {
        for i in tok.start..<tok.end {
            let c = src[i]
            if !(Lexer.isAlpha(c) || (Lexer.isDigit(c) && i > tok.start)) { return false }
        }
        return true
    }
}
