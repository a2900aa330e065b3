import Foundation
import Testing

@testable import RE2

// MARK: - Match table

/// (pattern, input, expected) — each row is checked through PromRegex and, separately, through
/// the Pike VM and the DFA, so every engine is held to every row.
private let matchTable: [(String, String, Bool)] = [
    // Literals and full anchoring.
    ("foo", "foo", true), ("foo", "xfoo", false), ("foo", "foox", false), ("foo", "", false),
    ("a|b", "a", true), ("a|b", "b", true), ("a|b", "ab", false), ("a|b", "", false),
    ("ab|cd", "abd", false), ("ab|cd", "cd", true),
    ("", "", true), ("", "a", false),
    ("a|", "", true), ("a|", "a", true), ("|a", "", true), ("a|", "b", false),
    // Dot and newline.
    (".", "é", true), (".", "\n", false), ("..", "é", false), ("(?s).", "\n", true),
    (".*", "", true), (".*", "abc", true), (".*", "a\nb", false), ("(?s).*", "a\nb", true),
    (".+", "", false), (".+", "x", true), ("a.b", "a\nb", false), ("(?s)a.b", "a\nb", true),
    ("(?s:.)", "\n", true), ("(?s:.).", "\n\n", false),
    // Scalars, not graphemes, and no canonical equivalence.
    ("é", "e\u{301}", false), ("e\u{301}", "e\u{301}", true), ("e.", "e\u{301}", true), ("é", "é", true),
    ("😀+", "😀😀", true), ("..", "😀😀", true), ("...", "😀😀", false),
    // ^ and $.
    ("^$", "", true), ("^$", "a", false), ("^foo$", "foo", true), ("^foo", "foo", true), ("foo$", "foo", true),
    ("a^b", "ab", false), ("a$b", "ab", false), ("^*a", "a", true), ("(^a|b$)", "b", true),
    ("a\n^b", "a\nb", false), ("(?m)a\n^b", "a\nb", true), ("a$\n", "a\n", false), ("(?m)a$\n", "a\n", true),
    ("(?m)^b", "b", true), ("(?m)a$", "a", true), ("(?m)^a$\n^b$", "a\nb", true),
    ("\\Afoo\\z", "foo", true), ("a\\Ab", "ab", false), ("a\\zb", "ab", false),
    // Word boundaries (ASCII word characters).
    ("a\\b", "a", true), ("\\ba", "a", true), ("a\\bb", "ab", false), ("a\\Bb", "ab", true),
    ("a\\b b", "a b", true), ("a\\B b", "a b", false), ("foo\\b.*", "foo bar", true), ("foo\\b.*", "foobar", false),
    ("\\bfoo\\b", "foo", true), ("é\\b", "é", false), ("\\B", "", true), ("\\b", "", false),
    // Character classes.
    ("[abc]", "b", true), ("[abc]", "d", false), ("[^a-z]", "A", true), ("[^a-z]", "q", false),
    ("[a-]", "-", true), ("[-a]", "-", true), ("[]a]", "]", true), ("[]a]", "a", true), ("[^]a]", "b", true),
    ("[^]a]", "]", false), ("[a-c-e]", "-", true), ("[a-c-e]", "d", false), ("[\\-]", "-", true),
    ("[\\x41-\\x43]", "B", true), ("[\\x41-\\x43]", "D", false), ("[^a]", "\n", true), ("[\\]]", "]", true),
    ("[.]", ".", true), ("[.]", "a", false), ("[*+?]+", "*+?", true), ("[\\n]", "\n", true),
    ("[é-ë]", "ê", true), ("[é-ë]", "e", false), ("[^é]", "é", false), ("[^é]", "e", true),
    ("[[:alpha:]]+", "abcXYZ", true), ("[[:alpha:]]", "1", false), ("[[:^alpha:]]", "1", true),
    ("[[:digit:][:upper:]]+", "A1B2", true), ("[[:space:]]", "\u{0B}", true), ("[[:word:]]+", "a_1", true),
    ("[[:xdigit:]]+", "09afAF", true), ("[[:xdigit:]]", "g", false), ("[[:punct:]]", "!", true),
    ("[[a]", "[", true), ("[[:a]", ":", true),
    // Perl classes.
    ("\\d+", "0123", true), ("\\d", "a", false), ("\\d", "٣", false), ("\\D", "a", true), ("\\s", "\t", true),
    ("\\s", "\u{0B}", false), ("\\S", "x", true), ("\\S", " ", false), ("\\w+", "a_Z9", true), ("\\W", "-", true),
    ("\\w", "é", false), ("[\\d\\s]+", "1 2", true), ("[\\D]", "1", false), ("[^\\d]", "x", true),
    // Unicode classes.
    ("\\pL+", "héllo", true), ("\\pL", "1", false), ("\\p{L}", "ж", true), ("\\p{Lu}", "É", true),
    ("\\p{Lu}", "é", false), ("\\p{Ll}", "é", true), ("\\pN", "٣", true), ("\\p{N}", "x", false),
    ("\\p{Nd}+", "42٣", true), ("\\PL", "1", true), ("\\PL", "a", false), ("\\p{^L}", "1", true),
    ("\\P{^L}", "a", true), ("\\p{Greek}+", "αβγ", true), ("\\p{Greek}", "a", false), ("[\\p{Lu}\\d]+", "A1", true),
    ("\\p{Han}+", "中文", true), ("\\p{Cyrillic}", "ж", true), ("\\p{Latin}+", "aé", true), ("\\p{Any}", "\n", true),
    ("\\pZ", " ", true), ("\\p{Sc}", "€", true), ("\\p{P}", "!", true), ("\\pM", "\u{301}", true),
    ("(?i)\\p{Lu}", "a", true), ("\\p{Letter}", "x", true), ("\\p{greek}", "λ", true), ("\\p{Uppercase_Letter}", "a", false),
    ("\\p{ASCII}+", "az~", true), ("\\p{ASCII}", "é", false), ("\\p{Assigned}", "a", true), ("\\p{Assigned}", "\u{378}", false),
    ("\\p{Cn}", "\u{378}", true), ("\\p{LC}", "a", true), ("\\p{LC}", "ª", false), ("\\p{Cs}", "a", false),
    // Escapes.
    ("\\.", ".", true), ("\\.", "a", false), ("a\\\\b", "a\\b", true), ("\\n", "\n", true), ("\\t", "\t", true),
    ("\\r\\f\\v\\a", "\r\u{0C}\u{0B}\u{07}", true), ("\\x41", "A", true), ("\\x{263a}", "☺", true),
    ("\\x{1F600}", "😀", true), ("\\101", "A", true), ("\\0", "\u{0}", true), ("\\12", "\n", true),
    ("\\Qa.b\\E", "a.b", true), ("\\Qa.b\\E", "axb", false), ("\\Qa.b", "a.b", true), ("\\Qa+\\E+", "a++", true),
    ("\\_", "_", true), ("\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$", "*+?()[]{}|^$", true), ("\\x{D800}", "a", false),
    // Groups.
    ("(ab)+", "abab", true), ("(ab)+", "aba", false), ("(?:ab)*", "", true), ("(?P<x>a)b", "ab", true),
    ("(?<x>a)b", "ab", true), ("()", "", true), ("(|a)+", "aa", true), ("((a)|b)+", "abab", true),
    ("(?)a", "a", true),
    // Flags.
    ("(?i)foo", "FoO", true), ("(?i)foo", "fo", false), ("(?i:a)b", "Ab", true), ("(?i:a)b", "AB", false),
    ("a(?i)b", "aB", true), ("a(?i)b", "AB", false), ("a(?i)b|c", "C", true), ("(a(?i)b)c", "aBC", false),
    ("(?i)a(?-i)b", "Ab", true), ("(?i)a(?-i)b", "AB", false), ("(?i-s:a.)", "A\n", false), ("(?is)a.", "A\n", true),
    ("(?i)k", "\u{212A}", true), ("(?i)\u{212A}", "k", true), ("(?i)s", "ſ", true), ("(?i)é", "É", true),
    ("(?i)σ", "ς", true), ("(?i)Σ", "σ", true), ("(?i)straße", "STRASSE", false), ("(?i)i", "ı", false),
    ("(?i)[a-c]+", "AbC", true), ("(?i)[^a]", "A", false), ("(?i)[^a]", "b", true), ("(?i)ǆ", "ǅ", true),
    ("(?i)[k]", "\u{212A}", true), ("(?i)\\w", "\u{212A}", true), ("(?i)\\W", "\u{212A}", false), ("(?i)1", "1", true),
    // Alternation and repetition.
    ("abc|abd", "abd", true), ("a(b|c)d", "acd", true), ("a(b|c)d", "ad", false), ("(a|b)*c", "ababc", true),
    ("a*", "", true), ("a*", "aaa", true), ("a*", "aab", false), ("a+", "", false), ("a?", "", true), ("a?", "aa", false),
    ("a{3}", "aaa", true), ("a{3}", "aa", false), ("a{2,}", "aaaa", true), ("a{2,}", "a", false),
    ("a{2,3}", "aaaa", false), ("a{2,3}", "aa", true), ("a{0}", "", true), ("a{0}b", "b", true), ("a{0,0}", "a", false),
    ("a{,3}", "a{,3}", true), ("a{,3}", "aaa", false), ("a{", "a{", true), ("a{1", "a{1", true), ("a{1,2", "a{1,2", true),
    ("{", "{", true), ("a{01}", "a{01}", true), ("}", "}", true),
    ("a*?", "aa", true), ("a+?", "aa", true), ("a??", "a", true), ("a{1,2}?", "aa", true), ("(ab){2}", "abab", true),
    ("(ab){2}", "ab", false), ("x*y+z?", "yy", true), ("(a|b){3,5}", "abab", true), ("(a|b){3,5}", "ab", false),
    ("[0-9]{4}", "2024", true), ("[0-9]{4}", "202", false), ("(?:a{2}){2}", "aaaa", true), ("(a*)+", "", true),
    ("(a*)*", "aaa", true), ("(a|)*b", "aab", true), ("(?:(?:a*)*)*b", "aab", true),
    // Prometheus-style patterns.
    ("api_.*", "api_", true), ("api_.*", "api_v1", true), ("api_.*", "ap", false), ("api_.*", "api_\nx", false),
    (".*_total", "http_requests_total", true), (".*_total", "_totals", false), (".*foo.*", "xfoox", true),
    (".*foo.*", "fo", false), (".*foo.*bar.*", "afoobbarc", true), (".*foo.*bar.*", "barfoo", false),
    (".+foo.+", "afoob", true), (".+foo.+", "foob", false), (".+foo.+", "afoo", false), ("foo.+bar", "foobar", false),
    ("foo.*bar", "foobar", true), ("a.*a", "a", false), ("a.*a", "aa", true), ("4..", "404", true), ("4..", "4040", false),
    ("4..", "504", false), ("4..", "4é😀", true), ("[45]..", "503", true), ("[0-9]+", "", false), ("[0-9]+", "123", true),
    ("[0-9]+", "12a", false), ("[a-z]{2,3}", "abc", true), ("[a-z]{2,3}", "abcd", false), ("foo[0-9]+", "foo42", true),
    ("foo[0-9]+", "foo", false), ("job-[0-9]+-x", "job-1-x", true), ("(?i)get|post", "POST", true),
    ("(?i)get|post", "PUT", false), ("prod|staging", "prod", true), ("prod|staging", "production", false),
    ("(foo|bar)_.*", "bar_baz", true), ("(foo|bar)_.*", "baz_bar", false), (".*", "😀\u{301}", true),
    ("localhost:9[0-9]{3}", "localhost:9090", true), ("localhost:9[0-9]{3}", "localhost:909", false),
]

