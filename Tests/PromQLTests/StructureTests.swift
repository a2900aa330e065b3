import Testing
import TSDB
@testable import PromQL

/// What the parser puts into the tree: the fields the evaluator relies on.
@Suite struct StructureTests {
    @Test func selectors() throws {
        let vs = try #require(parsed(#"http_requests_total{job="api", code=~"5..", path!="/", e!~"x|y",}"#)?.asSelector)
        #expect(vs.name == "http_requests_total")
        #expect(vs.matchers == [
            m("job", .equal, "api"), m("code", .regexMatch, "5.."), m("path", .notEqual, "/"),
            m("e", .regexNoMatch, "x|y"), m("__name__", .equal, "http_requests_total"),
        ])
        #expect(vs.offset == 0 && vs.at == nil)
        #expect(vs.matchers[1].regex != nil)

        let noName = try #require(parsed(#"{__name__=~"job:.*", a="b"}"#)?.asSelector)
        #expect(noName.name == nil)
        #expect(noName.matchers == [m("__name__", .regexMatch, "job:.*"), m("a", .equal, "b")])

        #expect(parsed("job:rate5m:sum")?.asSelector?.name == "job:rate5m:sum")
        #expect(parsed("x{}") == sel("x"))
        // Keywords are metric and label names where Prometheus allows it.
        #expect(parsed("by") == sel("by"))
        #expect(parsed("sum") == sel("sum"))
        #expect(parsed("offset offset 5m") == sel("offset", offset: 5 * minute))
        #expect(parsed(#"x{on="a", bool="b"}"#) == sel("x", [m("on", .equal, "a"), m("bool", .equal, "b")]))
        #expect(parsed("SUM{a=\"b\"}") == sel("SUM", [m("a", .equal, "b")]))
    }

    @Test func rangesOffsetsAndAt() throws {
        let ms = try #require(parsed("x[1h30m] offset -5m @ 1609746000.5")?.asMatrix)
        #expect(ms.range == 90 * minute)
        #expect(ms.selector.offset == -5 * minute)
        #expect(ms.selector.at == .timestamp(1_609_746_000_500))

        #expect(parsed("x offset 1y") == sel("x", offset: 365 * 24 * hour))
        #expect(parsed("x @ start()") == sel("x", at: .start))
        #expect(parsed("x @ END()") == sel("x", at: .end))
        #expect(parsed("x @ -1.2345") == sel("x", at: .timestamp(-1235)))
        #expect(parsed("x offset 5m @ 100") == parsed("x @ 100 offset 5m"))
        #expect(parsed("x[500ms]") == matrix("x", 500))

        let sq = try #require(parsed("rate(x[5m])[1h:30s] offset 1d @ end()")?.asSubquery)
        #expect(sq.range == hour)
        #expect(sq.step == 30_000)
        #expect(sq.offset == 24 * hour)
        #expect(sq.at == .end)
        #expect(sq.expr.asCall?.function == .rate)
        #expect(parsed("x[1h:]")?.asSubquery?.step == nil)
    }

    @Test func aggregations() throws {
        #expect(parsed("sum by (job, instance) (x)") == agg(.sum, sel("x"), by: ["job", "instance"]))
        #expect(parsed("sum(x) by (job, instance)") == agg(.sum, sel("x"), by: ["job", "instance"]))
        #expect(parsed("avg without (a) (x)") == agg(.avg, sel("x"), by: ["a"], without: true))
        #expect(parsed("count(x) without ()") == agg(.count, sel("x"), without: true))
        #expect(parsed("min by () (x)") == agg(.min, sel("x")))
        #expect(parsed("topk(3, x)") == agg(.topk, sel("x"), param: num(3)))
        #expect(parsed("bottomk by (a) (2, x)") == agg(.bottomk, sel("x"), param: num(2), by: ["a"]))
        #expect(parsed("quantile(0.9, x)") == agg(.quantile, sel("x"), param: num(0.9)))
        #expect(parsed(#"count_values("v", x)"#) == agg(.countValues, sel("x"), param: str("v")))
        #expect(parsed("group(x)") == agg(.group, sel("x")))
        #expect(parsed("stddev(x) + stdvar(x)") == bin(.add, agg(.stddev, sel("x")), agg(.stdvar, sel("x"))))
        #expect(parsed("max by (sum, by, on) (x)")?.asAggregate?.grouping == ["sum", "by", "on"])
        #expect(parsed("SUM BY (a) (x)") == agg(.sum, sel("x"), by: ["a"]))
        for op in AggregateOp.allCases {
            let q = op.hasParameter ? "\(op.rawValue)(\(op == .countValues ? "\"l\"" : "1"), x)" : "\(op.rawValue)(x)"
            #expect(parsed(q)?.asAggregate?.op == op, "\(q)")
        }
    }

    @Test func vectorMatching() throws {
        let plain = try #require(parsed("a + b")?.asBinary)
        #expect(plain.matching == VectorMatching(card: .oneToOne))
        #expect(parsed("a and b")?.asBinary?.matching == VectorMatching(card: .manyToMany))
        #expect(parsed("a or on(x) b")?.asBinary?.matching == VectorMatching(card: .manyToMany, matchingLabels: ["x"], on: true))
        #expect(parsed("a unless ignoring(x) b")?.asBinary?.matching == VectorMatching(card: .manyToMany, matchingLabels: ["x"]))
        let left = try #require(parsed("a * on(x, y) group_left(z) b")?.asBinary)
        #expect(left.matching == VectorMatching(card: .manyToOne, matchingLabels: ["x", "y"], on: true, include: ["z"]))
        let right = try #require(parsed("a / ignoring(x) group_right b")?.asBinary)
        #expect(right.matching == VectorMatching(card: .oneToMany, matchingLabels: ["x"], include: []))
        let cmp = try #require(parsed("a > bool on() b")?.asBinary)
        #expect(cmp.returnBool)
        #expect(cmp.matching == VectorMatching(card: .oneToOne, on: true))
        // Only between two instant vectors.
        #expect(parsed("a + 1")?.asBinary?.matching == nil)
        #expect(parsed("1 + on() a")?.asBinary?.matching == nil)
        #expect(parsed("1 + 1")?.asBinary?.matching == nil)
        #expect(parsed("a + on() 1")?.description == "a + 1")
    }

    @Test func calls() throws {
        #expect(parsed("rate(x[5m])") == call(.rate, matrix("x", 5 * minute)))
        #expect(parsed("time()") == call(.time))
        #expect(parsed("round(x)") == call(.round, sel("x")))
        #expect(parsed("round(x, 5)") == call(.round, sel("x"), num(5)))
        #expect(parsed(#"label_join(x, "d", ",", "a", "b", "c")"#)?.asCall?.args.count == 6)
        #expect(parsed("hour()") == call(.hour))
        #expect(parsed("histogram_quantile(0.9, x)") == call(.histogramQuantile, num(0.9), sel("x")))
        #expect(parsed("vector(1)")?.type == .vector)
        #expect(parsed("scalar(x)")?.type == .scalar)
        #expect(parsed("time")?.asSelector?.name == "time")
        for f in Function.allCases {
            let args = f.argTypes.prefix(f.minArgs).map { t -> String in
                switch t {
                case .scalar: return "1"
                case .vector: return "x"
                case .matrix: return "x[1m]"
                case .string: return "\"s\""
                }
            }
            let q = "\(f.name)(\(args.joined(separator: ", ")))"
            let c = parsed(q)?.asCall
            #expect(c?.function == f, "\(q)")
            #expect(c?.function.returnType == (f == .pi || f == .time || f == .scalar ? .scalar : .vector))
        }
        #expect(Function.allCases.count == 70)
        #expect(Function(name: "rate") == .rate && Function(name: "Rate") == nil)
        #expect(Function.labelJoin.maxArgs == nil && Function.labelJoin.minArgs == 3)
        #expect(Function.round.minArgs == 1 && Function.round.maxArgs == 2)
        #expect(Function.dayOfWeek.minArgs == 0 && Function.dayOfWeek.maxArgs == 1)
        #expect(Function.clamp.minArgs == 3 && Function.clamp.maxArgs == 3)
    }

    @Test func literals() {
        let numbers: [(String, Double)] = [
            ("1", 1), (".5", 0.5), ("5.", 5), ("1e3", 1000), ("1E-3", 0.001), ("0x1f", 31), ("0XaB", 171),
            ("010", 8), ("08", 8), ("1e-400", 0), ("99999999999999999999", 1e20), ("-2.5", -2.5), ("+3", 3),
            ("Inf", .infinity), ("-inf", -.infinity), ("+INF", .infinity),
        ]
        for (q, v) in numbers {
            #expect(parsed(q)?.asNumber == v, "\(q)")
        }
        #expect(parsed("NaN")?.asNumber?.isNaN == true)
        #expect(parsed("nan") == num(.nan))

        let strings: [(String, String)] = [
            (#""a\"b""#, "a\"b"), (#"'a\'b'"#, "a'b"), ("`a\\nb`", "a\\nb"), (#""\n\t\r\\""#, "\n\t\r\\"),
            (#""\a\b\f\v""#, "\u{07}\u{08}\u{0C}\u{0B}"), (#""\x41\101\u00e9\U0001F600""#, "AAé😀"),
            (#""\xc3\xa9""#, "é"), (#"'"'"#, "\""), (#""'""#, "'"), ("`\"'`", "\"'"), ("\"日本\"", "日本"),
        ]
        for (q, v) in strings {
            #expect(parsed(q)?.asString == v, "\(q)")
        }
        #expect(parsed(#"x{a="\u00e9\n"}"#)?.asSelector?.matchers.first?.value == "é\n")
    }

    @Test func types() {
        let cases: [(String, ValueType)] = [
            ("1", .scalar), ("\"a\"", .string), ("x", .vector), ("x[5m]", .matrix), ("x[5m:]", .matrix),
            ("sum(x)", .vector), ("1 + 1", .scalar), ("1 + x", .vector), ("x + 1", .vector), ("-x", .vector),
            ("-(1)", .scalar), ("(x[5m])", .matrix), ("time()", .scalar), ("rate(x[5m])", .vector),
            ("scalar(x) * 2", .scalar), ("1 > bool 2", .scalar),
        ]
        for (q, t) in cases {
            #expect(parsed(q)?.type == t, "\(q)")
        }
        #expect(ValueType.vector.documentedName == "instant vector")
        #expect(ValueType.matrix.documentedName == "range vector")
    }

    @Test func rangeQueryTypes() throws {
        // Prometheus's wording (recorded from 2.42's /api/v1/query_range).
        #expect(PromQL.rangeQueryTypeError(try PromQL.parse("x[5m]"))
            == #"invalid expression type "range vector" for range query, must be Scalar or instant Vector"#)
        #expect(PromQL.rangeQueryTypeError(try PromQL.parse(#""a""#))
            == #"invalid expression type "string" for range query, must be Scalar or instant Vector"#)
        #expect(PromQL.rangeQueryTypeError(try PromQL.parse("rate(x[5m])")) == nil)
        #expect(PromQL.rangeQueryTypeError(try PromQL.parse("time()")) == nil)
    }

    @Test func positions() throws {
        let q = "sum by (a) (rate(x{b=\"c\"}[5m] offset 1m)) + -y @ 5"
        let b = try #require(parsed(q)?.asBinary)
        #expect(b.positionRange == PositionRange(start: 0, end: q.utf8.count))
        let a = try #require(b.lhs.asAggregate)
        #expect(a.positionRange == PositionRange(start: 0, end: 41))
        let c = try #require(a.expr.asCall)
        #expect(c.positionRange == PositionRange(start: 12, end: 40))
        let ms = try #require(c.args[0].asMatrix)
        #expect(ms.positionRange == PositionRange(start: 17, end: 39))
        guard case .unary(let u) = b.rhs else { Issue.record("not unary"); return }
        #expect(u.positionRange == PositionRange(start: 44, end: 50))
        #expect(u.expr.positionRange == PositionRange(start: 45, end: 50))
        // A folded negative number starts at its sign.
        let n = try #require(parsed("1 + - 2")?.asBinary?.rhs)
        #expect(n.positionRange == PositionRange(start: 4, end: 7))
        let p = try #require(parsed("(x)"))
        #expect(p.positionRange == PositionRange(start: 0, end: 3))
        #expect(p.children == [sel("x")])
    }

    @Test func metricSelectors() throws {
        #expect(try PromQL.parseMetricSelector(#"up{job="a"}"#) == [m("job", .equal, "a"), m("__name__", .equal, "up")])
        #expect(try PromQL.parseMetricSelector(#"{job=~".*"}"#) == [m("job", .regexMatch, ".*")])
        #expect(try PromQL.parseMetricSelector("sum") == [m("__name__", .equal, "sum")])
        // Errors as recorded from Prometheus 2.42's /api/v1/series?match[]=…
        let errors: [(String, String)] = [
            ("up{", "1:4: parse error: unexpected end of input inside braces"),
            ("rate(x)", "1:5: parse error: unexpected \"(\""),
            ("up + 1", "1:4: parse error: unexpected <op:+>"),
            ("", "1:1: parse error: unexpected end of input"),
            ("up{a=\"b\"} offset 5m", "1:11: parse error: unexpected <offset>"),
            ("up[5m]", "1:3: parse error: unexpected \"[\""),
            ("x{a~\"b\"}", "1:4: parse error: unexpected character inside braces: '~'"),
        ]
        for (q, message) in errors {
            #expect(throws: ParseError.self) { try PromQL.parseMetricSelector(q) }
            do {
                _ = try PromQL.parseMetricSelector(q)
            } catch {
                #expect(error.description == message)
            }
        }
    }

    @Test func structuralEquality() throws {
        // Positions do not take part in equality or hashing.
        let a = try PromQL.parse("sum(rate(x[5m]))")
        let b = try PromQL.parse("  sum( rate( x [ 5m ] ) )")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(try PromQL.parse("NaN + x") == PromQL.parse("nan + x"))
        #expect(try PromQL.parse("0") != PromQL.parse("-0"))
        #expect(try PromQL.parse("x offset 1m") != PromQL.parse("x"))
        #expect(Set([a, b]).count == 1)
    }
}
