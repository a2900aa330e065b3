import Foundation
import Testing
@testable import Rules

/// The pieces of `test rules` checked against what promtool 2.42 does.
@Suite struct SeriesNotationTests {
    func expand(_ s: String) throws -> [Double?] {
        try SeriesNotation.expand(s, columnOffset: 0)
    }

    @Test func expandingNotation() throws {
        #expect(try expand("1+1x3") == [1, 2, 3, 4])
        #expect(try expand("4-1x1") == [4, 3])
        #expect(try expand("2x2") == [2, 2, 2])
        #expect(try expand("_ _x2 3") == [nil, nil, nil, 3])
        #expect(try expand("-0.5+0.25x2") == [-0.5, -0.25, 0])
        #expect(try expand("1e1x1 1+1e1x1") == [10, 10, 1, 11])
        #expect(try expand("-Inf inf") == [-.infinity, .infinity])
        #expect(try expand("010") == [8])  // Go's ParseInt base 0, as Prometheus reads numbers
        // 0x10 is 0 repeated: hexadecimal is not allowed in series values.
        #expect(try expand("0x2") == [0, 0, 0])
        // Repeated addition, not multiplication: promtool's 0.1+0.1x7 ends at 0.7999999999999999.
        #expect(try expand("0.1+0.1x7").last! == 0.7999999999999999)
    }

    @Test func staleAndNaN() throws {
        let v = try expand("stale NaN")
        #expect(v[0]!.bitPattern == 0x7ff0_0000_0000_0002)
        #expect(v[1]!.isNaN && v[1]!.bitPattern != 0x7ff0_0000_0000_0002)
    }

    @Test func errorsLikePromtool() {
        func message(_ series: String, _ values: String) -> String {
            do {
                _ = try SeriesNotation.parse(series: series, values: values)
                return "no error"
            } catch { return error.description }
        }
        #expect(message("a", "1 2 x") == #"1:7: parse error: unexpected "x""#)
        #expect(message("a", "1 foo 2") == #"1:5: parse error: unexpected identifier "foo" in series values, expected number or "stale""#)
        #expect(message("a", "1 2 %") == "1:7: parse error: unexpected character in series sequence: '%'")
    }
}

@Suite struct GoFloatTests {
    @Test func formatE() {
        #expect(GoFloat.formatE(5) == "5E+00")
        #expect(GoFloat.formatE(0.30000000000000004) == "3.0000000000000004E-01")
        #expect(GoFloat.formatE(-2) == "-2E+00")
        #expect(GoFloat.formatE(0) == "0E+00")
        #expect(GoFloat.formatE(1e100) == "1E+100")
        #expect(GoFloat.formatE(12345.678) == "1.2345678E+04")
        #expect(GoFloat.formatE(.leastNonzeroMagnitude) == "5E-324")
        #expect(GoFloat.formatE(.infinity) == "+Inf")
        #expect(GoFloat.formatE(-.infinity) == "-Inf")
        #expect(GoFloat.formatE(.nan) == "NaN")
    }
}

@Suite struct UnitTestFileTests {
    func withFile(_ text: String, _ body: (String) -> Void) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rules-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.yml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        body(path)
    }

    func output(_ text: String) -> (Int32, String, String) {
        var out = "", err = "", code: Int32 = -1
        withFile(text) { path in
            code = RuleUnitTests.run(files: [path], stdout: { out += $0 }, stderr: { err += $0 })
            out = out.replacingOccurrences(of: path, with: "FILE")
        }
        return (code, out, err)
    }

    @Test func unknownFieldsAreErrorsWithLines() {
        let (code, out, err) = output("tests:\n  - interval: 1m\n    foo: 1\n    input_series:\n      - series: 'a'\n        values: '1'\n        bar: 2\n")
        #expect(code == 1)
        #expect(out == "Unit Testing:  FILE\n\n\n")
        #expect(err == "  FAILED:\nyaml: unmarshal errors:\n  line 3: field foo not found in type main.testGroup\n  line 7: field bar not found in type main.series\n")
    }

    @Test func successOutput() {
        let (code, out, err) = output("""
            rule_files: []
            tests:
              - interval: 1m
                input_series:
                  - series: 'up{job="a"}'
                    values: '1+1x5 _ stale 3'
                promql_expr_test:
                  - expr: up
                    eval_time: 2m
                    exp_samples:
                      - labels: 'up{job="a"}'
                        value: 3
                  - expr: up
                    eval_time: 7m
                    exp_samples: []
                  - expr: sum(up)
                    eval_time: 8m
                    exp_samples:
                      - labels: '{}'
                        value: 3

            """)
        #expect(err == "")
        #expect(out == "Unit Testing:  FILE\n  SUCCESS\n\n")
        #expect(code == 0)
    }

    @Test func failureOutputLikePromtool() {
        // Recorded from promtool 2.42 on the same file.
        let (code, _, err) = output("""
            tests:
              - interval: 1m
                input_series:
                  - series: 'up{job="a", instance="x"}'
                    values: '1+1x5 _ stale 3'
                  - series: 'foo'
                    values: '0.1x3'
                promql_expr_test:
                  - expr: up
                    eval_time: 2m
                    exp_samples:
                      - labels: 'up{job="a"}'
                        value: 5
                  - expr: foo * 3
                    eval_time: 1m
                    exp_samples:
                      - labels: '{}'
                        value: 0.30000000000001
                  - expr: bad(
                    eval_time: 10m
                  - expr: '"str"'
                    eval_time: 10m
                  - expr: a
                    eval_time: 1h30m
                    exp_samples:
                      - labels: 'a{'
                        value: 1

            """)
        #expect(code == 1)
        #expect(err == #"""
              FAILED:
                expr: "up", time: 2m,
                    exp: {__name__="up", job="a"} 5E+00
                    got: {__name__="up", instance="x", job="a"} 3E+00
                expr: "foo * 3", time: 1m,
                    exp: {} 3.0000000000001E-01
                    got: {} 3.0000000000000004E-01
                expr: "bad(", time: 10m, err: 1:5: parse error: unclosed left parenthesis
                expr: "\"str\"", time: 10m, err: rule result is not a vector or scalar
                expr: "a", time: 1h30m, err: labels "a{": 1:3: parse error: unexpected end of input inside braces

            """#)
    }

    @Test func nanNeverEqualsNaNAsInPromtool242() {
        let (code, _, _) = output("tests:\n  - interval: 1m\n    input_series:\n      - series: a\n        values: NaN\n    promql_expr_test:\n      - expr: a\n        eval_time: 0\n        exp_samples:\n          - labels: a\n            value: .nan\n")
        #expect(code == 1)
    }

    @Test func recordingRulesFeedTheQueriesOfTheTest() {
        withFile("") { path in
            let dir = (path as NSString).deletingLastPathComponent
            _ = FileManager.default.createFile(atPath: dir + "/r.yml", contents: Data("groups:\n  - name: g\n    rules:\n      - record: x\n        expr: vector(1)\n".utf8))
            _ = FileManager.default.createFile(atPath: path, contents: Data("rule_files: [r.yml]\ntests:\n  - interval: 1m\n    promql_expr_test:\n      - expr: x\n        eval_time: 0\n        exp_samples:\n          - labels: x\n            value: 1\n".utf8))
            let r = RuleUnitTests.testFile(path)
            #expect(r.errors.isEmpty)
            #expect(r.cases.map(\.passed) == [true])
        }
    }
}
