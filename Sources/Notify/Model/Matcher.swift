import RE2

/// One label matcher of Alertmanager 0.25 (`pkg/labels`): `name op value`.
public struct Matcher: Sendable, Hashable, CustomStringConvertible {
    public enum MatchType: Int, Sendable, Hashable, CustomStringConvertible {
        case equal = 0, notEqual, regexp, notRegexp
        public var description: String {
            switch self {
            case .equal: "="
            case .notEqual: "!="
            case .regexp: "=~"
            case .notRegexp: "!~"
            }
        }
    }

    public let type: MatchType
    public let name: String
    public let value: String
    private let regex: PromRegex?

    /// Builds a matcher; a regex that does not compile is an error worded as Go words it.
    public init(_ type: MatchType, _ name: String, _ value: String) throws(MatcherError) {
        self.type = type
        self.name = name
        self.value = value
        if type == .regexp || type == .notRegexp {
            do {
                // Alertmanager anchors as `^(?:v)$`; keeping the same text keeps Go's error text.
                regex = try PromRegex("^(?:" + value + ")$")
            } catch {
                throw MatcherError(message: error.message)
            }
        } else {
            regex = nil
        }
    }

    public func matches(_ v: String) -> Bool {
        switch type {
        case .equal: v == value
        case .notEqual: v != value
        case .regexp: regex!.matches(v)
        case .notRegexp: !regex!.matches(v)
        }
    }

    /// Whether the label set satisfies this matcher (a missing label is the empty value).
    public func matches(labels: [String: String]) -> Bool { matches(labels[name] ?? "") }

    /// `name="value"` with OpenMetrics escaping, as Alertmanager prints it (route keys, API).
    public var description: String { name + type.description + "\"" + Matcher.escape(value) + "\"" }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    public static func == (a: Matcher, b: Matcher) -> Bool { a.type == b.type && a.name == b.name && a.value == b.value }
    public func hash(into h: inout Hasher) { h.combine(type); h.combine(name); h.combine(value) }

    /// labels.Matchers' order: by name, then value, then type.
    public static func sortedOrder(_ a: Matcher, _ b: Matcher) -> Bool {
        if a.name != b.name { return GoString.less(a.name, b.name) }
        if a.value != b.value { return GoString.less(a.value, b.value) }
        return a.type.rawValue < b.type.rawValue
    }
}

public struct MatcherError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Byte-wise string comparison, as Go compares strings.
enum GoString {
    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}

extension Array where Element == Matcher {
    /// True when every matcher matches.
    public func matches(_ labels: [String: String]) -> Bool { allSatisfy { $0.matches(labels: labels) } }

    /// `{a="b",c=~"d"}`, as route keys print matchers.
    public var matchersString: String { "{" + map(\.description).joined(separator: ",") + "}" }
}
