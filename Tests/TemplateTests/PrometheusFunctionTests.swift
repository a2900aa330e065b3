import Testing
@testable import Template

/// Prometheus's template functions, with tables from Prometheus's own template tests.
@Suite struct PrometheusFunctionTests {
    private func run(_ text: String, _ data: TemplateValue = .null,
                     functions: FunctionRegistry = .prometheus(query: Fixtures.query)) throws(TemplateError) -> String {
        try TemplateSet.render(text, name: "test", data: data, functions: functions)
    }

    @Test func humanizeFamily() {
        var table: [(Double, String, String, String, String)] = []  // value, humanize, 1024, duration, percentage
        table.append((0, "0", "0", "0s", "0%"))
        table.append((1, "1", "1", "1s", "100%"))
        table.append((1234567, "1.235M", "1.177Mi", "14d 6h 56m 7s", "1.235e+08%"))
        table.append((0.12, "120m", "0.12", "120ms", "12%"))
        table.append((0.000123, "123u", "0.000123", "123us", "0.0123%"))
        table.append((2048, "2.048k", "2ki", "34m 8s", "2.048e+05%"))
        table.append((3661, "3.661k", "3.575ki", "1h 1m 1s", "3.661e+05%"))
        table.append((-183845, "-183.8k", "-179.5ki", "-2d 3h 4m 5s", "-1.838e+07%"))
        table.append((0.5, "500m", "0.5", "500ms", "50%"))
        table.append((.infinity, "+Inf", "+Inf", "+Inf", "+Inf%"))
        table.append((.nan, "NaN", "NaN", "NaN", "NaN%"))
        for (x, h, h1024, hd, hp) in table {
            #expect(PrometheusFunctions.humanize(x) == h, "humanize \(x)")
            #expect(PrometheusFunctions.humanize1024(x) == h1024, "humanize1024 \(x)")
            #expect(PrometheusFunctions.humanizeDuration(x) == hd, "humanizeDuration \(x)")
            #expect(PrometheusFunctions.g4(x * 100) + "%" == hp, "humanizePercentage \(x)")
        }
    }

    @Test func upstreamTemplateTestCases() throws {
        #expect(try run("{{ humanizeDuration .1 }}:{{ humanizeDuration .0001 }}:{{ humanizeDuration .12345 }}:{{ humanizeDuration 60.1 }}:{{ humanizeDuration 1.2345 }}:{{ humanizeDuration 12.345 }}")
                == "100ms:100us:123.5ms:1m 0s:1.234s:12.35s")
        #expect(try run("{{ humanizePercentage 1.23456 }}|{{ humanizeTimestamp 1435065584.128 }}|{{ 1234567890 | humanizeTimestamp }}")
                == "123.5%|2015-06-23 13:19:44.128 +0000 UTC|2009-02-13 23:31:30 +0000 UTC")
        #expect(try run(#"{{ "aa bb CC" | title }}|{{ "aa bb CC" | toUpper }}|{{ "aa bb CC" | toLower }}|{{ match "a+" "aa" }}|{{ reReplaceAll "(a)b" "x$1" "ab" }}"#)
                == "Aa Bb CC|AA BB CC|aa bb cc|true|xa")
        #expect(try run(#"{{ "[2001:0DB8::1]:1234" | stripPort }}|{{ "my.domain.com:1234" | stripDomain }}|{{ "127.0.0.1:1234" | stripDomain }}"#)
                == "2001:0DB8::1|my:1234|127.0.0.1:1234")
        #expect(try run(#"{{ graphLink "up == 0" }}|{{ tableLink "up" }}|{{ parseDuration "1h30m" }}|{{ args 1 "x" }}"#)
                == "/graph?g0.expr=up+%3D%3D+0&g0.tab=0|/graph?g0.expr=up&g0.tab=1|5400|map[arg0:1 arg1:x]")
    }

    @Test func queriesGoThroughTheCallersFunction() throws {
        #expect(try run(#"{{ range query "test_metric" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }} {{ end }}"#)
                == "a:1=1.5 b:1=3 c:1=2 ")
        #expect(try run(#"{{ with query "test_metric" }}{{ . | first | label "job" }}/{{ . | first | value | humanize }}{{ end }}"#) == "api/3")
        #expect(try run(#"{{ query "scalar(vector(5))" | first | value }}"#) == "5")
        do {
            _ = try run(#"{{ query "nonexistent" | first }}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasSuffix("error calling first: first() called on vector with no elements"))
        }
        do {
            _ = try run(#"{{ query "up" }}"#, functions: .prometheus())
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasSuffix("error calling query: no query engine available"))
        }
    }

    @Test func externalURLAndPathPrefix() throws {
        let f = FunctionRegistry.prometheus(externalURL: "https://prom.example.com:9090/sub/path")
        #expect(try run("{{ externalURL }}|{{ pathPrefix }}", functions: f) == "https://prom.example.com:9090/sub/path|/sub/path")
        #expect(throws: TemplateError.self) { try run("{{ pathPrefix }}", functions: .prometheus()) }
    }

    @Test func expandLikeAnAlertingRule() throws {
        let data = PrometheusTemplateData(
            labels: ["instance": "db1:9100", "job": "node"], externalLabels: ["cluster": "eu1"],
            externalURL: "http://prom:9090", value: 0.9731)
        let f = FunctionRegistry.prometheus(query: Fixtures.query, externalURL: "http://prom:9090")
        #expect(try data.expand("{{ $labels.instance }} at {{ $value | humanizePercentage }} in {{ $externalLabels.cluster }} ({{ $labels.nope }})",
                                ruleName: "DiskFull", functions: f) == "db1:9100 at 97.31% in eu1 ()")
        do {
            _ = try data.expand("{{ $value | nope }}", ruleName: "DiskFull", functions: f)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == #"error parsing template __alert_DiskFull: template: __alert_DiskFull:1: function "nope" not defined"#)
            #expect(error.kind == .parse)
        }
        do {
            _ = try data.expand("{{ eq $value 1 }}", ruleName: "DiskFull", functions: f)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == #"error executing template __alert_DiskFull: template: __alert_DiskFull:1:115: executing "__alert_DiskFull" at <eq $value 1>: error calling eq: incompatible types for comparison"#)
            #expect(error.line == 1 && error.column == 115)
        }
    }

    @Test func regexHelpers() throws {
        #expect(try TemplateRegex.compile(#"^(\w+)-(\d+)$"#).replaceAll("web-01", with: "$2:$1") == "01:web")
        #expect(try TemplateRegex.compile("a|").replaceAll("baab", with: "-") == "-b--b-")
        #expect(try TemplateRegex.compile("[]a]").matches("]"))
        #expect(throws: (any Error).self) { try TemplateRegex.compile("(") }
    }
}
