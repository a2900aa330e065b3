import Testing
@testable import PromQL

/// Any input gives a tree or an error: no crash, no hang, no unbounded recursion.
@Suite struct RobustnessTests {
    @Test func nestingUpToTheLimitIsAccepted() throws {
        let n = Parser.maxNesting - 1
        let queries = [
            String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n),
            String(repeating: "-", count: n) + "x",
            Array(repeating: "x", count: n).joined(separator: " ^ "),
            String(repeating: "abs(", count: n - 1) + "x" + String(repeating: ")", count: n - 1),
            String(repeating: "sum(", count: n - 1) + "x" + String(repeating: ")", count: n - 1),
            Array(repeating: "x", count: Parser.maxHeight).joined(separator: " or "),
            "x" + String(repeating: "[5m:]", count: Parser.maxHeight - 2),
        ]
        for q in queries {
            var parser = Parser(q)
            let tree = try parser.parseTopLevel()
            #expect(!tree.description.isEmpty)
        }
    }

    @Test func deeperNestingIsRefused() {
        let n = Parser.maxNesting + 1
        let queries = [
            String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n),
            String(repeating: "-", count: n) + "x",
            Array(repeating: "x", count: n + 1).joined(separator: " ^ "),
            String(repeating: "abs(", count: n) + "x" + String(repeating: ")", count: n),
            String(repeating: "sum(", count: n) + "x" + String(repeating: ")", count: n),
            String(repeating: "(", count: 100_000),
        ]
        for q in queries {
            let e = parseFailure(q)
            #expect(e?.message == "query is nested too deeply (more than 256 levels)", "\(q.prefix(20))")
        }
        let chain = Array(repeating: "x", count: Parser.maxHeight + 1).joined(separator: " or ")
        #expect(parseFailure(chain)?.message == "query is too complex (expression tree deeper than 1000 levels)")
        let subqueries = "x" + String(repeating: "[5m:]", count: Parser.maxHeight)
        #expect(parseFailure(subqueries)?.message == "query is too complex (expression tree deeper than 1000 levels)")
    }

    /// Random strings from PromQL fragments and odd characters. Every result either fails
    /// with a positioned error or prints to text that parses back to the same tree.
    @Test func randomInputNeverCrashes() {
        let fragments = [
            "(", ")", "[", "]", "{", "}", ",", ":", "\"a\"", "'b'", "`c`", "\"", "'", "`", "\\", "1", "0x1f", "1e3", ".5",
            "Inf", "NaN", "5m", "1h30m", "x", "y:z", "_", "rate", "sum", "topk", "count_values", "by", "without",
            "on", "ignoring", "group_left", "group_right", "bool", "offset", "@", "start()", "end()", "and", "or",
            "unless", "atan2", "+", "-", "*", "/", "%", "^", "==", "!=", "<", "<=", ">", ">=", "=", "=~", "!~", "!",
            "#", "\n", " ", "\t", "é", "😀", "\u{FFFD}", "\u{0}", "$", ";", "a=\"b\"", "le", "histogram_quantile",
            "label_join", "time", "abs", "[5m:1m]", "x[5m]", "sum(x)", "rate(x[5m])",
        ]
        var rng = SplitMix64(seed: 0x5EED)
        var parsedCount = 0
        for _ in 0..<20_000 {
            var q = ""
            for _ in 0..<Int(rng.next() % 12) + 1 {
                q += fragments[Int(rng.next() % UInt64(fragments.count))]
                if rng.next() % 3 == 0 { q += " " }
            }
            do {
                let tree = try PromQL.parse(q)
                parsedCount += 1
                let printed = tree.description
                #expect((try? PromQL.parse(printed)) == tree, "\(q.debugDescription) printed as \(printed)")
            } catch {
                #expect(error.offset >= 0 && error.offset <= q.utf8.count, "\(q.debugDescription)")
                #expect(error.line >= 1 && error.column >= 1)
            }
        }
        #expect(parsedCount > 100)
    }

    /// Arbitrary bytes, including invalid UTF-8 (repaired by String's decoding).
    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let bytes = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let q = String(decoding: bytes, as: UTF8.self)
            _ = try? PromQL.parse(q)
            _ = try? PromQL.parseMetricSelector(q)
        }
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