@Test func matchTableThroughPromRegex() throws {
    for (pattern, input, expected) in matchTable {
        let re = try PromRegex(pattern)
        #expect(re.matches(input) == expected, "\(pattern) on \(input.debugDescription) [\(re.engine)]")
        #expect((re.match(input) != nil) == expected, "match(): \(pattern) on \(input.debugDescription)")
        #expect(re.matches(Substring(input)) == expected, "Substring: \(pattern)")
    }
}

@Test func matchTableThroughEveryEngine() throws {
    for (pattern, input, expected) in matchTable {
        var parser = RegexParser(pattern)
        let ast = try parser.parse()
        let prog = try RegexProgram.compile(ast, captureCount: parser.captureCount, pattern: pattern)
        let bytes = Array(input.utf8)
        let pike = bytes.withUnsafeBufferPointer {
            RegexPikeVM.run(prog, $0, slots: UnsafeMutableBufferPointer(start: nil, count: 0))
        }
        #expect(pike == expected, "Pike: \(pattern) on \(input.debugDescription)")
        let dfa = try #require(RegexDFA.build(prog), "DFA budget: \(pattern)")
        #expect(bytes.withUnsafeBufferPointer { dfa.matches($0) } == expected, "DFA: \(pattern) on \(input.debugDescription)")
    }
}

