import Testing
@testable import TSDB

@Suite struct LabelsTests {
    @Test func sortsAndDropsEmptyValues() throws {
        let l = try Labels([("b", "2"), ("__name__", "up"), ("a", "1"), ("empty", "")])
        #expect(l.map(\.name) == ["__name__", "a", "b"])
        #expect(l["a"] == "1")
        #expect(l["empty"] == nil)
        #expect(l.name == "up")
        #expect(l.description == #"up{a="1", b="2"}"#)
    }

    @Test func rejectsInvalidAndDuplicateNames() {
        #expect(throws: LabelError.invalidName("1abc")) { try Labels([("1abc", "x")]) }
        #expect(throws: LabelError.invalidName("a-b")) { try Labels([("a-b", "x")]) }
        #expect(throws: LabelError.invalidName("")) { try Labels([("", "x")]) }
        #expect(throws: LabelError.duplicateName("a")) { try Labels([("a", "x"), ("a", "y")]) }
        #expect(Labels.isValidMetricName("job:http_requests:rate5m"))
        #expect(!Labels.isValidMetricName("9lives"))
    }

    @Test func descriptionEscapesLikeGo() throws {
        let l = try Labels([("a", "x\"y\\z\n")])
        #expect(l.description == #"{a="x\"y\\z\n"}"#)
    }

    @Test func orderingIsByteWise() throws {
        // U+00E9 (é, 0xC3 0xA9) sorts after "z" byte-wise, as in Go.
        #expect("z".utf8Precedes("é"))
        let a = try Labels([("a", "z")]), b = try Labels([("a", "é")])
        #expect(a.lexicographicallyPrecedes(b))
    }
}

@Suite struct GoQuoteTests {
    @Test func quotingIsGoStrconvQuote() {
        // Go 1.19: strconv.Quote of BEL, U+0085, é, 😀, DEL, U+FFFD, U+2028.
        let input = "\u{07}\u{85}\u{E9}\u{1F600}\u{7F}\u{FFFD}\u{2028}"
        let expected = "\"\\a\\u0085\u{E9}\u{1F600}\\x7f\u{FFFD}\\u2028\""
        #expect(Labels.quote(input) == expected)
        #expect(GoQuote.quoteRune("'") == "'\\''")
        #expect(GoQuote.quote("a\"b\\c\n\t") == "\"a\\\"b\\\\c\\n\\t\"")
    }
}
