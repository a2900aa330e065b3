import Testing
@testable import PromQL

/// Malformed queries: message, line, column and offset, checked field by field. (The bulk of
/// the error cases, recorded from Prometheus, is in the reference table.)
@Suite struct ErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let query: String
        let message: String
        let line: Int
        let column: Int
        var testDescription: String { query.debugDescription }
    }

    static let cases: [Case] = {
        var c: [Case] = []
        func add(_ q: String, _ msg: String, _ line: Int, _ col: Int) { c.append(Case(query: q, message: msg, line: line, column: col)) }
        add("sum(x) * * 2", "unexpected <op:*>", 1, 10)
        add("", "no expression found in input", 1, 1)
        add("# just a comment", "no expression found in input", 1, 1)
        add("1 +", "unexpected end of input", 1, 4)
        add("sum(x", "unclosed left parenthesis", 1, 6)
        add("x)", "unexpected right parenthesis ')'", 1, 3)
        add("x[5m", "unclosed left bracket", 1, 5)
        add("x]", "unexpected right bracket ']'", 1, 2)
        add("x{a~\"b\"}", "unexpected character inside braces: '~'", 1, 4)
        add("x{a=\"b\"", "unexpected end of input inside braces", 1, 8)
        add("x{a=b}", "unexpected identifier \"b\" in label matching, expected string", 1, 5)
        add("x{a}", "unexpected \"}\" in label matching, expected label matching operator", 1, 4)
        add("x{a=\"b\" c=\"d\"}", "unexpected identifier \"c\" in label matching, expected \",\" or \"}\"", 1, 9)
        add("x{,}", "unexpected \",\" in label matching, expected identifier or \"}\"", 1, 3)
        add("x[5]", "missing unit character in duration", 1, 3)
        add("x[1y2y]", "bad duration syntax: \"1y2\"", 1, 3)
        add("x[1m1h]", "not a valid duration string: \"1m1h\"", 1, 3)
        add("x[0s]", "duration must be greater than 0", 1, 3)
        add("x[293y]", "duration out of range", 1, 3)
        add("5mm", "bad number or duration syntax: \"5mm\"", 1, 1)
        add("1e400", "error parsing number: strconv.ParseFloat: parsing \"1e400\": value out of range", 1, 1)
        add("rate(x)", "expected type range vector in call to function \"rate\", got instant vector", 1, 6)
        add("foo(x)", "unknown function with name \"foo\"", 1, 1)
        add("sum()", "no arguments for aggregate expression provided", 1, 1)
        add("topk(x)", "wrong number of arguments for aggregate expression provided, expected 2, got 1", 1, 1)
        add("sum(1 +)", "unexpected \")\" in aggregation", 1, 8)
        add("sum by x (y)", "unexpected identifier \"x\" in grouping opts, expected \"(\"", 1, 8)
        add("sum by (a b) (y)", "unexpected identifier \"b\" in grouping opts, expected \",\" or \")\"", 1, 11)
        add("sum by (foo:bar) (y)", "unexpected metric identifier \"foo:bar\" in grouping opts, expected label", 1, 9)
        add("{a=\"\"}", "vector selector must contain at least one non-empty matcher", 1, 1)
        add("{__name__=~\".*\"}", "vector selector must contain at least one non-empty matcher", 1, 1)
        add("x{__name__=\"y\"}", "metric name must not be set twice: \"x\" or \"y\"", 1, 1)
        add("x{a=~\"(\"}", "error parsing regexp: missing closing ): `^(?:()$`", 1, 3)
        add("1 == 1", "comparisons between scalars must use BOOL modifier", 1, 3)
        add("x + bool y", "bool modifier can only be used on comparison operators", 1, 3)
        add("\"a\" + 1", "binary expression must contain only scalar and instant vector types", 1, 1)
        add("1 + x[5m]", "binary expression must contain only scalar and instant vector types", 1, 5)
        add("sum(1)", "expected type instant vector in aggregation expression, got scalar", 1, 5)
        add("count_values(1, x)", "expected type string in aggregation parameter, got scalar", 1, 14)
        add("x and 1", "set operator \"and\" not allowed in binary scalar expression", 1, 1)
        add("x and on(a) group_left y", "no grouping allowed for \"and\" operation", 1, 1)
        add("x + on(a) group_left(a) y", "label \"a\" must not occur in ON and GROUP clause at once", 1, 3)
        add("x + on(a) 1", "vector matching only allowed between instant vectors", 1, 1)
        add("-\"a\"", "unary expression only allowed on expressions of type scalar or instant vector, got \"string\"", 1, 1)
        add("x[5m:][5m:]", "subquery is only allowed on instant vector, got matrix instead", 1, 1)
        add("(x)[5m]", "ranges only allowed for vector selectors", 1, 4)
        add("x offset 5m [5m]", "no offset modifiers allowed before range", 1, 13)
        add("x @ 1 [5m]", "no @ modifiers allowed before range", 1, 7)
        add("sum(x) offset 5m", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", 1, 1)
        add("x offset 1m offset 1m", "offset may not be set multiple times", 1, 1)
        add("x @ 1 @ 2", "@ <timestamp> may not be set multiple times", 1, 1)
        add("x @ Inf", "timestamp out of bounds for @ modifier: +Inf", 1, 1)
        add("x @ 1e30", "timestamp out of bounds for @ modifier: 1000000000000000019884624838656.000000", 1, 1)
        add("x offset", "unexpected end of input in offset, expected duration", 1, 9)
        add("x @ foo", "unexpected identifier \"foo\" in @, expected timestamp", 1, 5)
        add("x[5m 1m]", "unexpected duration \"1m\" in subquery or range, expected \":\" or \"]\"", 1, 6)
        add("x[5m:5]", "unexpected number \"5\" in subquery selector, expected duration or \"]\"", 1, 6)
        add("x[5m:x]", "unexpected colon 'x'", 1, 6)
        add("rate(x[5m],)", "trailing commas not allowed in function call args", 1, 11)
        add("round(x, 1, 2)", "expected at most 2 argument(s) in call to \"round\", got 3", 1, 1)
        add("label_join(x, \"a\")", "expected at least 3 argument(s) in call to \"label_join\", got 2", 1, 1)
        add("time(1)", "expected 0 argument(s) in call to \"time\", got 1", 1, 1)
        add("x $ y", "unexpected character: '$'", 1, 3)
        add("x =~ y", "unexpected character after '=': '~'", 1, 3)
        add("\"abc", "unterminated quoted string", 1, 1)
        add("`abc", "unterminated raw string", 1, 1)
        add("\"\\q\"", "unknown escape sequence U+0071 'q'", 1, 1)
        add("\"\\uD800\"", "escape sequence is an invalid Unicode code point", 1, 1)
        add("x @ start", "unexpected end of input in @, expected timestamp", 1, 10)
        add("x == on(a) bool y", "unexpected <bool>", 1, 12)
        add("sum x", "unexpected identifier \"x\"", 1, 5)
        add("1 \"abcdefghijklmn\"", "unexpected string \"\\\"abcdefghi\"...", 1, 3)
        add("x offset @ 1", "unexpected \"<Item 57385>\" <op:@> in offset, expected duration", 1, 10)
        // Positions count lines, and columns in bytes.
        add("x +\n  foo(", "unclosed left parenthesis", 2, 7)
        add("# a\n# b\n1 +", "unexpected end of input", 3, 4)
        add("\"é\" $", "unexpected character: '$'", 1, 6)
        add("sum(\n  rate(x)\n)", "expected type range vector in call to function \"rate\", got instant vector", 2, 8)
        return c
    }()

    @Test(arguments: cases)
    func error(_ c: Case) throws {
        let e = try #require(parseFailure(c.query))
        #expect(e.message == c.message)
        #expect(e.line == c.line)
        #expect(e.column == c.column)
        #expect(e.description == "\(c.line):\(c.column): parse error: \(c.message)")
        // Offset and column agree.
        let prefix = Array(c.query.utf8)[..<e.offset]
        let lastBreak = prefix.lastIndex(of: 0x0A) ?? -1
        #expect(e.offset - lastBreak == c.column)
    }
}
