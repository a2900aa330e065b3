import Foundation
import Testing
import TSDB
@testable import Ingest

func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return Array(try Data(contentsOf: url))
}

func parse(_ text: String, _ format: ExpositionFormat = .prometheusText) throws -> [ExposedSample] {
    try ExpositionParser.samples(Array(text.utf8), format: format)
}

@Suite struct ExpositionParserTests {
    @Test func nodeExporterPage() throws {
        let s = try ExpositionParser.samples(try fixture("node_exporter.prom"), format: .prometheusText)
        #expect(s.count == 36)
        let fs = s.first { $0.labels["mountpoint"] == "/mnt/data \"archive\"" }
        #expect(fs?.value == 1.073741824e12)
        let uname = s.first { $0.labels.name == "node_uname_info" }
        #expect(uname?.labels["version"] == "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)")
        #expect(s.first { $0.labels.name == "node_time_seconds" }?.value == 1.7000000001234567e9)
        #expect(s.first { $0.labels.name == "go_gc_duration_seconds" }?.labels["quantile"] == "0")
        #expect(s.allSatisfy { $0.timestamp == nil })
    }

    @Test func nginxLogExporterHistogramAndSummary() throws {
        let s = try ExpositionParser.samples(try fixture("nginxlog_exporter.prom"), format: .prometheusText)
        #expect(s.count == 20)
        let inf = s.first { $0.labels["le"] == "+Inf" }
        #expect(inf?.labels.name == "nginx_http_upstream_time_seconds_hist_bucket")
        #expect(inf?.value == 48211)
        #expect(s.first { $0.labels.name == "nginx_http_response_time_seconds_sum" }?.value == 245.7649999999)
    }

    @Test func springActuatorTrailingCommasNaNAndInf() throws {
        let s = try ExpositionParser.samples(try fixture("spring_actuator.prom"), format: .prometheusText)
        #expect(s.count == 16)
        let uri = s.first { $0.labels.name == "http_server_requests_seconds_count" }
        #expect(uri?.labels["uri"] == "/api/orders/{id}")
        #expect(uri?.value == 1523)
        #expect(s.first { $0.labels.name == "system_cpu_usage" }?.value.isNaN == true)
        #expect(s.first { $0.labels.name == "tomcat_sessions_active_max_sessions" }?.value == -.infinity)
        #expect(s.first { $0.labels["id"] == "G1 Eden Space" }?.value == 2.5165824e7)
    }

    @Test func openMetricsExemplarsTimestampsAndEOF() throws {
        let s = try ExpositionParser.samples(try fixture("openmetrics.txt"), format: .openMetrics)
        #expect(s.count == 12)
        let bucket = s.first { $0.labels["le"] == "0.1" }
        #expect(bucket?.value == 8)
        #expect(bucket?.timestamp == nil)
        let info = s.first { $0.labels.name == "build_info" }
        #expect(info?.labels["revision"] == "abc \"quoted\" \\ back")
        #expect(info?.timestamp == 1_605_281_325_500)
        #expect(s.first { $0.labels.name == "foo_created" }?.value == 1_520_430_000.123)
    }

    @Test func textTimestampsEscapesAndWhitespace() throws {
        let s = try parse("a{b=\"x\\ny\",c=\"\\\\\"} 1.5 1700000000123\n\n  \t\nd 2\ne{} -3e-2   \n")
        #expect(s.count == 3)
        #expect(s[0].labels["b"] == "x\ny")
        #expect(s[0].labels["c"] == "\\")
        #expect(s[0].timestamp == 1_700_000_000_123)
        #expect(s[2].value == -0.03)
        #expect(s[2].labels.count == 1)
    }

    @Test func valuesParseLikeGo() throws {
        let cases: [(String, Double)] = [("0.1", 0.1), ("1e3", 1000), ("+Inf", .infinity), ("-Inf", -.infinity),
                                         ("123456789012345678901", 1.2345678901234568e20), ("1.", 1), (".5", 0.5),
                                         ("0x10", 16), ("2.2250738585072014e-308", 2.2250738585072014e-308)]
        for (text, v) in cases {
            let s = try parse("m \(text)\n")
            #expect(s.first?.value == v, "\(text)")
        }
        #expect(try parse("m NaN\n").first?.value.isNaN == true)
    }

