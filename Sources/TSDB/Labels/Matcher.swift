import RE2
/// A label matcher as in PromQL selectors: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
///
/// Semantics follow Prometheus: regexes are fully anchored, and a series without the label
/// behaves as if it had the label with the empty value, so a matcher that matches "" also
/// selects series that lack the label.
public struct Matcher: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let kind: Kind
    public let name: String
    public let value: String
    /// Compiled once for regex kinds; nil for equality kinds.
    public let regex: PromRegex?

    public init(_ kind: Kind, _ name: String, _ value: String) throws(RegexError) {
        self.kind = kind
        self.name = name
        self.value = value
        switch kind {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch: regex = try PromRegex(value)
        }
    }

    public static func equal(_ name: String, _ value: String) -> Matcher {
        // Equality matchers cannot fail to build.
        try! Matcher(.equal, name, value)
    }

    /// Whether a label value satisfies the matcher ("" stands for an absent label).
    @inlinable
    public func matches(_ s: String) -> Bool {
        switch kind {
        case .equal: return s == value
        case .notEqual: return s != value
        case .regexMatch: return regex!.matches(s)
        case .regexNoMatch: return !regex!.matches(s)
        }
    }

    /// True when the matcher selects series that do not have the label at all.
    public var matchesEmpty: Bool { matches("") }

    /// The matcher with the opposite result for every value.
    public var inverse: Matcher {
        switch kind {
        case .equal: return Matcher(uncheckedKind: .notEqual, name: name, value: value, regex: nil)
        case .notEqual: return Matcher(uncheckedKind: .equal, name: name, value: value, regex: nil)
        case .regexMatch: return Matcher(uncheckedKind: .regexNoMatch, name: name, value: value, regex: regex)
        case .regexNoMatch: return Matcher(uncheckedKind: .regexMatch, name: name, value: value, regex: regex)
        }
    }

    private init(uncheckedKind: Kind, name: String, value: String, regex: PromRegex?) {
        self.kind = uncheckedKind
        self.name = name
        self.value = value
        self.regex = regex
    }

    public var description: String { "\(name)\(kind.rawValue)\(Labels.quote(value))" }

    public static func == (a: Matcher, b: Matcher) -> Bool {
        a.kind == b.kind && a.name == b.name && a.value == b.value
    }

    public func hash(into h: inout Hasher) {
        h.combine(kind)
        h.combine(name)
        h.combine(value)
    }
}

extension Array where Element == Matcher {
    /// Whether a full label set satisfies every matcher.
    public func matches(_ labels: Labels) -> Bool {
        allSatisfy { $0.matches(labels[$0.name] ?? "") }
    }
}
