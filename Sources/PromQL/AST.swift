import TSDB

/// The type of value an expression evaluates to. The parser checks these as Prometheus does;
/// the engine needs them too (a range query may only return a scalar or an instant vector).
public enum ValueType: String, Hashable, Sendable, CustomStringConvertible {
    case scalar
    case vector
    case matrix
    case string

    /// The name Prometheus uses in error messages ("instant vector", "range vector").
    public var documentedName: String {
        switch self {
        case .vector: return "instant vector"
        case .matrix: return "range vector"
        case .scalar: return "scalar"
        case .string: return "string"
        }
    }

    public var description: String { rawValue }
}

/// A PromQL expression.
///
/// An enum of value-type nodes so the evaluator can `switch` over it exhaustively and cheaply;
/// every node carries the byte range it was parsed from, for error messages. Equality and
/// hashing are structural and ignore positions: `sum(x)` typed twice, or printed and parsed
/// back, compares equal.
public indirect enum Expr: Hashable, Sendable {
    case number(NumberLiteral)
    case string(StringLiteral)
    case vectorSelector(VectorSelector)
    case matrixSelector(MatrixSelector)
    case subquery(SubqueryExpr)
    case aggregate(AggregateExpr)
    case binary(BinaryExpr)
    case unary(UnaryExpr)
    case call(Call)
    case paren(ParenExpr)

    /// The type of value this expression produces.
    public var type: ValueType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .vectorSelector, .aggregate: return .vector
        case .matrixSelector, .subquery: return .matrix
        case .binary(let b): return b.type
        case .unary(let u): return u.expr.type
        case .call(let c): return c.function.returnType
        case .paren(let p): return p.expr.type
        }
    }

    /// Where the expression is in the query text.
    public var positionRange: PositionRange {
        switch self {
        case .number(let n): return n.positionRange
        case .string(let s): return s.positionRange
        case .vectorSelector(let v): return v.positionRange
        case .matrixSelector(let m): return m.positionRange
        case .subquery(let s): return s.positionRange
        case .aggregate(let a): return a.positionRange
        case .binary(let b): return b.positionRange
        case .unary(let u): return u.positionRange
        case .call(let c): return c.positionRange
        case .paren(let p): return p.positionRange
        }
    }

    /// The sub-expressions, in source order.
    public var children: [Expr] {
        switch self {
        case .number, .string, .vectorSelector: return []
        case .matrixSelector(let m): return [.vectorSelector(m.selector)]
        case .subquery(let s): return [s.expr]
        case .aggregate(let a): return a.param.map { [$0, a.expr] } ?? [a.expr]
        case .binary(let b): return [b.lhs, b.rhs]
        case .unary(let u): return [u.expr]
        case .call(let c): return c.args
        case .paren(let p): return [p.expr]
        }
    }
}

// MARK: - Leaves

/// A number literal; a leading `-` is folded in (`-1` is a literal), as Prometheus does.
public struct NumberLiteral: Hashable, Sendable {
    public var value: Double
    public var positionRange: PositionRange

    public init(_ value: Double, positionRange: PositionRange = PositionRange(start: 0, end: 0)) {
        self.value = value
        self.positionRange = positionRange
    }

    /// NaN literals compare equal to each other, so parsed trees compare as written.
    public static func == (a: NumberLiteral, b: NumberLiteral) -> Bool {
        a.value.bitPattern == b.value.bitPattern || (a.value.isNaN && b.value.isNaN)
    }

    public func hash(into h: inout Hasher) {
        h.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
    }
}

/// A string literal, unquoted (escapes resolved).
public struct StringLiteral: Hashable, Sendable {
    public var value: String
    public var positionRange: PositionRange

    public init(_ value: String, positionRange: PositionRange = PositionRange(start: 0, end: 0)) {
        self.value = value
        self.positionRange = positionRange
    }

    public static func == (a: StringLiteral, b: StringLiteral) -> Bool { a.value == b.value }
    public func hash(into h: inout Hasher) { h.combine(value) }
}

/// `@` pinned evaluation time of a selector or subquery.
public enum AtModifier: Hashable, Sendable {
    /// Milliseconds since the epoch.
    case timestamp(Int64)
    /// `@ start()`: the start of the range query (the evaluation time of an instant query).
    case start
    /// `@ end()`: the end of the range query (the evaluation time of an instant query).
    case end
}

/// `metric{label="value", …}` with its modifiers.
public struct VectorSelector: Hashable, Sendable {
    /// The metric name written before the braces, if any; `{__name__="x"}` leaves it nil.
    public var name: String?
    /// Every matcher to select with: those in braces, in source order, followed by
    /// `__name__="<name>"` when a name was written before the braces.
    public var matchers: [Matcher]
    /// `offset` in milliseconds as written (negative for `offset -5m`).
    public var offset: Int64
    public var at: AtModifier?
    public var positionRange: PositionRange

