import Testing
import TSDB
@testable import PromQL

// Builders for expected trees. Positions are not compared (tree equality is structural).

func sel(_ name: String, _ matchers: [Matcher] = [], offset: Int64 = 0, at: AtModifier? = nil) -> Expr {
    .vectorSelector(rawSel(name, matchers, offset: offset, at: at))
}

func rawSel(_ name: String?, _ matchers: [Matcher] = [], offset: Int64 = 0, at: AtModifier? = nil) -> VectorSelector {
    var all = matchers
    if let name { all.append(.equal("__name__", name)) }
    return VectorSelector(name: name, matchers: all, offset: offset, at: at)
}

func m(_ name: String, _ kind: Matcher.Kind, _ value: String) -> Matcher {
    try! Matcher(kind, name, value)
}

func num(_ v: Double) -> Expr { .number(NumberLiteral(v)) }
func str(_ s: String) -> Expr { .string(StringLiteral(s)) }
func paren(_ e: Expr) -> Expr { .paren(ParenExpr(e)) }
func neg(_ e: Expr) -> Expr { .unary(UnaryExpr(op: .minus, expr: e)) }
func pos(_ e: Expr) -> Expr { .unary(UnaryExpr(op: .plus, expr: e)) }

func bin(_ op: BinaryOp, _ l: Expr, _ r: Expr, bool: Bool = false, matching: VectorMatching? = nil) -> Expr {
    .binary(BinaryExpr(op: op, lhs: l, rhs: r, returnBool: bool, matching: matching))
}

func call(_ f: Function, _ args: Expr...) -> Expr { .call(Call(function: f, args: args)) }

func agg(_ op: AggregateOp, _ e: Expr, param: Expr? = nil, by: [String] = [], without: Bool = false) -> Expr {
    .aggregate(AggregateExpr(op: op, expr: e, param: param, grouping: by, without: without))
}

func matrix(_ name: String, _ range: Int64, offset: Int64 = 0, at: AtModifier? = nil) -> Expr {
    .matrixSelector(MatrixSelector(selector: rawSel(name, offset: offset, at: at), range: range))
}

func subquery(_ e: Expr, _ range: Int64, step: Int64? = nil, offset: Int64 = 0, at: AtModifier? = nil) -> Expr {
    .subquery(SubqueryExpr(expr: e, range: range, step: step, offset: offset, at: at))
}

let minute: Int64 = 60_000
let hour: Int64 = 3_600_000

/// Parses or records an issue naming the query.
func parsed(_ q: String, sourceLocation: SourceLocation = #_sourceLocation) -> Expr? {
    do {
        return try PromQL.parse(q)
    } catch {
        Issue.record("\(q.debugDescription) failed: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The parse error for `q`, recording an issue if it parses.
func parseFailure(_ q: String, sourceLocation: SourceLocation = #_sourceLocation) -> ParseError? {
    do {
        let e = try PromQL.parse(q)
        Issue.record("\(q.debugDescription) parsed as \(e), expected an error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

extension Expr {
    var asBinary: BinaryExpr? { if case .binary(let b) = self { return b }; return nil }
    var asAggregate: AggregateExpr? { if case .aggregate(let a) = self { return a }; return nil }
    var asSelector: VectorSelector? { if case .vectorSelector(let v) = self { return v }; return nil }
    var asMatrix: MatrixSelector? { if case .matrixSelector(let v) = self { return v }; return nil }
    var asSubquery: SubqueryExpr? { if case .subquery(let v) = self { return v }; return nil }
    var asCall: Call? { if case .call(let v) = self { return v }; return nil }
    var asNumber: Double? { if case .number(let n) = self { return n.value }; return nil }
    var asString: String? { if case .string(let s) = self { return s.value }; return nil }
}
