import Testing
import TSDB
@testable import PromQL

/// Operator precedence, associativity and the binding of unary and postfix operators, as
/// tree shapes.
@Suite struct PrecedenceTests {
    static let cases: [(String, Expr)] = {
        var c: [(String, Expr)] = []
        let a = sel("a"), b = sel("b"), x = sel("x"), y = sel("y")
        let z = sel("z")
        // Arithmetic levels.
        c.append(("1 + 2 * 3", bin(.add, num(1), bin(.mul, num(2), num(3)))))
        c.append(("1 * 2 + 3", bin(.add, bin(.mul, num(1), num(2)), num(3))))
        c.append(("1 - 2 - 3", bin(.sub, bin(.sub, num(1), num(2)), num(3))))
        c.append(("8 / 4 / 2", bin(.div, bin(.div, num(8), num(4)), num(2))))
        c.append(("7 % 4 * 2", bin(.mul, bin(.mod, num(7), num(4)), num(2))))
        c.append(("a atan2 b * x", bin(.mul, bin(.atan2, a, b), x)))
        c.append(("a + b atan2 x", bin(.add, a, bin(.atan2, b, x))))
        c.append(("2 ^ 3 ^ 2", bin(.pow, num(2), bin(.pow, num(3), num(2)))))
        c.append(("2 * 3 ^ 2", bin(.mul, num(2), bin(.pow, num(3), num(2)))))
        c.append(("2 ^ 3 * 2", bin(.mul, bin(.pow, num(2), num(3)), num(2))))
        c.append(("(1 + 2) * 3", bin(.mul, paren(bin(.add, num(1), num(2))), num(3))))
        // Comparison and set levels.
        c.append(("a + b > x", bin(.gtr, bin(.add, a, b), x)))
        c.append(("a > b + x", bin(.gtr, a, bin(.add, b, x))))
        c.append(("a == b != x", bin(.neq, bin(.eql, a, b), x)))
        c.append(("a > bool b < bool x", bin(.lss, bin(.gtr, a, b, bool: true), x, bool: true)))
        c.append(("a > b and x", bin(.and, bin(.gtr, a, b), x)))
        c.append(("a or b and x", bin(.or, a, bin(.and, b, x))))
        c.append(("a and b or x", bin(.or, bin(.and, a, b), x)))
        c.append(("a unless b and x", bin(.and, bin(.unless, a, b), x)))
        c.append(("a or b unless x", bin(.or, a, bin(.unless, b, x))))
        c.append(("a or b or x", bin(.or, bin(.or, a, b), x)))
        c.append(("a > b or x and y unless z", bin(.or, bin(.gtr, a, b), bin(.unless, bin(.and, x, y), z))))
        c.append(("a and b == x", bin(.and, a, bin(.eql, b, x))))
        // Unary minus: binds tighter than * but looser than ^; folded into number literals.
        c.append(("-1", num(-1)))
        c.append(("+1", num(1)))
        c.append(("- -1", num(1)))
        c.append(("-(1)", neg(paren(num(1)))))
        c.append(("-1 ^ 2", neg(bin(.pow, num(1), num(2)))))
        c.append(("-x ^ 2", neg(bin(.pow, x, num(2)))))
        c.append(("(-2) ^ 2", bin(.pow, paren(num(-2)), num(2))))
        c.append(("2 ^ -1", bin(.pow, num(2), num(-1))))
        c.append(("2 ^ -x ^ 2", bin(.pow, num(2), neg(bin(.pow, x, num(2))))))
        c.append(("-a * b", bin(.mul, neg(a), b)))
        c.append(("-a + b", bin(.add, neg(a), b)))
        c.append(("a * -b", bin(.mul, a, neg(b))))
        c.append(("a - -b", bin(.sub, a, neg(b))))
        c.append(("1 - -1", bin(.sub, num(1), num(-1))))
        c.append(("- - x", neg(neg(x))))
        c.append(("+x", pos(x)))
        c.append(("-a atan2 b", bin(.atan2, neg(a), b)))
        // Postfix operators bind to the nearest operand.
        c.append(("a + b offset 5m", bin(.add, a, sel("b", offset: 5 * minute))))
        c.append(("-x offset 5m", neg(sel("x", offset: 5 * minute))))
        c.append(("a * b @ 10", bin(.mul, a, sel("b", at: .timestamp(10_000)))))
        c.append(("a + b[5m:]", bin(.add, a, subquery(b, 5 * minute))))
        c.append(("-x[5m:1m]", neg(subquery(x, 5 * minute, step: minute))))
        c.append(("sum(x)[5m:]", subquery(agg(.sum, x), 5 * minute)))
        c.append(("(a + b)[5m:]", subquery(paren(bin(.add, a, b)), 5 * minute)))
        c.append(("x[5m:][10m:]", subquery(subquery(x, 5 * minute), 10 * minute)))
        return c
    }()

    @Test(arguments: cases)
    func shape(_ query: String, _ expected: Expr) throws {
        // x[5m:][10m:] and -x[5m:1m] are well-formed but not well-typed; compare the raw parse.
        var parser = Parser(query)
        let tree = try parser.parseTopLevel()
        #expect(tree == expected, "\(query) parsed as \(tree)")
    }

    @Test func printingKeepsTheShape() throws {
        for (query, expected) in Self.cases {
            var parser = Parser(expected.description)
            let reparsed = try parser.parseTopLevel()
            #expect(reparsed == expected, "\(query) printed as \(expected.description)")
        }
    }

    @Test func precedenceTable() {
        let ordered: [[BinaryOp]] = [[.or], [.and, .unless], [.eql, .neq, .gtr, .lss, .gte, .lte], [.add, .sub], [.mul, .div, .mod, .atan2], [.pow]]
        for (level, ops) in ordered.enumerated() {
            for op in ops {
                #expect(op.precedence == level + 1)
                #expect(op.isRightAssociative == (op == .pow))
            }
        }
        #expect(BinaryOp.allCases.count == 16)
    }
}
