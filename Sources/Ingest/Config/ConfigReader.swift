import TSDB
import Yams

/// Where something is in a config file (1-based, as editors and go-yaml count).
public struct ConfigPosition: Sendable, Equatable {
    public var line: Int
    public var column: Int
}

/// A validation error that stops decoding at once, like an error returned from one of
/// Prometheus's `UnmarshalYAML` methods (only the first is reported).
struct ConfigAbort: Error {
    var message: String
    var position: ConfigPosition?
}

/// Reads Yams nodes into config values the way go-yaml v2's strict mode decodes Prometheus's
/// structs: unknown fields and wrong scalar types are collected (all of them, with their
/// line) and reported together; a struct that had such errors is not validated further.
struct ConfigReader {
    /// go-yaml's "unmarshal errors": `line N: field x not found in type T`, ...
    var typeErrors: [(position: ConfigPosition, text: String)] = []

    static func position(_ n: Node) -> ConfigPosition? {
        n.mark.map { ConfigPosition(line: $0.line, column: $0.column) }
    }

    mutating func typeError(_ n: Node, _ text: String) {
        let p = Self.position(n) ?? ConfigPosition(line: 0, column: 0)
        typeErrors.append((p, "line \(p.line): \(text)"))
    }

    static func isNull(_ n: Node) -> Bool {
        guard case .scalar(let s) = n, s.style == .plain else { return false }
        return s.string.isEmpty || s.string == "~" || s.string == "null" || s.string == "Null" || s.string == "NULL"
    }

    /// The YAML tag go-yaml resolves a node to, for its type error messages.
    static func tag(_ n: Node) -> String {
        switch n {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .alias: return "!!alias"
        case .scalar(let s):
            if s.style != .plain { return "!!str" }
            if isNull(n) { return "!!null" }
            if ["true", "false", "True", "False", "TRUE", "FALSE", "yes", "no", "on", "off"].contains(s.string) { return "!!bool" }
            if Int64(s.string) != nil { return "!!int" }
            if Double(s.string) != nil { return "!!float" }
            return "!!str"
        }
    }

    static func tagText(_ n: Node) -> String {
        guard case .scalar(let s) = n else { return tag(n) }
        let v = s.string
        let shown = v.utf8.count > 10 ? String(decoding: Array(v.utf8.prefix(7)), as: UTF8.self) + "..." : v
        return "\(tag(n)) `\(shown)`"
    }

    /// The fields of a mapping in document order; unknown keys become type errors naming
    /// `type` as go-yaml does. nil for null (the caller keeps its defaults) or a non-mapping.
    mutating func fields(_ n: Node, type: String, known: Set<String>) -> [(key: String, value: Node)]? {
        if Self.isNull(n) { return nil }
        guard case .mapping(let m) = n else {
            typeError(n, "cannot unmarshal \(Self.tagText(n)) into \(type)")
            return nil
        }
        var out: [(String, Node)] = []
        for (k, v) in m {
            let key = k.string ?? ""
            if known.contains(key) {
                out.append((key, v))
            } else {
                typeError(k, "field \(key) not found in type \(type)")
            }
        }
        return out
    }

    mutating func string(_ n: Node) -> String {
        if Self.isNull(n) { return "" }
        guard case .scalar(let s) = n else {
            typeError(n, "cannot unmarshal \(Self.tagText(n)) into string")
            return ""
        }
        return s.string
    }

    mutating func bool(_ n: Node) -> Bool {
        if Self.isNull(n) { return false }
        if case .scalar(let s) = n, s.style == .plain {
            switch s.string.lowercased() {
            case "true", "yes", "on", "y": return true
            case "false", "no", "off", "n": return false
            default: break
            }
        }
        typeError(n, "cannot unmarshal \(Self.tagText(n)) into bool")
        return false
    }

    mutating func uint(_ n: Node) -> Int {
        if Self.isNull(n) { return 0 }
        if case .scalar(let s) = n, s.style == .plain, let v = Int(s.string), v >= 0 { return v }
        typeError(n, "cannot unmarshal \(Self.tagText(n)) into uint")
        return 0
    }

    mutating func uint64(_ n: Node) -> UInt64 {
        if Self.isNull(n) { return 0 }
        if case .scalar(let s) = n, s.style == .plain, let v = UInt64(s.string) { return v }
        typeError(n, "cannot unmarshal \(Self.tagText(n)) into uint64")
        return 0
    }

    mutating func int(_ n: Node) -> Int {
        if Self.isNull(n) { return 0 }
        if case .scalar(let s) = n, s.style == .plain, let v = Int(s.string) { return v }
        typeError(n, "cannot unmarshal \(Self.tagText(n)) into int")
        return 0
    }

    mutating func strings(_ n: Node) -> [String] {
        if Self.isNull(n) { return [] }
        guard case .sequence(let seq) = n else {
            typeError(n, "cannot unmarshal \(Self.tagText(n)) into []string")
            return []
        }
        return seq.map { string($0) }
    }

    mutating func list<T>(_ n: Node, type: String, _ element: (inout ConfigReader, Node) throws(ConfigAbort) -> T) throws(ConfigAbort) -> [T] {
        if Self.isNull(n) { return [] }
        guard case .sequence(let seq) = n else {
            typeError(n, "cannot unmarshal \(Self.tagText(n)) into \(type)")
            return []
        }
        var out: [T] = []
        for e in seq { out.append(try element(&self, e)) }
        return out
    }

    /// A `map[string]string` in document order.
    mutating func stringMap(_ n: Node, type: String = "map[string]string") -> [(String, String)] {
        if Self.isNull(n) { return [] }
        guard case .mapping(let m) = n else {
            typeError(n, "cannot unmarshal \(Self.tagText(n)) into \(type)")
            return []
        }
        return m.map { (string($0.key), string($0.value)) }
    }

    /// `model.Duration`: a string parsed afterwards; a bad one aborts like Prometheus's.
    mutating func duration(_ n: Node) throws(ConfigAbort) -> Int64 {
        let s = string(n)
        guard case .scalar = n else { return 0 }
        if Self.isNull(n) { return 0 }
        guard let ms = PromDuration.parse(s) else {
            throw ConfigAbort(message: s.isEmpty ? "empty duration string" : "not a valid duration string: \(goQuote(s))",
                              position: Self.position(n))
        }
        return ms
    }
}

/// Go's `%q`, which Prometheus's config errors use.
func goQuote(_ s: String) -> String { GoQuote.quote(s) }
