import Testing
@testable import Template

/// fmt and strconv behaviour, checked directly (expected strings are what Go prints).
@Suite struct FormatTests {
    private func v(_ x: Double) -> String { GoFormat.formatValue(.float(x)) }

    @Test func defaultFloatPrintingIsShortestWithGoExponents() {
        var table: [(Double, String)] = []
        table.append((0, "0"))
        table.append((-0.0, "-0"))
        table.append((1, "1"))
        table.append((0.1, "0.1"))
        table.append((3.14, "3.14"))
        table.append((1e6, "1e+06"))
        table.append((123456, "123456"))
        table.append((1234567, "1.234567e+06"))
        table.append((1e21, "1e+21"))
        table.append((0.0001, "0.0001"))
        table.append((0.00001, "1e-05"))
        table.append((1e-7, "1e-07"))
        table.append((1e100, "1e+100"))
        table.append((.leastNonzeroMagnitude, "5e-324"))
        table.append((1.7976931348623157e308, "1.7976931348623157e+308"))
        table.append((0.1 + 0.2, "0.30000000000000004"))
        table.append((1.0 / 3.0, "0.3333333333333333"))
        table.append((.infinity, "+Inf"))
        table.append((-.infinity, "-Inf"))
        table.append((.nan, "NaN"))
        for (x, want) in table { #expect(v(x) == want, "\(x)") }
    }

    @Test func printfVerbs() {
        func f(_ format: String, _ args: TemplateValue...) -> String { GoFormat.sprintf(format, args) }
        #expect(f("%.2f|%5.1f|%-8.3f|%08.3f", 3.14159, 3.14159, 2.5, -3.5) == "3.14|  3.1|2.500   |-003.500")
        #expect(f("%e|%.3e|%E", 1234.5678, 1234.5678, 1e-7) == "1.234568e+03|1.235e+03|1.000000E-07")
        #expect(f("%g|%.4g|%.3g|%g", 1234.5678, 1234.5678, 1234567.0, 1e-5) == "1234.5678|1235|1.23e+06|1e-05")
        #expect(f("%.0f %.0f %.0f", 0.5, 1.5, 2.5) == "0 2 2")
        #expect(f("%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%b|%c|%q|%U", 42, 42, 42, 42, 42, 255, 255, 8, 5, 65, 65, 65)
                == "42|   42|42   |00042|+42|ff|FF|10|101|A|'A'|U+0041")
        #expect(f("%s|%10s|%-10s|%.2s|%q|%x", "hello", "hi", "hi", "hello", "a\"b\n", "hi")
                == "hello|        hi|hi        |he|\"a\\\"b\\n\"|6869")
        #expect(f("%t|%v|%s", true, false, true) == "true|false|%!s(bool=true)")
        #expect(f("%d", "x") == "%!d(string=x)")
        #expect(f("%d %d", 1) == "1 %!d(MISSING)")
        #expect(f("%d", 1, 2) == "1%!(EXTRA int=2)")
        #expect(f("%%|%z", 1) == "%|%!z(int=1)")
        #expect(f("%") == "%!(NOVERB)")
        #expect(f("%.1f%%", "50%") == "%!f(string=5)%")
        #expect(f("%v %v", .list(["a", 1]), .stringMap(["b": "2", "a": "1"])) == "[a 1] map[a:1 b:2]")
        #expect(f("%T %T %T %T", 1, 1.5, "s", .null) == "int float64 string <nil>")
        #expect(f("%[2]d %[1]d", 1, 2) == "2 1")
        #expect(f("%*d|%.*f", 5, 42, 2, 3.14159) == "   42|3.14")
    }

    @Test func printAndPrintln() {
        #expect(GoFormat.sprint([1, 2, "a", "b", 3, true, .null]) == "1 2ab3 true <nil>")
        #expect(GoFormat.sprintln([1, "a"]) == "1 a\n")
    }

    @Test func quoting() {
        #expect(GoFormat.quote("é\u{0}\u{2028}😀\t\"") == "\"é\\x00\\u2028😀\\t\\\"\"")
        #expect(GoFormat.quote("é", asciiOnly: true) == "\"\\u00e9\"")
    }

    @Test func durations() {
        var table: [(Int64, String)] = []
        table.append((0, "0s"))
        table.append((1, "1ns"))
        table.append((1100, "1.1µs"))
        table.append((2_200_000, "2.2ms"))
        table.append((1_500_000_000, "1.5s"))
        table.append((3_661_000_000_000, "1h1m1s"))
        table.append((3_600_500_000_000, "1h0m0.5s"))
        table.append((-90_000_000_000, "-1m30s"))
        table.append((Int64.max, "2562047h47m16.854775807s"))
        table.append((Int64.min, "-2562047h47m16.854775808s"))
        for (d, want) in table { #expect(TimeFormat.durationString(d) == want, "\(d)") }
    }

    @Test func timeFormatting() {
        let t = Fixtures.utc(2024, 3, 5, 14, 3, 7, ns: 123_456_789)
        #expect(t.description == "2024-03-05 14:03:07.123456789 +0000 UTC")
        #expect(TemplateTime.zero.description == "0001-01-01 00:00:00 +0000 UTC")
        #expect(t.format("2006-01-02T15:04:05Z07:00") == "2024-03-05T14:03:07Z")
        #expect(t.format("Mon Jan _2 3:04:05.000 PM MST 2006") == "Tue Mar  5 2:03:07.123 PM UTC 2024")
        #expect(t.format(".999 ,000000 002 __2 06") == ".123 ,123456 065  65 24")
        let paris = TemplateTime(seconds: t.seconds, nanoseconds: 0, utcOffset: 3600, zone: "CET")
        #expect(paris.description == "2024-03-05 15:03:07 +0100 CET")
        #expect(paris.format("15:04 -07:00 Z07:00 -0700 MST") == "15:03 +01:00 +01:00 +0100 CET")
        #expect(TemplateTime(unixMilliseconds: -1500).description == "1969-12-31 23:59:58.5 +0000 UTC")
        if let tokyo = t.inZone("Asia/Tokyo") {
            #expect(tokyo.description == "2024-03-05 23:03:07.123456789 +0900 JST")
        }
        if let paris = t.inZone("Europe/Paris"), let summer = Fixtures.utc(2024, 7, 1, 12, 0, 0).inZone("Europe/Paris") {
            #expect(paris.description == "2024-03-05 15:03:07.123456789 +0100 CET")
            #expect(summer.description == "2024-07-01 14:00:00 +0200 CEST")
        }
        #expect(t.inZone("Nowhere/Special") == nil)
    }

    @Test func goLiterals() throws {
        #expect(GoLiteral.unquote(#""a\tb\x41\u00e9\101""#) == "a\tbAéA")
        #expect(GoLiteral.unquote("`raw\\n`") == "raw\\n")
        #expect(GoLiteral.unquote(#""\q""#) == nil)
        #expect(GoLiteral.parseSigned("0x1F") == 31)
        #expect(GoLiteral.parseSigned("017") == 15)
        #expect(GoLiteral.parseSigned("1_000") == 1000)
        #expect(GoLiteral.parseSigned("-9223372036854775808") == Int64.min)
        #expect(GoLiteral.parseSigned("9223372036854775808") == nil)
    }
}
