import TSDB

/// The PromQL engine: parser and evaluator over the TSDB (issue 3).
public enum PromQL {
    /// Parses and type-checks a PromQL expression as Prometheus 2.42 does.
    ///
    /// The result is a valid tree (every function call well-typed, every selector
    /// restricted); the caller still decides whether its type suits the query — a range
    /// query must be a scalar or an instant vector (`Expr.type`).
    public static func parse(_ input: String) throws(ParseError) -> Expr {
        var parser = Parser(input)
        let expr = try parser.parseTopLevel()
        try TypeChecker(src: parser.src).check(expr)
        return expr
    }

    /// Parses a bare series selector such as `up{job="api"}` (the HTTP API's `match[]`).
    /// As in Prometheus, the selector may match the empty string; callers that must refuse
    /// such selectors check `Matcher.matchesEmpty` themselves.
    public static func parseMetricSelector(_ input: String) throws(ParseError) -> [Matcher] {
        var parser = Parser(input)
        return try parser.parseSelectorOnly().matchers
    }

    /// The error Prometheus gives when a range query's expression has the wrong type, or nil
    /// when it may be used (scalar or instant vector).
    public static func rangeQueryTypeError(_ expr: Expr) -> String? {
        let t = expr.type
        if t == .scalar || t == .vector { return nil }
        return "invalid expression type \(GoFormat.quote(t.documentedName)) for range query, must be Scalar or instant Vector"
    }
}

/// Parses and type-checks a PromQL expression; see `PromQL.parse`.
public func parseExpr(_ input: String) throws(ParseError) -> Expr {
    try PromQL.parse(input)
}
