import Yams

/// Reads Yams nodes the way go-yaml v2 decodes into Alertmanager's structs.
///
/// go-yaml collects type errors (unknown fields, a map where a string belongs) for the whole
/// document and reports them together; an error returned by a type's own validation stops
/// decoding at once. `typeErrors` is that collection; `fatal` builds the other kind. A struct
/// whose own fields had type errors skips its validation, as in Go.
struct YAMLReader {
    let file: String
    /// Placeholders standing for repeated keys (see `DuplicateKeys`).
    var repeatedKeys: [String: String] = [:]
    private(set) var typeErrors: [(line: Int, column: Int, message: String)] = []

    init(file: String) { self.file = file }

    var typeErrorCount: Int { typeErrors.count }

    func fatal(_ message: String, at node: Node?) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line, column: node?.mark?.column, message: message)
    }

    mutating func typeError(_ node: Node, _ message: String) {
        typeErrors.append((node.mark?.line ?? 0, node.mark?.column ?? 0, "line \(node.mark?.line ?? 0): " + message))
    }

    /// The collected type errors as Alertmanager prints them, with the first one's position.
    func collectedError() -> ConfigError? {
        guard let first = typeErrors.first else { return nil }
        let text = "yaml: unmarshal errors:\n" + typeErrors.map { "  " + $0.message }.joined(separator: "\n")
        return ConfigError(file: file, line: first.line, column: first.column, message: text)
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let s) = node { return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) }
        return false
    }

    /// go-yaml's short tag and value for a type error (`!!str \`abc\``, `!!map`).
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .alias: return "!!alias"
        case .scalar(let s):
            var v = s.string
            if v.count > 10 { v = String(v.prefix(7)) + "..." }
            let tag: String
            if s.style != .plain { tag = "!!str" }
            else if node.bool != nil { tag = "!!bool" }
            else if node.int != nil { tag = "!!int" }
            else if node.float != nil { tag = "!!float" }
            else { tag = "!!str" }
            return "\(tag) `\(v)`"
        }
    }

    /// Walks a mapping in document order; `field` returns false for a key the type lacks.
    /// Returns true when no new type error was found inside (so validation should run).
    mutating func fields(
        _ node: Node, type: String = "config.plain",
        _ field: (inout YAMLReader, String, Node) throws(ConfigError) -> Bool
    ) throws(ConfigError) -> Bool {
        let before = typeErrorCount
        if YAMLReader.isNull(node) { return true }
        guard case .mapping(let m) = node else {
            typeError(node, "cannot unmarshal \(YAMLReader.describe(node)) into \(type)")
            return false
        }
        for (k, v) in m {
            let key = k.string ?? ""
            if let original = repeatedKeys[key] {
                typeError(k, "field \(original) already set in type \(type)")
                continue
            }
            if try !field(&self, key, v) {
                typeError(k, "field \(key) not found in type \(type)")
            }
        }
        return typeErrorCount == before
    }

    mutating func string(_ node: Node) -> String {
        if YAMLReader.isNull(node) { return "" }
        guard case .scalar(let s) = node else {
            typeError(node, "cannot unmarshal \(YAMLReader.describe(node)) into string")
            return ""
        }
        return s.string
    }

    mutating func bool(_ node: Node) -> Bool {
        if YAMLReader.isNull(node) { return false }
        if case .scalar(let s) = node, s.style == .plain, let b = YAMLReader.goBool(s.string) { return b }
        typeError(node, "cannot unmarshal \(YAMLReader.describe(node)) into bool")
        return false
    }

    /// YAML 1.1 booleans as go-yaml v2 resolves them.
    static func goBool(_ s: String) -> Bool? {
        switch s {
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": true
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": false
        default: nil
        }
    }

    mutating func uint64(_ node: Node) -> UInt64 {
        if YAMLReader.isNull(node) { return 0 }
        if case .scalar(let s) = node, s.style == .plain, let v = UInt64(s.string) { return v }
        typeError(node, "cannot unmarshal \(YAMLReader.describe(node)) into uint64")
        return 0
    }

    mutating func stringList(_ node: Node) -> [String] {
        if YAMLReader.isNull(node) { return [] }
        guard case .sequence(let seq) = node else {
            typeError(node, "cannot unmarshal \(YAMLReader.describe(node)) into []string")
            return []
        }
        return seq.map { string($0) }
    }

    /// A `map[string]string`, in document order (a repeated key keeps the last value).
    mutating func stringMap(_ node: Node) -> [(String, String)] {
        if YAMLReader.isNull(node) { return [] }
        guard case .mapping(let m) = node else {
            typeError(node, "cannot unmarshal \(YAMLReader.describe(node)) into map[string]string")
            return []
        }
        var out: [(String, String)] = []
        for (k, v) in m {
            var key = string(k)
            if let original = repeatedKeys[key] {
                typeError(k, "key \(GoQuote.quote(original)) already set in map")
                key = original
            }
            let value = string(v)
            if let i = out.firstIndex(where: { $0.0 == key }) { out[i].1 = value } else { out.append((key, value)) }
        }
        return out
    }

    /// model.Duration: a string, then Prometheus's duration grammar.
    mutating func duration(_ node: Node) throws(ConfigError) -> ModelDuration? {
        if YAMLReader.isNull(node) { return nil }
        let before = typeErrorCount
        let s = string(node)
        if typeErrorCount > before { return nil }
        guard let d = ModelDuration.parse(s) else {
            throw fatal("not a valid duration string: \(GoQuote.quote(s))", at: node)
        }
        return d
    }

    /// config.URL / SecretURL: http or https with a host.
    mutating func url(_ node: Node) throws(ConfigError) -> String? {
        if YAMLReader.isNull(node) { return nil }
        let before = typeErrorCount
        let s = string(node)
        if typeErrorCount > before { return nil }
        if let problem = YAMLReader.urlProblem(s) { throw fatal(problem, at: node) }
        return s
    }

    /// Alertmanager's parseURL checks.
    static func urlProblem(_ s: String) -> String? {
        var scheme = ""
        if let colon = s.firstIndex(of: ":") {
            let candidate = s[..<colon]
            if let f = candidate.first, f.isLetter,
               candidate.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
            {
                scheme = candidate.lowercased()
            }
        }
        if scheme != "http" && scheme != "https" { return "unsupported scheme \(GoQuote.quote(scheme)) for URL" }
        let rest = s.dropFirst(scheme.count + 1)
        guard rest.hasPrefix("//") else { return "missing host for URL" }
        let authority = rest.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map(String.init) ?? ""
        if host.isEmpty { return "missing host for URL" }
        return nil
    }

    /// A Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    static func isLabelName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, (f >= "a" && f <= "z") || (f >= "A" && f <= "Z") || f == "_" else { return false }
        return s.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || $0 == "_" || ($0 >= "0" && $0 <= "9") }
    }

    /// A list of matcher strings, each parsed with the 0.25 syntax, then sorted.
    mutating func matchers(_ node: Node) throws(ConfigError) -> [Matcher] {
        var out: [Matcher] = []
        for line in stringList(node) {
            do { out += try MatcherParser.parseMatchers(line) } catch { throw fatal(error.message, at: node) }
        }
        return out.sorted(by: Matcher.sortedOrder)
    }

    /// `match_re`-style map of regexps, validated as Alertmanager validates them.
    mutating func regexMap(_ node: Node) throws(ConfigError) -> [(String, String)] {
        let m = stringMap(node)
        for (k, v) in m {
            do { _ = try Matcher(.regexp, k, v) } catch { throw fatal(error.message, at: node) }
        }
        for (k, _) in m where !YAMLReader.isLabelName(k) {
            throw fatal("invalid label name \(GoQuote.quote(k))", at: node)
        }
        return m
    }
}