    public init(
        name: String?, matchers: [Matcher], offset: Int64 = 0, at: AtModifier? = nil,
        positionRange: PositionRange = PositionRange(start: 0, end: 0)
    ) {
        self.name = name
        self.matchers = matchers
        self.offset = offset
        self.at = at
        self.positionRange = positionRange
    }

    /// Matchers compare as a set: `{a="1",b="2"}` and `{b="2",a="1"}` select the same
    /// series, and printing sorts them.
    public static func == (a: VectorSelector, b: VectorSelector) -> Bool {
        guard a.name == b.name, a.offset == b.offset, a.at == b.at, a.matchers.count == b.matchers.count else {
            return false
        }
        return a.matchers == b.matchers || a.sortedMatchers == b.sortedMatchers
    }

    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(sortedMatchers)
        h.combine(offset)
        h.combine(at)
    }

    private var sortedMatchers: [Matcher] {
        matchers.sorted { x, y in
            if x.name != y.name { return x.name < y.name }
            if x.kind != y.kind { return x.kind.rawValue < y.kind.rawValue }
            return x.value < y.value
        }
    }
}

/// `selector[range]`. The selector's `offset` and `at` apply to the whole range.
public struct MatrixSelector: Hashable, Sendable {
    public var selector: VectorSelector
    /// Range in milliseconds.
    public var range: Int64
    public var positionRange: PositionRange

    public init(selector: VectorSelector, range: Int64, positionRange: PositionRange = PositionRange(start: 0, end: 0)) {
        self.selector = selector
        self.range = range
        self.positionRange = positionRange
    }

    public static func == (a: MatrixSelector, b: MatrixSelector) -> Bool {
        a.selector == b.selector && a.range == b.range
    }

    public func hash(into h: inout Hasher) {
        h.combine(selector)
        h.combine(range)
    }
}

/// `expr[range:step]`.
public struct SubqueryExpr: Hashable, Sendable {
    public var expr: Expr
    /// Range in milliseconds.
    public var range: Int64
    /// Step in milliseconds; nil when omitted (`[1h:]`), meaning the global evaluation interval.
    public var step: Int64?
    /// `offset` in milliseconds as written.
    public var offset: Int64
    public var at: AtModifier?
    public var positionRange: PositionRange

    public init(
        expr: Expr, range: Int64, step: Int64?, offset: Int64 = 0, at: AtModifier? = nil,
        positionRange: PositionRange = PositionRange(start: 0, end: 0)
    ) {
        self.expr = expr
        self.range = range
        self.step = step
        self.offset = offset
        self.at = at
        self.positionRange = positionRange
    }

    public static func == (a: SubqueryExpr, b: SubqueryExpr) -> Bool {
        a.expr == b.expr && a.range == b.range && a.step == b.step && a.offset == b.offset && a.at == b.at
    }

    public func hash(into h: inout Hasher) {
        h.combine(expr)
        h.combine(range)
        h.combine(step)
        h.combine(offset)
        h.combine(at)
    }
}

// MARK: - Operators

public enum AggregateOp: String, CaseIterable, Hashable, Sendable {
    case sum, avg, count, min, max, group, stddev, stdvar, topk, bottomk
    case countValues = "count_values"
    case quantile

    /// Whether the aggregation takes a first argument besides the vector (`topk(3, x)`).
    public var hasParameter: Bool {
        switch self {
        case .topk, .bottomk, .countValues, .quantile: return true
        default: return false
        }
    }
}

/// `sum by (job) (x)`, `topk(3, x)`, `count_values without (a) ("v", x)`.
public struct AggregateExpr: Hashable, Sendable {
    public var op: AggregateOp
    public var expr: Expr
    /// The first argument of `topk`, `bottomk`, `quantile`, `count_values`.
    public var param: Expr?
    public var grouping: [String]
    /// True for `without (…)`; false for `by (…)` or no clause.
    public var without: Bool
    public var positionRange: PositionRange

    public init(
        op: AggregateOp, expr: Expr, param: Expr? = nil, grouping: [String] = [], without: Bool = false,
        positionRange: PositionRange = PositionRange(start: 0, end: 0)
    ) {
        self.op = op
        self.expr = expr
        self.param = param
        self.grouping = grouping
        self.without = without
        self.positionRange = positionRange
    }

    public static func == (a: AggregateExpr, b: AggregateExpr) -> Bool {
        a.op == b.op && a.expr == b.expr && a.param == b.param && a.grouping == b.grouping && a.without == b.without
    }

    public func hash(into h: inout Hasher) {
        h.combine(op)
        h.combine(expr)
        h.combine(param)
        h.combine(grouping)
        h.combine(without)
    }
}

public enum BinaryOp: String, CaseIterable, Hashable, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", atan2
    case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
    case and, or, unless

    /// Binding strength: `^` 6 (right-associative), `* / % atan2` 5, `+ -` 4,
    /// comparisons 3, `and unless` 2, `or` 1.
    public var precedence: Int {
        switch self {
        case .pow: return 6
        case .mul, .div, .mod, .atan2: return 5
        case .add, .sub: return 4
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .and, .unless: return 2
        case .or: return 1
        }
    }

    public var isRightAssociative: Bool { self == .pow }

    public var isComparison: Bool {
        switch self {
        case .eql, .neq, .gtr, .lss, .gte, .lte: return true
        default: return false
        }
    }

    public var isSetOperator: Bool { self == .and || self == .or || self == .unless }
}

