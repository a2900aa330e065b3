import Testing
@testable import Template

/// Arbitrary input must give a result or an error, never a crash or a hang.
@Suite struct RobustnessTests {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomTokenSoupNeverCrashes() {
        var pieces = ["{{", "}}", "{{-", "-}}", " ", ".", ".Alerts", ".Status", "$", "$x", ":=", "=", "|", "(", ")", "\"s\"", "`r`"]
        pieces += ["'c'", "1", "1.5", "-2", "0x1F", "if", "else", "end", "range", "with", "define", "template", "block", "break"]
        pieces += ["continue", "nil", "true", "printf", "\"%v %d %s\"", "len", "index", "slice", "eq", "lt", "and", "or", "not"]
        pieces += ["print", "html", "js", "urlquery", "call", "title", "join", "/*", "*/", "\n", "x", ",", ".CommonLabels"]
        pieces += [".SortedPairs", ".Names", "toUpper", "reReplaceAll", "match", "\"a*\"", "{{ end }}", "{{ else }}", "é", "\u{0}"]
        let set = TemplateSet(functions: .alertmanager)
        let data = Fixtures.alertmanagerData.templateValue
        var rng = SplitMix(state: 42)
        var rendered = 0
        for _ in 0..<5000 {
            var t = ""
            for _ in 0..<Int.random(in: 1...14, using: &rng) { t += pieces.randomElement(using: &rng)! }
            if (try? set.executeText(t, data: data)) != nil { rendered += 1 }
        }
        #expect(rendered > 500)
    }

    @Test func arbitraryBytesNeverCrash() {
        var rng = SplitMix(state: 7)
        let set = TemplateSet(functions: .prometheus())
        for _ in 0..<2000 {
            var bytes: [UInt8] = Array("{{ ".utf8)
            for _ in 0..<Int.random(in: 0...24, using: &rng) { bytes.append(UInt8.random(in: 0...255, using: &rng)) }
            _ = try? set.executeText(String(decoding: bytes, as: UTF8.self), data: .null)
        }
    }
}
