import Testing
@testable import PromQL

/// The Go formatting rules Prometheus's output depends on.
@Suite struct FormatTests {
    @Test func floatsLikeGoPercentV() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "-0"), (1, "1"), (-1, "-1"), (0.1, "0.1"), (100000, "100000"), (1e6, "1e+06"),
            (123456.7, "123456.7"), (1234567.8, "1.2345678e+06"), (0.0001, "0.0001"), (0.00001, "1e-05"),
            (0.00012345, "0.00012345"), (1e21, "1e+21"), (1e-7, "1e-07"), (1e100, "1e+100"),
            (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1 + 0.2, "0.30000000000000004"),
            (9007199254740992, "9.007199254740992e+15"), (999999.9, "999999.9"), (.infinity, "+Inf"),
            (-.infinity, "-Inf"), (.nan, "NaN"), (31, "31"), (2.5e-5, "2.5e-05"),
        ]
        for (v, s) in cases {
            #expect(GoFormat.float(v) == s, "\(v)")
        }
    }

    @Test func fixedLikeGoPercentF() {
        #expect(GoFormat.fixed(1e30, precision: 6) == "1000000000000000019884624838656.000000")
        #expect(GoFormat.fixed(9.3e18, precision: 6) == "9300000000000000000.000000")
        #expect(GoFormat.fixed(-9.3e18, precision: 6) == "-9300000000000000000.000000")
        #expect(GoFormat.fixed(1.7976931348623157e308, precision: 0).count == 309)
        #expect(GoFormat.fixed(1.2345678, precision: 3) == "1.235")
        #expect(GoFormat.fixed(0.0005, precision: 3) == "0.001")  // 0.0005 is slightly above .0005
        #expect(GoFormat.fixed(0.125, precision: 2) == "0.12")  // exact tie: to even
        #expect(GoFormat.fixed(0.375, precision: 2) == "0.38")
        #expect(GoFormat.fixed(-0.0, precision: 3) == "-0.000")
        #expect(GoFormat.fixed(Double.leastNonzeroMagnitude, precision: 6) == "0.000000")
        #expect(GoFormat.fixed(.infinity, precision: 6) == "+Inf")
        #expect(GoFormat.fixed(.nan, precision: 6) == "NaN")
        #expect(AtModifier.formatSeconds(1_609_746_000_500) == "1609746000.500")
        #expect(AtModifier.formatSeconds(-1) == "-0.001")
        #expect(AtModifier.formatSeconds(Int64.min) == "-9223372036854776.000")
    }

    @Test func quotingLikeGo() {
        #expect(GoFormat.quote("a\"b\\c") == #""a\"b\\c""#)
        #expect(GoFormat.quote("\u{07}\u{08}\u{0C}\n\r\t\u{0B}") == #""\a\b\f\n\r\t\v""#)
        #expect(GoFormat.quote("\u{01}\u{7F}") == #""\x01\x7f""#)
        #expect(GoFormat.quote("é日本😀") == "\"é日本😀\"")
        #expect(GoFormat.quote("\u{A0}\u{AD}\u{200B}\u{2028}\u{FEFF}\u{E000}") == #""\u00a0\u00ad\u200b\u2028\ufeff\ue000""#)
        #expect(GoFormat.quote("\u{E0001}\u{10FFFF}") == #""\U000e0001\U0010ffff""#)
        #expect(GoFormat.quote("abcdefghijklmn", truncatedTo: 10) == #""abcdefghij""#)
        #expect(GoFormat.quoteRune("'") == #"'\''"#)
        #expect(GoFormat.quoteRune("\"") == #"'"'"#)
        #expect(GoFormat.quoteRune(nil) == "'\u{FFFD}'")
        #expect(GoFormat.quoteRune("\t") == #"'\t'"#)
        #expect(GoFormat.unicodeSharp("q") == "U+0071 'q'")
        #expect(GoFormat.unicodeSharp("\n") == "U+000A")
        #expect(GoFormat.unicodeSharp("😀") == "U+1F600 '😀'")
    }

    @Test func durations() throws {
        let parse: [(String, Int64)] = [
            ("0", 0), ("1ms", 1), ("5s", 5000), ("5m", 300_000), ("1h30m", 5_400_000), ("2d", 172_800_000),
            ("1w", 604_800_000), ("1y", 31_536_000_000), ("1y2w3d4h5m6s7ms", 31_536_000_000 + 2 * 604_800_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6_000 + 7),
            ("292y", 292 * 31_536_000_000), ("0s", 0),
        ]
        for (s, ms) in parse {
            #expect(try PromQLDuration.parse(s) == ms, "\(s)")
        }
        #expect(throws: PromQLDuration.ParseError.invalid("1m1h")) { try PromQLDuration.parse("1m1h") }
        #expect(throws: PromQLDuration.ParseError.invalid("1.5m")) { try PromQLDuration.parse("1.5m") }
        #expect(throws: PromQLDuration.ParseError.invalid("5")) { try PromQLDuration.parse("5") }
        #expect(throws: PromQLDuration.ParseError.invalid("1hs")) { try PromQLDuration.parse("1hs") }
        #expect(throws: PromQLDuration.ParseError.empty) { try PromQLDuration.parse("") }
        #expect(throws: PromQLDuration.ParseError.outOfRange) { try PromQLDuration.parse("293y") }
        #expect(throws: PromQLDuration.ParseError.outOfRange) { try PromQLDuration.parse("99999999999999999999s") }
        #expect(PromQLDuration.ParseError.invalid("x").description == #"not a valid duration string: "x""#)

        let format: [(Int64, String)] = [
            (0, "0s"), (1, "1ms"), (1500, "1s500ms"), (90_000, "1m30s"), (5_400_000, "1h30m"),
            (100 * 3_600_000, "4d4h"), (7 * 86_400_000, "1w"), (8 * 86_400_000, "8d"), (14 * 86_400_000, "2w"),
            (365 * 86_400_000, "1y"), (730 * 86_400_000, "2y"), (731 * 86_400_000, "731d"), (-300_000, "-5m"),
        ]
        for (ms, s) in format {
            #expect(PromQLDuration.format(milliseconds: ms) == s, "\(ms)")
        }
    }
}