/// How the series of the two sides of a vector-vector operation are paired.
public enum VectorMatchCardinality: Hashable, Sendable {
    case oneToOne
    case manyToOne   // group_left
    case oneToMany   // group_right
    case manyToMany  // set operators
}

public struct VectorMatching: Hashable, Sendable {
    public var card: VectorMatchCardinality
    /// The labels of `on (…)` or `ignoring (…)`.
    public var matchingLabels: [String]
    /// True for `on`, false for `ignoring` (or no clause: ignore nothing).
    public var on: Bool
    /// The extra labels of `group_left (…)` / `group_right (…)`.
    public var include: [String]

    public init(card: VectorMatchCardinality, matchingLabels: [String] = [], on: Bool = false, include: [String] = []) {
        self.card = card
        self.matchingLabels = matchingLabels
        self.on = on
        self.include = include
    }
}

/// `lhs op [bool] [on|ignoring (…)] [group_left|group_right (…)] rhs`.
public struct BinaryExpr: Hashable, Sendable {
    public var op: BinaryOp
    public var lhs: Expr
    public var rhs: Expr
    /// `bool`: comparisons return 0/1 instead of filtering.
    public var returnBool: Bool
    /// Set only when both sides are instant vectors, as in Prometheus; set operators get
    /// `.manyToMany`, other operators default to `.oneToOne`.
    public var matching: VectorMatching?
    /// Scalar when both sides are scalars, otherwise vector.
    public let type: ValueType
    public var positionRange: PositionRange
    /// The modifiers as written, kept for type checking (Prometheus drops `on (…)` between
    /// non-vectors only after complaining about it).
    var parsedMatching: VectorMatching

    public init(
        op: BinaryOp, lhs: Expr, rhs: Expr, returnBool: Bool = false, matching: VectorMatching? = nil,
        positionRange: PositionRange = PositionRange(start: 0, end: 0)
    ) {
        var m = matching ?? VectorMatching(card: op.isSetOperator ? .manyToMany : .oneToOne)
        if op.isSetOperator && m.card == .oneToOne { m.card = .manyToMany }
        let lt = lhs.type
        let rt = rhs.type
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.parsedMatching = m
        self.matching = lt == .vector && rt == .vector ? m : nil
        self.type = lt == .scalar && rt == .scalar ? .scalar : .vector
        self.positionRange = positionRange
    }

    public static func == (a: BinaryExpr, b: BinaryExpr) -> Bool {
        a.op == b.op && a.lhs == b.lhs && a.rhs == b.rhs && a.returnBool == b.returnBool && a.matching == b.matching
    }

    public func hash(into h: inout Hasher) {
        h.combine(op)
        h.combine(lhs)
        h.combine(rhs)
        h.combine(returnBool)
        h.combine(matching)
    }
}

public enum UnaryOp: String, Hashable, Sendable {
    case plus = "+"
    case minus = "-"
}

/// `-expr` or `+expr` (other than on a number literal, which is folded).
public struct UnaryExpr: Hashable, Sendable {
    public var op: UnaryOp
    public var expr: Expr
    public var positionRange: PositionRange

    public init(op: UnaryOp, expr: Expr, positionRange: PositionRange = PositionRange(start: 0, end: 0)) {
        self.op = op
        self.expr = expr
        self.positionRange = positionRange
    }

    public static func == (a: UnaryExpr, b: UnaryExpr) -> Bool { a.op == b.op && a.expr == b.expr }

    public func hash(into h: inout Hasher) {
        h.combine(op)
        h.combine(expr)
    }
}

/// A function call; `function` says which of Prometheus 2.42's functions it is.
public struct Call: Hashable, Sendable {
    public var function: Function
    public var args: [Expr]
    public var positionRange: PositionRange

    public init(function: Function, args: [Expr], positionRange: PositionRange = PositionRange(start: 0, end: 0)) {
        self.function = function
        self.args = args
        self.positionRange = positionRange
    }

    public static func == (a: Call, b: Call) -> Bool { a.function == b.function && a.args == b.args }

    public func hash(into h: inout Hasher) {
        h.combine(function)
        h.combine(args)
    }
}

/// `(expr)`; kept in the tree so printing reproduces the parentheses.
public struct ParenExpr: Hashable, Sendable {
    public var expr: Expr
    public var positionRange: PositionRange

    public init(_ expr: Expr, positionRange: PositionRange = PositionRange(start: 0, end: 0)) {
        self.expr = expr
        self.positionRange = positionRange
    }

    public static func == (a: ParenExpr, b: ParenExpr) -> Bool { a.expr == b.expr }
    public func hash(into h: inout Hasher) { h.combine(expr) }
}
