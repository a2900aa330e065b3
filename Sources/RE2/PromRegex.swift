/// Why a pattern was rejected. Messages are worded like Go's regexp/syntax errors because that
/// is what Prometheus reports for the same pattern, and users compare the two.
public struct RegexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// E.g. "error parsing regexp: missing closing ): `(a`".
    public let message: String
    /// Byte offset into the pattern where the problem was found.
    public let offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}

/// A compiled RE2-syntax regular expression, matched fully anchored as Prometheus does.
///
/// Label matchers run a regex against every value of a label in the index, so this is built for
/// many cheap matches of one pattern: all analysis happens once in `init` (common shapes such as
/// literals, alternations of literals, `prefix.*` or `[0-9]+` get dedicated byte-level matchers;
/// everything else an eagerly built DFA), so a match is a short allocation-free byte scan.
/// Nothing ever backtracks: patterns whose DFA would be too big, and submatch extraction for
/// `label_replace`, run on a Pike VM, which is linear in the input too.
///
/// Instances are immutable and can be shared across threads freely.
public final class PromRegex: Sendable, CustomStringConvertible {
    public let pattern: String
    /// Named groups (`(?P<name>…)`, `(?<name>…)`) → group index; with duplicate names the
    /// leftmost group wins, as in Go's `SubexpIndex`.
    public let groupNames: [String: Int]
    /// Number of capturing groups, not counting the whole match.
    public let captureCount: Int
    /// The finite set of strings the pattern matches (at most 256, in pattern order), letting
    /// the index look values up instead of scanning them.
    public let literalAlternatives: [String]?
    /// A literal every match starts with ("" if none), for range-scanning sorted values.
    public let requiredPrefix: String
    /// Whether "" matches — decides whether a matcher also selects series lacking the label.
    public let matchesEmpty: Bool

    private let matcher: RegexMatcher
    private let program: RegexProgram

    /// Upper bound on the plain literal alternation (`a|b|…`) turned into a hash set.
    static let maxLiteralSet = 100_000

    /// Compiles `pattern` with RE2's defaults (`.` does not match a newline unless `(?s)`).
    public convenience init(_ pattern: String) throws(RegexError) {
        try self.init(pattern, dotMatchesNewline: false)
    }

    /// Compiles `pattern`; `dotMatchesNewline` starts it in `(?s)` mode, which is how
    /// Prometheus 3 evaluates label matchers (`.*` then also matches values containing "\n").
    public init(_ pattern: String, dotMatchesNewline: Bool) throws(RegexError) {
        var parser = RegexParser(pattern, dotMatchesNewline: dotMatchesNewline)
        let ast = try parser.parse()
        let program = try RegexProgram.compile(ast, captureCount: parser.captureCount, pattern: pattern)
        let stripped = RegexAnalysis.stripEdgeAnchors(ast)

        let small = RegexAnalysis.literalStrings(stripped, limit: 256)
        let literals = small ?? RegexAnalysis.literalStrings(stripped, limit: Self.maxLiteralSet, maxSetSize: 1)
        let fast = RegexFastPath.make(stripped, literals: literals)
        let dfa = fast == nil ? RegexDFA.build(program) : nil
        let matcher = RegexMatcher(fast: fast, dfa: dfa, program: program)

        self.pattern = pattern
        self.groupNames = parser.groupNames
        self.captureCount = parser.captureCount
        self.literalAlternatives = small.map { $0.map(PromRegex.string) }
        self.requiredPrefix = PromRegex.string(RegexAnalysis.requiredPrefix(stripped).prefix)
        self.program = program
        self.matcher = matcher
        self.matchesEmpty = [UInt8]().withUnsafeBufferPointer { matcher.matches($0) }
    }

    public var description: String { pattern }

    /// Which engine `matches` uses; for tests and diagnostics.
    var engine: String {
        switch matcher.fast {
        case .literal?: return "literal"
        case .literalSet?: return "literalSet"
        case .affix?: return "affix"
        case .glob?: return "glob"
        case .fixed?: return "fixed"
        case nil: return matcher.dfa != nil ? "dfa" : "pike"
        }
    }

    /// True when the whole of `s` matches (anchored at both ends).
    public func matches(_ s: String) -> Bool {
        if let r = s.utf8.withContiguousStorageIfAvailable({ matcher.matches($0) }) { return r }
        var copy = s
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { matcher.matches($0) } ?? false
    }

    /// True when the whole of `s` matches (anchored at both ends).
    public func matches(_ s: Substring) -> Bool {
        if let r = s.utf8.withContiguousStorageIfAvailable({ matcher.matches($0) }) { return r }
        return matches(String(s))
    }

    /// True when the whole of `utf8` matches. Invalid UTF-8 is read as U+FFFD per bad byte.
    public func matches(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        matcher.matches(utf8)
    }

    /// Fully anchored match with capture groups: nil when no match; otherwise element 0 is the
    /// whole match, element i the i-th capturing group (nil when the group did not participate).
    public func match(_ s: String) -> [Substring?]? {
        var str = s
        if str.utf8.withContiguousStorageIfAvailable({ _ in true }) == nil { str.makeContiguousUTF8() }
        let slots: [Int]? = str.utf8.withContiguousStorageIfAvailable { p -> [Int]? in
            guard matcher.matches(p) else { return nil }
            if captureCount == 0 { return [0, p.count] }
            var slots = [Int](repeating: -1, count: program.slotCount)
            let ok = slots.withUnsafeMutableBufferPointer { RegexPikeVM.run(program, p, slots: $0) }
            return ok ? slots : nil
        } ?? nil
        guard let slots else { return nil }
        let u = str.utf8
        var out: [Substring?] = []
        out.reserveCapacity(slots.count / 2)
        for g in 0..<(slots.count / 2) {
            let a = slots[2 * g], b = slots[2 * g + 1]
            if a < 0 || b < 0 {
                out.append(nil)
            } else {
                out.append(str[u.index(u.startIndex, offsetBy: a)..<u.index(u.startIndex, offsetBy: b)])
            }
        }
        return out
    }

    private static func string(_ scalars: [UInt32]) -> String {
        var v = String.UnicodeScalarView()
        for c in scalars { if let u = Unicode.Scalar(c) { v.append(u) } }
        return String(v)
    }
}

/// The engines chosen for one pattern, tried in order of speed.
struct RegexMatcher: Sendable {
    let fast: RegexFastPath?
    let dfa: RegexDFA?
    let program: RegexProgram

    @inline(__always)
    func matches(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if let f = fast { return f.matches(p) }
        if let d = dfa { return d.matches(p) }
        return RegexPikeVM.run(program, p, slots: UnsafeMutableBufferPointer(start: nil, count: 0))
    }
}