// MARK: - Errors

private let errorTable: [(String, String, Int)] = [
    ("(a", "missing closing ): `(a`", 0),
    ("x((a)", "missing closing ): `x((a)`", 1),
    ("a)", "unexpected ): `a)`", 1),
    ("(a))", "unexpected ): `(a))`", 3),
    ("[a", "missing closing ]: `[a`", 0),
    ("[]", "missing closing ]: `[]`", 0),
    ("[[:alpha:]", "missing closing ]: `[[:alpha:]`", 0),
    ("x[a-", "missing closing ]: `[a-`", 1),
    ("[z-a]", "invalid character class range: `z-a`", 1),
    ("a**", "invalid nested repetition operator: `**`", 1),
    ("a*+", "invalid nested repetition operator: `*+`", 1),
    ("a++", "invalid nested repetition operator: `++`", 1),
    ("a*??", "invalid nested repetition operator: `*??`", 1),
    ("x{2}{3}", "invalid nested repetition operator: `{2}{3}`", 1),
    ("*", "missing argument to repetition operator: `*`", 0),
    ("*?", "missing argument to repetition operator: `*?`", 0),
    ("(*)", "missing argument to repetition operator: `*`", 1),
    ("a|*", "missing argument to repetition operator: `*`", 2),
    ("{2}", "missing argument to repetition operator: `{2}`", 0),
    ("\\1", "invalid escape sequence: `\\1`", 0),
    ("(a)\\1", "invalid escape sequence: `\\1`", 3),
    ("\\8", "invalid escape sequence: `\\8`", 0),
    ("\\C", "invalid escape sequence: `\\C`", 0),
    ("\\Z", "invalid escape sequence: `\\Z`", 0),
    ("\\q", "invalid escape sequence: `\\q`", 0),
    ("\\é", "invalid escape sequence: `\\é`", 0),
    ("\\x{110000}", "invalid escape sequence: `\\x{110000`", 0),
    ("\\x{}", "invalid escape sequence: `\\x{}`", 0),
    ("\\xZ1", "invalid escape sequence: `\\xZ1`", 0),
    ("[\\b]", "invalid escape sequence: `\\b`", 1),
    ("\\", "trailing backslash at end of expression: ``", 0),
    ("(?=a)", "invalid or unsupported Perl syntax: `(?=`", 0),
    ("(?!a)", "invalid or unsupported Perl syntax: `(?!`", 0),
    ("(?<=a)b", "invalid or unsupported Perl syntax: `(?<=`", 0),
    ("(?<!a)b", "invalid or unsupported Perl syntax: `(?<!`", 0),
    ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`", 0),
    ("(?z)", "invalid or unsupported Perl syntax: `(?z`", 0),
    ("(?i", "invalid or unsupported Perl syntax: `(?i`", 0),
    ("(?-)", "invalid or unsupported Perl syntax: `(?-)`", 0),
    ("(?i--s)", "invalid or unsupported Perl syntax: `(?i--`", 0),
    ("(?P<>a)", "invalid named capture: `(?P<>`", 0),
    ("(?P<a-b>x)", "invalid named capture: `(?P<a-b>`", 0),
    ("(?P<name", "invalid named capture: `(?P<name`", 0),
    ("a{1001}", "invalid repeat count: `{1001}`", 1),
    ("a{2,1}", "invalid repeat count: `{2,1}`", 1),
    ("a{1000000000}", "invalid repeat count: `{1000000000}`", 1),
    ("(a{500}){3}", "invalid repeat count: `{3}`", 8),
    ("((a{10}){10}){11}", "invalid repeat count: `{11}`", 13),
    ("[[:foo:]]", "invalid character class range: `[:foo:]`", 1),
    ("\\p{Foo}", "invalid character class range: `\\p{Foo}`", 0),
    ("\\pX", "invalid character class range: `\\pX`", 0),
    ("\\p{L", "invalid character class range: `\\p{L`", 0),
    ("\\p{Arabic}", "unsupported Unicode class: `\\p{Arabic}`", 0),
    ("é(", "missing closing ): `é(`", 2),
]

@Test func errorsLikeGo() {
    for (pattern, message, offset) in errorTable {
        do {
            _ = try PromRegex(pattern)
            Issue.record("\(pattern) should not compile")
        } catch {
            #expect(error.message == "error parsing regexp: " + message, "\(pattern)")
            #expect(error.offset == offset, "offset for \(pattern)")
            #expect(error.description == error.message)
        }
    }
}

@Test func repetitionAndNestingLimits() throws {
    #expect(throws: Never.self) { try PromRegex("a{1000}") }
    #expect(throws: Never.self) { try PromRegex("(a{10}){100}") }
    #expect(throws: Never.self) { try PromRegex("(a{2}){0}") }
    let deep = String(repeating: "(", count: 500) + "a" + String(repeating: ")", count: 500)
    #expect(try PromRegex(deep).matches("a"))
    let deepest = String(repeating: "(?:", count: 1000) + "a*" + String(repeating: ")", count: 1000)
    #expect(try PromRegex(deepest).match("aa")?[0] == "aa")
    let deepCaptures = String(repeating: "(", count: 1000) + "a|b" + String(repeating: ")*", count: 1000)
    let groups = try PromRegex(deepCaptures).match("ab")
    #expect(groups?.count == 1001)
    #expect(groups?[1000] == "b")
    let tooDeep = String(repeating: "(", count: 1001) + "a" + String(repeating: ")", count: 1001)
    #expect(throws: RegexError.self) { try PromRegex(tooDeep) }
    // Each a{1000} is fine on its own; a thousand of them exceed the program size limit.
    let huge = String(repeating: "a{1000}", count: 1001)
    #expect { try PromRegex(huge) } throws: { ($0 as? RegexError)?.message.hasPrefix("error parsing regexp: expression too large") == true }
    let thousand = try PromRegex("[0-9]{1000}")
    #expect(thousand.matches(String(repeating: "7", count: 1000)))
    #expect(!thousand.matches(String(repeating: "7", count: 999)))
}

// MARK: - Captures

@Test func capturesFollowLeftmostFirst() throws {
    let cases: [(String, String, [String?]?)] = [
        ("(a|ab)(c|bcd)", "abcd", ["abcd", "a", "bcd"]),
        ("(a*)(a*)", "aa", ["aa", "aa", ""]),
        ("(a*?)(a*)", "aa", ["aa", "", "aa"]),
        ("(?U)(a+)(a*)", "aaa", ["aaa", "a", "aa"]),
        ("(?U)(a+?)(a*)", "aaa", ["aaa", "aaa", ""]),
        ("(a)|(b)", "b", ["b", nil, "b"]),
        ("(a)?b", "b", ["b", nil]),
        ("(a){0}b", "b", ["b", nil]),
        ("(a)*", "aaa", ["aaa", "a"]),
        ("(a|b)*", "ab", ["ab", "b"]),
        ("(ab|a)(bc|c)?", "abc", ["abc", "ab", "c"]),
        ("(.*)-(.*)", "a-b-c", ["a-b-c", "a-b", "c"]),
        ("(.*?)-(.*)", "a-b-c", ["a-b-c", "a", "b-c"]),
        ("(.*):.*", "host:9090", ["host:9090", "host"]),
        ("(é+)(.)", "éé☺", ["éé☺", "éé", "☺"]),
        ("(a*)*", "", ["", ""]),
        ("(a*)+", "", ["", ""]),
        ("(a*)*", "b", nil),
        ("((a)|b)+", "ab", ["ab", "b", "a"]),
        ("(a)(?:b)(c)", "abc", ["abc", "a", "c"]),
        ("x(\\d+)?y", "xy", ["xy", nil]),
        ("(a(b)?)+", "aba", ["aba", "a", "b"]),
        ("(?i)(FOO)bar", "fooBAR", ["fooBAR", "foo"]),
        ("(foo)", "bar", nil),
        ("foo", "foo", ["foo"]),
        ("(\\w+)\\b(.*)", "ab cd", ["ab cd", "ab", " cd"]),
        ("(e)(\\x{301})", "e\u{301}", ["e\u{301}", "e", "\u{301}"]),
    ]
    for (pattern, input, expected) in cases {
        let got = try PromRegex(pattern).match(input)
        if let expected {
            let strings = got?.map { $0.map(String.init) }
            #expect(strings == expected, "\(pattern) on \(input.debugDescription)")
        } else {
            #expect(got == nil, "\(pattern) on \(input.debugDescription)")
        }
    }
}

@Test func namedGroups() throws {
    let re = try PromRegex("(?P<service>[a-z]+)-(\\d+)-(?<zone>[a-z]+)")
    #expect(re.groupNames == ["service": 1, "zone": 3])
    #expect(re.captureCount == 3)
    let m = try #require(re.match("api-42-east"))
    #expect(m.count == 4)
    #expect(m[re.groupNames["service"]!] == "api")
    #expect(m[2] == "42")
    #expect(m[re.groupNames["zone"]!] == "east")
    // Go allows duplicate names; the leftmost group wins, as in SubexpIndex.
    let dup = try PromRegex("(?P<x>a)(?P<x>b)")
    #expect(dup.groupNames == ["x": 1])
    #expect(try PromRegex("(a)(b)").groupNames.isEmpty)
}

// MARK: - Analysis properties

@Test func literalAlternatives() throws {
    #expect(try PromRegex("a|b|c").literalAlternatives == ["a", "b", "c"])
    #expect(try PromRegex("foo").literalAlternatives == ["foo"])
    #expect(try PromRegex("(?:x|y)z").literalAlternatives == ["xz", "yz"])
    #expect(try PromRegex("^(a|b)$").literalAlternatives == ["a", "b"])
    #expect(try PromRegex("[ab]c").literalAlternatives == ["ac", "bc"])
    #expect(try PromRegex("a|").literalAlternatives == ["a", ""])
    #expect(try PromRegex("a|a|b").literalAlternatives == ["a", "b"])
    #expect(try PromRegex("ab?").literalAlternatives == ["a", "ab"])
    #expect(try PromRegex("\\.").literalAlternatives == ["."])
    #expect(Set(try PromRegex("(?i)ab").literalAlternatives ?? []) == ["ab", "aB", "Ab", "AB"])
    #expect(try PromRegex("a.*").literalAlternatives == nil)
    #expect(try PromRegex("a+").literalAlternatives == nil)
    #expect(try PromRegex("\\d\\d\\d").literalAlternatives == nil)  // 1000 strings: too many
    #expect(try PromRegex("a\\bb").literalAlternatives == nil)
    let many = (0..<300).map { "value\($0)" }.joined(separator: "|")
    let big = try PromRegex(many)
    #expect(big.literalAlternatives == nil)
    #expect(big.engine == "literalSet")
    #expect(big.matches("value299") && big.matches("value0") && !big.matches("value300") && !big.matches("value"))
}

@Test func requiredPrefix() throws {
    let cases: [(String, String)] = [
        ("api_.*", "api_"), ("foo", "foo"), ("(foo|foobar)x", "foo"), ("a+b", "a"), (".*", ""),
        ("(?i)abc", ""), ("^abc", "abc"), ("ab{2}c", "abbc"), ("ab{2,}c", "abb"), ("(?:abc)?", ""),
        ("(?:ab)+c", "ab"), ("x(y|z)", "x"), ("(?P<g>api)_v[0-9]", "api_v"), ("\\Qa.b\\E.*", "a.b"),
        ("é[0-9]", "é"), ("", ""), ("a|b", ""), ("prefix_(a|b)", "prefix_"), ("(?:x|x)y", "xy"),
    ]
    for (pattern, prefix) in cases {
        #expect(try PromRegex(pattern).requiredPrefix == prefix, "\(pattern)")
    }
}

@Test func matchesEmpty() throws {
    let cases: [(String, Bool)] = [
        (".*", true), ("a|", true), ("^$", true), ("a*", true), ("", true), ("(a|b)?", true), ("\\b", false),
        ("a", false), (".+", false), ("a|b", false), ("(?:)", true), ("\\B", true), ("x*y?", true), ("[^a]*", true),
    ]
    for (pattern, expected) in cases {
        #expect(try PromRegex(pattern).matchesEmpty == expected, "\(pattern)")
    }
}

@Test func fastPathSelection() throws {
    let cases: [(String, String)] = [
        ("foo", "literal"), ("^foo$", "literal"), ("a|b|c", "literalSet"), ("(?i)get", "literalSet"),
        ("api_.*", "affix"), (".*_total", "affix"), ("[0-9]+", "affix"), (".+", "affix"), (".*", "affix"),
        ("foo[0-9]+bar", "affix"), ("\\d{2,4}", "affix"), (".*foo.*", "glob"), ("a.*b.*c", "glob"),
        ("4..", "affix"), ("4.\\d", "fixed"), ("[a-z]\\d[a-z]", "fixed"), (".\\d.", "fixed"),
        ("(a|b)*c", "affix"), ("(ab)*c", "dfa"), ("(?i)foo.*", "dfa"), ("a\\bb", "dfa"), ("(foo|bar)_.*", "dfa"),
        ("(a|b)*a(a|b){12}", "pike"),  // subset construction would need ~8k states
    ]
    for (pattern, engine) in cases {
        #expect(try PromRegex(pattern).engine == engine, "\(pattern)")
    }
    #expect(try PromRegex("x|y").description == "x|y")
}

// MARK: - Robustness

@Test func pathologicalPatternsStayLinear() throws {
    let thirtyA = String(repeating: "a", count: 30)
    let clock = ContinuousClock()
    let elapsed = try clock.measure {
        for pattern in ["(a*)*b", "(a|aa)*c", "(a+)+b", "(a|a)*b", "(x+x+)+y", "(a*)*(b|c)*d", "(?:a?){30}a{30}b"] {
            let re = try PromRegex(pattern)
            #expect(!re.matches(thirtyA), "\(pattern)")
            #expect(re.match(thirtyA) == nil, "\(pattern)")
            #expect(re.matches(thirtyA + "b") == (pattern.hasSuffix("b") && !pattern.contains("x")), "\(pattern)")
        }
        // The classic backtracking killer, on the Pike VM with captures.
        let evil = try PromRegex("(a?){30}a{30}")
        let m = evil.match(thirtyA)
        #expect(m?[0]?.count == 30)
        // Long input through DFA and Pike VM.
        let long = String(repeating: "ab", count: 50_000) + "c"
        let re = try PromRegex("(a|b)*c")
        #expect(re.matches(long))
        #expect(re.match(long)?[1] == "b")
    }
    #expect(elapsed < .seconds(5), "took \(elapsed)")
}

@Test func invalidUTF8BytesDoNotCrash() throws {
    let re = try PromRegex("a.b")
    let cases: [([UInt8], Bool)] = [
        ([0x61, 0xFF, 0x62], true), ([0x61, 0xE2, 0x82], false), ([0x61, 0xC3], false), ([0x61, 0xED, 0xA0, 0x80, 0x62], false),
    ]
    for (bytes, expected) in cases {
        #expect(bytes.withUnsafeBufferPointer { re.matches(utf8: $0) } == expected, "\(bytes)")
    }
    for pattern in ["4..", "[^a]+", ".*", "\\pL", "a\\b.", "(?i)é"] {
        let r = try PromRegex(pattern)
        for bytes: [UInt8] in [[0xF0], [0xE2, 0x82], [0x34, 0xC3, 0x34], [0xC3, 0xA9, 0x80]] {
            _ = bytes.withUnsafeBufferPointer { r.matches(utf8: $0) }
        }
    }
}

@Test func concurrentUseOfOneRegex() async throws {
    let re = try PromRegex("(?P<a>[a-z]+)_(\\d+)")
    let ok = await withTaskGroup(of: Bool.self) { group in
        for t in 0..<8 {
            group.addTask {
                for i in 0..<2_000 {
                    let s = "job_\(t * 10_000 + i)"
                    guard re.matches(s), re.match(s)?[2].map(String.init) == String(t * 10_000 + i) else { return false }
                    if re.matches("JOB_\(i)") { return false }
                }
                return true
            }
        }
        return await group.allSatisfy { $0 }
    }
    #expect(ok)
}

// MARK: - Differential test against NSRegularExpression

/// Deterministic PRNG so a failure can be reproduced from the printed seed.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random patterns in the subset where RE2 and ICU agree: literals, simple classes, `.`,
/// `* + ?` (greedy and lazy), counted repeats, alternation and groups.
private struct PatternGenerator {
    var rng: SplitMix64
    /// Set when a repetition is applied to something that can match empty, where ICU and RE2
    /// legitimately differ; such patterns are skipped.
    var repeatsNullable = false

    mutating func pattern(depth: Int) -> String {
        switch Int.random(in: 0..<(depth > 0 ? 10 : 4), using: &rng) {
        case 0, 1: return atom(depth: depth)
        case 2: return ["a", "b", "c", "é"].randomElement(using: &rng)!
        case 3: return [".", "[ab]", "[^a]", "[a-c]", "[bcé]", "[^bc]"].randomElement(using: &rng)!
        case 4, 5: return pattern(depth: depth - 1) + pattern(depth: depth - 1)
        case 6: return pattern(depth: depth - 1) + "|" + pattern(depth: depth - 1)
        default: return repeated(atom(depth: depth - 1))
        }
    }

    mutating func atom(depth: Int) -> String {
        if depth <= 0 || Bool.random(using: &rng) {
            return ["a", "b", "c", ".", "[ab]", "[^a]"].randomElement(using: &rng)!
        }
        let x = pattern(depth: depth - 1)
        return Bool.random(using: &rng) ? "(\(x))" : "(?:\(x))"
    }

    mutating func repeated(_ a: String) -> String {
        let op = ["*", "+", "?", "*?", "+?", "??", "{2}", "{1,3}", "{0,2}", "{2,}", "{1,2}?"].randomElement(using: &rng)!
        var parser = RegexParser(a)
        if (try? parser.parse())?.nullable ?? true { repeatsNullable = true }
        return a + op
    }
}

@Test func differentialAgainstNSRegularExpression() throws {
    let seed: UInt64 = 0x5EED_2024
    var gen = PatternGenerator(rng: SplitMix64(state: seed))
    var inputRng = SplitMix64(state: seed ^ 0xABCDEF)
    var checked = 0, capturesChecked = 0
    var failures: [String] = []
    var patterns = 0
    while patterns < 1_500 {
        gen.repeatsNullable = false
        let pattern = gen.pattern(depth: 4)
        // ICU mishandles loops over possibly-empty bodies (`(?:.??)+?` fails on "b"), and PCRE
        // engines report different empty iterations; that is outside the common subset.
        if gen.repeatsNullable { continue }
        patterns += 1
        let ours = try PromRegex(pattern)
        let icu = try NSRegularExpression(pattern: "^(?:" + pattern + ")\\z")
        for _ in 0..<10 {
            let length = Int.random(in: 0...7, using: &inputRng)
            let input = String((0..<length).map { _ in ["a", "b", "c", "é"].randomElement(using: &inputRng)! as Character })
            let ns = input as NSString
            let result = icu.firstMatch(in: input, range: NSRange(location: 0, length: ns.length))
            let got = ours.match(input)
            checked += 1
            if ours.matches(input) != (result != nil) || (got != nil) != (result != nil) {
                failures.append("\(pattern) on \(input.debugDescription): ours \(ours.matches(input)) icu \(result != nil)")
                continue
            }
            guard let result, let got else { continue }
            capturesChecked += 1
            for g in 0..<result.numberOfRanges {
                let r = result.range(at: g)
                let expected: String? = r.location == NSNotFound ? nil : ns.substring(with: r)
                if got[g].map(String.init) != expected {
                    failures.append("\(pattern) on \(input.debugDescription): group \(g) ours \(String(describing: got[g])) icu \(String(describing: expected))")
                    break
                }
            }
        }
    }
    #expect(failures.isEmpty, "seed \(seed): \(failures.count) disagreements, first: \(failures.prefix(10))")
    #expect(checked == 15_000)
    #expect(capturesChecked > 1_000)
}

/// Every engine must agree with every other on random patterns, including assertion-heavy ones
/// NSRegularExpression cannot check for us.
@Test func enginesAgreeOnRandomPatterns() throws {
    var rng = SplitMix64(state: 42)
    let assertionAtoms = ["a", "b", ".", "[ab]", "\\b", "\\B", "^", "$", "(?m:^)", "(?m:$)", "\\n", "(?i)A", "é", "\\w", "\\pL"]
    // Shapes that land on the fast paths (literals, sets, affixes, globs, fixed sequences).
    let shapeAtoms = ["ab", "a", "é", ".*", ".+", "(?s:.*)", "[ab]+", "[^a]*", "\\d{1,2}", "[ab]", ".", "(?:a|b)", "b?", "\\n"]
    var compared = 0
    var engines = Set<String>()
    for round in 0..<1_000 {
        let atoms = round % 2 == 0 ? assertionAtoms : shapeAtoms
        var pattern = ""
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            var piece = atoms.randomElement(using: &rng)!
            if round % 2 == 0 && Int.random(in: 0..<3, using: &rng) == 0 {
                piece = "(?:" + piece + "|" + atoms.randomElement(using: &rng)! + ")"
            }
            if Int.random(in: 0..<(round % 2 == 0 ? 3 : 8), using: &rng) == 0 {
                piece = "(?:" + piece + ")" + ["*", "+", "?"].randomElement(using: &rng)!
            }
            pattern += piece
        }
        let re = try PromRegex(pattern)
        engines.insert(re.engine)
        var parser = RegexParser(pattern)
        let prog = try RegexProgram.compile(try parser.parse(), captureCount: parser.captureCount, pattern: pattern)
        let dfa = RegexDFA.build(prog)
        for _ in 0..<12 {
            let input = String((0..<Int.random(in: 0...6, using: &rng)).map { _ in
                ["a", "b", " ", "\n", "é", "A", "1"].randomElement(using: &rng)! as Character
            })
            let bytes = Array(input.utf8)
            let pike = bytes.withUnsafeBufferPointer {
                RegexPikeVM.run(prog, $0, slots: UnsafeMutableBufferPointer(start: nil, count: 0))
            }
            #expect(re.matches(input) == pike, "\(pattern) on \(input.debugDescription) [\(re.engine)]")
            if let dfa {
                #expect(bytes.withUnsafeBufferPointer { dfa.matches($0) } == pike, "DFA \(pattern) on \(input.debugDescription)")
            }
            compared += 1
        }
    }
    #expect(compared == 12_000)
    #expect(engines == ["literal", "literalSet", "affix", "glob", "fixed", "dfa"], "\(engines)")
}

@Test func dotMatchesNewlineOption() throws {
    let re = try PromRegex(".*", dotMatchesNewline: true)
    #expect(re.matches("a\nb"))
    #expect(try PromRegex("foo.+", dotMatchesNewline: true).matches("foo\n"))
    #expect(try !PromRegex("(?-s:.)", dotMatchesNewline: true).matches("\n"))
    #expect(try !PromRegex(".*").matches("a\nb"))
}
