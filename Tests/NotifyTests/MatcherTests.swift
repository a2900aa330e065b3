import Testing
@testable import Notify

@Suite struct MatcherTests {
    @Test func parsesListsAndQuotes() throws {
        let ms = try MatcherParser.parseMatchers(#"{foo="bar", baz=~"a.*",qux!="x,y"}"#)
        #expect(ms.map(\.description) == [#"foo="bar""#, #"baz=~"a.*""#, #"qux!="x,y""#])
        let unquoted = try MatcherParser.parseMatchers("severity=critical")
        #expect(unquoted.first?.value == "critical")
        #expect(try MatcherParser.parseMatcher(#"a = " spaced " "#).value == " spaced ")
        #expect(try MatcherParser.parseMatcher(#"a="x\"y\\z\n""#).value == "x\"y\\z\n")
        #expect(try MatcherParser.parseMatcher(#"a="x\qy""#).value == #"x\qy"#)
    }

    @Test func errorsWordedAsAlertmanager() {
        #expect(throws: MatcherError(message: "bad matcher format: 1a=b")) { try MatcherParser.parseMatcher("1a=b") }
        #expect(throws: MatcherError(message: #"matcher value contains unescaped double quote: "b"#)) {
            try MatcherParser.parseMatcher(#"a="b"#)
        }
        #expect(throws: MatcherError(message: "error parsing regexp: missing closing ): `^(?:()$`")) {
            try MatcherParser.parseMatcher("a=~(")
        }
    }

    @Test func matchingIsAnchoredAndMissingIsEmpty() throws {
        let re = try Matcher(.regexp, "job", "api|web")
        #expect(re.matches(labels: ["job": "api"]))
        #expect(!re.matches(labels: ["job": "api2"]))
        let ne = try Matcher(.notEqual, "team", "x")
        #expect(ne.matches(labels: [:]))
        let nre = try Matcher(.notRegexp, "team", ".+")
        #expect(nre.matches(labels: [:]))
    }

    @Test func fingerprintIsPrometheus() {
        // model.LabelSet{"alertname": "Test"}.Fingerprint(), as Alertmanager prints it.
        #expect(Fingerprint(labels: [:]).description == "cbf29ce484222325")
        let fp = Fingerprint(labels: ["alertname": "HighLatency", "instance": "a"])
        #expect(fp.description.count == 16)
    }
}
