import Testing
@testable import TSDB

/// Matcher semantics on a small index, checked against a brute-force evaluation of the
/// same matchers over the same label sets.
@Suite struct MatcherTests {
    static let series: [Labels] = [
        ls(["__name__": "http_requests_total", "status": "200", "method": "GET", "path": "/"]),
        ls(["__name__": "http_requests_total", "status": "404", "method": "GET", "path": "/x"]),
        ls(["__name__": "http_requests_total", "status": "500", "method": "POST", "path": "/api"]),
        ls(["__name__": "http_requests_total", "status": "503", "method": "POST"]),
        ls(["__name__": "http_requests_total", "status": "429", "method": "PUT", "env": ""]),
        ls(["__name__": "up", "job": "node", "instance": "a:9100"]),
        ls(["__name__": "up", "job": "nginx", "instance": "b:9113", "env": "prod"]),
        ls(["__name__": "api_latency", "env": "dev", "method": "GET"]),
    ]

    func selected(_ db: TSDB, _ ms: [Matcher]) throws -> Set<String> {
        Set(try db.querier(mint: .min, maxt: .max).select(ms).map(\.labels.description))
    }

    func expected(_ ms: [Matcher]) -> Set<String> {
        Set(Self.series.filter { ms.matches($0) }.map(\.description))
    }

    @Test func everyMatcherKindAgreesWithBruteForce() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        try db.append(Self.series.map { ($0, 1000, 1) })
        var cases: [[Matcher]] = []
        cases.append([Matcher.equal("__name__", "http_requests_total")])
        cases.append(try [Matcher.equal("__name__", "http_requests_total"), Matcher(.notEqual, "status", "200")])
        cases.append(try [Matcher.equal("__name__", "http_requests_total"), Matcher(.regexMatch, "status", "5..")])
        cases.append(try [Matcher.equal("__name__", "http_requests_total"), Matcher(.regexMatch, "status", "4..")])
        cases.append(try [Matcher.equal("__name__", "http_requests_total"), Matcher(.regexNoMatch, "status", "5..")])
        cases.append(try [Matcher(.regexMatch, "method", "GET|POST")])
        cases.append(try [Matcher(.regexMatch, "__name__", "http_.*")])
        cases.append(try [Matcher(.regexMatch, "__name__", "api_.*|up")])
        // Empty-value semantics: these also select series without the label.
        cases.append([Matcher.equal("__name__", "http_requests_total"), Matcher.equal("path", "")])
        cases.append(try [Matcher.equal("__name__", "up"), Matcher(.regexMatch, "env", "prod|")])
        cases.append(try [Matcher.equal("__name__", "up"), Matcher(.regexMatch, "env", ".*")])
        cases.append(try [Matcher(.notEqual, "env", "prod")])
        cases.append(try [Matcher(.regexNoMatch, "env", ".+")])
        cases.append(try [Matcher(.regexNoMatch, "env", "")])
        cases.append(try [Matcher(.notEqual, "path", "")])
        cases.append(try [Matcher(.regexMatch, "path", ".+")])
        // Anchoring: a partial match is no match.
        cases.append(try [Matcher(.regexMatch, "__name__", "http")])
        cases.append(try [Matcher(.regexMatch, "status", "0")])
        // A label no series has.
        cases.append([Matcher.equal("nosuch", "x")])
        cases.append([Matcher.equal("nosuch", "")])
        cases.append(try [Matcher(.notEqual, "nosuch", "x")])
        for ms in cases {
            #expect(try selected(db, ms) == expected(ms), "\(ms)")
        }
        // A few results spelled out, so the brute force itself is checked.
        #expect(try selected(db, [Matcher.equal("__name__", "http_requests_total"), Matcher.equal("path", "")]).count == 2)
        #expect(try selected(db, [Matcher.equal("__name__", "up"), Matcher(.regexMatch, "env", "prod|")]).count == 2)
        #expect(try selected(db, [Matcher(.regexMatch, "status", "5..")]).count == 2)
        #expect(try selected(db, [Matcher(.regexMatch, "__name__", "http")]).isEmpty)
        #expect(try selected(db, [Matcher(.regexNoMatch, "env", ".+")]).count == 6)
    }

    @Test func labelNamesAndValues() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let db = try openDB(dir)
        try db.append(Self.series.map { ($0, 1000, 1) })
        let q = db.querier(mint: .min, maxt: .max)
        #expect(q.labelNames() == ["__name__", "env", "instance", "job", "method", "path", "status"])
        #expect(q.labelValues("status") == ["200", "404", "429", "500", "503"])
        #expect(q.labelValues("method", [Matcher.equal("__name__", "api_latency")]) == ["GET"])
        #expect(q.labelNames([Matcher.equal("__name__", "up")]) == ["__name__", "env", "instance", "job"])
        #expect(q.series([Matcher.equal("job", "node")]) == [Self.series[5]])
    }
}