    @Test(arguments: [
        ("m{a=\"1\"\n", "line 1: unterminated label set in metric m"),
        ("m{a=\"1} 2\n", "line 1: unterminated value of label a"),
        ("ok 1\nm{a=1} 2\n", "line 2: expected '\"' to start the value of label a"),
        ("m 1\nm abc\n", "line 2: invalid value \"abc\" for metric m"),
        ("m\n", "line 1: expected value after metric m"),
        ("m 1 12x\n", "line 1: invalid timestamp \"12x\""),
        ("m 1 2 3\n", "line 1: unexpected \"3\" after timestamp"),
        ("# TYPE m gauge\n# TYPE m bogus\n", "line 2: invalid metric type \"bogus\""),
        ("m{a=\"1\",a=\"2\"} 1\n", "line 1: duplicate label name a"),
        ("m{a=\"\\q\"} 1\n", "line 1: invalid escape sequence '\\q' in label value"),
        ("9m 1\n", "line 1: invalid metric name at \"9m 1\""),
        ("m{1a=\"x\"} 1\n", "line 1: invalid label name in metric m"),
    ])
    func malformedTextGivesLineAndReason(input: String, message: String) {
        #expect(throws: ExpositionError.self) { try parse(input) }
        do { _ = try parse(input) } catch { #expect("\(error)" == message) }
    }

    @Test func invalidUTF8LabelValueIsAnError() throws {
        let page: [UInt8] = Array("m{a=\"".utf8) + [0xFF, 0xFE] + Array("\"} 1\n".utf8)
        #expect(throws: ExpositionError(line: 1, message: "invalid UTF-8 label value for label a")) {
            try ExpositionParser.samples(page, format: .prometheusText)
        }
        #expect(try parse("m{a=\"\u{FFFD}ok\"} 1\n").first?.labels["a"] == "\u{FFFD}ok")
    }

    @Test func malformedOpenMetrics() {
        #expect(throws: ExpositionError.self) { try parse("m 1\n", .openMetrics) }  // no # EOF
        #expect(throws: ExpositionError.self) { try parse("m 1\n# EOF\nm 2\n", .openMetrics) }
        #expect(throws: ExpositionError.self) { try parse("m 1 # {a=\"b\" 1\n# EOF\n", .openMetrics) }
        #expect(throws: ExpositionError.self) { try parse("# TYPE m untyped\nm 1\n# EOF\n", .openMetrics) }
    }

    @Test func contentNegotiation() {
        #expect(ExpositionFormat.from(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat.from(contentType: "text/plain; version=0.0.4") == .prometheusText)
        #expect(ExpositionFormat.from(contentType: nil) == .prometheusText)
    }
}

/// The fixtures were scraped by a real Prometheus 2.42 (served over HTTP with the matching
/// Content-Type) and queried back; `prometheus_stored.json` is what it stored (job and
/// instance removed). The parser must produce the same label sets and values.
@Suite struct ParserAgainstPrometheusTests {
    @Test(arguments: ["node_exporter.prom", "nginxlog_exporter.prom", "spring_actuator.prom", "openmetrics.txt"])
    func sameSeriesAndValuesAsPrometheus(file: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/prometheus_stored.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: [[String: Any]]])
        let stored = try #require(json[file])
        var want: [String: String] = [:]
        for row in stored {
            let labels = try #require(row["labels"] as? [String: String])
            let pairs = labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }
            want[Labels(sortedUnchecked: pairs).description] = row["value"] as? String
        }
        let format: ExpositionFormat = file.hasSuffix(".txt") ? .openMetrics : .prometheusText
        // Prometheus rejects samples whose own timestamp is far in the past (out of bounds).
        let got = try ExpositionParser.samples(try fixture(file), format: format).filter { $0.timestamp == nil }
        #expect(got.count == want.count)
        for s in got {
            guard let v = want[s.labels.description] else {
                Issue.record("Prometheus did not store \(s.labels)")
                continue
            }
            let expected = v == "NaN" ? Double.nan : v == "+Inf" ? .infinity : v == "-Inf" ? -.infinity : Double(v)
            #expect(expected?.bitPattern == s.value.bitPattern || (s.value.isNaN && v == "NaN"), "\(s.labels): \(v) vs \(s.value)")
        }
    }
}
