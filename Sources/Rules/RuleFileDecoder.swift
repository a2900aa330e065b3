import PromQL
import TSDB
import Yams

/// Decodes a rule file with the strictness of Prometheus 2.42's `rulefmt.Parse`: go-yaml v3
/// with `KnownFields(true)` into `rulefmt.RuleGroups`, then a second, lenient decode of
/// `groups` into `[]yaml.Node`. Unknown fields and type mismatches are collected in document
/// order as `line N: ...`; a bad duration stops the decode with just its own message.
struct RuleFileDecoder {
    private var errors: [String] = []
    private var fatal: String?
    private var yaml = DuplicateTolerantYAML()

    static func decode(_ text: String) -> Result<RuleFile, RuleFileErrors> {
        let root: Node?
        var d = RuleFileDecoder()
        do {
            d.yaml = try DuplicateTolerantYAML.compose(text)
            root = d.yaml.root
        } catch let e as YamlError {
            return .failure(RuleFileErrors(messages: yamlFailure(e, text: text)))
        } catch {
            return .failure(RuleFileErrors(messages: ["yaml: \(error)", "yaml: \(error)"]))
        }
        var file = RuleFile()
        var nodeErrors: [String] = []
        if let root {
            d.decodeRoot(root, into: &file)
            nodeErrors = lenientErrors(root, yaml: d.yaml)
        }
        if let fatal = d.fatal {
            return .failure(RuleFileErrors(messages: [fatal] + nodeErrors))
        }
        var messages: [String] = []
        if !d.errors.isEmpty { messages.append(unmarshalErrors(d.errors)) }
        messages += nodeErrors
        if !messages.isEmpty { return .failure(RuleFileErrors(messages: messages)) }
        return .success(file)
    }

    private static func unmarshalErrors(_ lines: [String]) -> String {
        "yaml: unmarshal errors:\n" + lines.map { "  " + $0 }.joined(separator: "\n")
    }

    /// The second decode Prometheus does (`groups` into `[]yaml.Node`): it only fails when
    /// the document or `groups` has the wrong shape.
    private static func lenientErrors(_ root: Node, yaml: DuplicateTolerantYAML) -> [String] {
        if isNull(root) { return [] }
        guard case .mapping(let m) = root else {
            return [unmarshalErrors(["line \(line(root)): cannot unmarshal \(tagText(root)) into rulefmt.ruleGroups"])]
        }
        let repeated = yaml.repeatedKeyErrors(m)
        if !repeated.isEmpty { return [unmarshalErrors(repeated)] }
        for (k, v) in m where k.string == "groups" {
            if isNull(v) { continue }
            if case .sequence = v { continue }
            if case .mapping(let gm) = v, !yaml.repeatedKeyErrors(gm).isEmpty {
                return [unmarshalErrors(yaml.repeatedKeyErrors(gm))]
            }
            return [unmarshalErrors(["line \(line(v)): cannot unmarshal \(tagText(v)) into []yaml.Node"])]
        }
        return []
    }

    // MARK: YAML syntax errors

    /// go-yaml v3's wording of a YAML error. Both of Prometheus's decodes hit it, so it is
    /// reported twice.
    private static func yamlFailure(_ e: YamlError, text: String) -> [String] {
        let message: String
        switch e {
        case let .scanner(context, problem, mark, _):
            message = "yaml: " + where_(context: context, problem: mark, scanner: true) + problem
        case let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            message = "yaml: " + where_(context: context, problem: mark, scanner: false) + problem
        case let .duplicatedKeysInMapping(keys, context):
            guard let key = keys.first else { return ["yaml: \(e)", "yaml: \(e)"] }
            let first = context.mark.line
            let second = secondOccurrence(of: key, after: context.mark, in: text)
            let msg = unmarshalErrors(["line \(second): mapping key \(Labels.quote(key)) already defined at line \(first)"])
            // A key repeated at the top level breaks both decodes; deeper ones only the strict one.
            return context.mark.column == 1 ? [msg, msg] : [msg]
        default:
            message = "yaml: \(e)"
        }
        return [message, message]
    }

    /// go-yaml v3 (`parser.fail`) prints the context mark's line, else the problem mark's,
    /// 0-based, plus one for scanner errors; no position when that is 0.
    private static func where_(context: YamlError.Context?, problem: Mark, scanner: Bool) -> String {
        var line = 0
        if let context, context.mark.line - 1 != 0 {
            line = context.mark.line - 1
        } else if problem.line - 1 != 0 {
            line = problem.line - 1
        }
        if line != 0 && scanner { line += 1 }
        return line == 0 ? "" : "line \(line): "
    }

    /// The line of the second `key:` at the same column as the first one (Yams reports only
    /// the first occurrence of a repeated key).
    private static func secondOccurrence(of key: String, after mark: Mark, in text: String) -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = mark.column - 1
        for i in mark.line..<lines.count {
            let l = lines[i].unicodeScalars
            guard l.count > indent, l.prefix(indent).allSatisfy({ $0 == " " || $0 == "-" }) else { continue }
            let rest = String(String.UnicodeScalarView(l.dropFirst(indent)))
            if rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") {
                return i + 1
            }
        }
        return mark.line
    }

    // MARK: Structure

    private mutating func decodeRoot(_ node: Node, into file: inout RuleFile) {
        fields(node, type: "rulefmt.RuleGroups") { d, key, v in
            guard key == "groups" else { return false }
            file.groups = d.list(v, type: "[]rulefmt.RuleGroup") { d, n in d.decodeGroup(n) }
            return true
        }
    }

    private mutating func decodeGroup(_ node: Node) -> RuleFile.Group {
        var g = RuleFile.Group()
        g.position = Self.position(node)
        fields(node, type: "rulefmt.RuleGroup") { d, key, v in
            switch key {
            case "name": g.name = d.string(v)
            case "interval": g.interval = d.duration(v)
            case "limit": g.limit = d.int(v)
            case "rules": g.rules = d.list(v, type: "[]rulefmt.RuleNode") { d, n in d.decodeRule(n) }
            default: return false
            }
            return true
        }
        return g
    }

    private mutating func decodeRule(_ node: Node) -> RuleFile.Rule {
        var r = RuleFile.Rule()
        fields(node, type: "rulefmt.RuleNode") { d, key, v in
            switch key {
            // yaml.Node fields: any node is accepted; only a scalar has a value.
            case "record": (r.record, r.recordPosition) = (Self.nodeValue(v), Self.position(v))
            case "alert": (r.alert, r.alertPosition) = (Self.nodeValue(v), Self.position(v))
            case "expr": (r.expr, r.exprPosition) = (Self.nodeValue(v), Self.position(v))
            case "for": r.forDuration = d.duration(v)
            case "keep_firing_for": r.keepFiringFor = d.duration(v)
            case "labels": r.labels = d.stringMap(v)
            case "annotations": r.annotations = d.stringMap(v)
            default: return false
            }
            return true
        }
        return r
    }

    /// Decodes a mapping into a Go struct of type `type`; `body` returns false for a key the
    /// struct does not have.
    private mutating func fields(_ node: Node, type: String, _ body: (inout Self, String, Node) -> Bool) {
        guard fatal == nil else { return }
        guard case .mapping(let m) = node else {
            if !Self.isNull(node) { typeError(node, type) }
            return
        }
        let repeated = yaml.repeatedKeyErrors(m)
        guard repeated.isEmpty else {
            errors += repeated
            return
        }
        for (k, v) in m {
            guard fatal == nil else { return }
            let key = k.string ?? ""
            if !body(&self, key, v) {
                errors.append("line \(Self.line(k)): field \(key) not found in type \(type)")
            }
        }
    }

    private mutating func list<T>(_ n: Node, type: String, _ element: (inout Self, Node) -> T) -> [T] {
        if Self.isNull(n) { return [] }
        guard case .sequence(let seq) = n else {
            typeError(n, type)
            return []
        }
        var out: [T] = []
        for e in seq where fatal == nil { out.append(element(&self, e)) }
        return out
    }

    // MARK: Scalars

    private mutating func string(_ n: Node) -> String {
        if Self.isNull(n) { return "" }
        guard case .scalar(let s) = n else {
            typeError(n, "string")
            return ""
        }
        return s.string
    }

    private mutating func int(_ n: Node) -> Int {
        if Self.isNull(n) { return 0 }
        guard case .scalar(let s) = n, ["!!int", "!!float"].contains(Self.tag(n)),
              let v = UnitTestFileDecoder.goYAMLFloat(s.string), v.isFinite, abs(v) < 9.2e18
        else {
            typeError(n, "int")
            return 0
        }
        return Int(v)
    }

    /// `model.Duration`: decoded as a string, then parsed; a parse failure aborts the decode.
    private mutating func duration(_ n: Node) -> Int64 {
        if Self.isNull(n) { return 0 }
        let s = string(n)
        guard case .scalar = n else { return 0 }
        do {
            return try PromQLDuration.parse(s)
        } catch {
            fatal = error.description
            return 0
        }
    }

    private mutating func stringMap(_ n: Node) -> [(String, String)] {
        if Self.isNull(n) { return [] }
        guard case .mapping(let m) = n else {
            typeError(n, "map[string]string")
            return []
        }
        let repeated = yaml.repeatedKeyErrors(m)
        guard repeated.isEmpty else {
            errors += repeated
            return []
        }
        var out: [(String, String)] = []
        for (k, v) in m {
            out.append((string(k), string(v)))
        }
        return out
    }

    /// A node of the wrong kind for `type`. go-yaml v3 checks a mapping's keys for repeats
    /// before it looks at the target type, so repeated keys are reported instead.
    private mutating func typeError(_ n: Node, _ type: String) {
        if case .mapping(let m) = n {
            let repeated = yaml.repeatedKeyErrors(m)
            if !repeated.isEmpty {
                errors += repeated
                return
            }
        }
        errors.append("line \(Self.line(n)): cannot unmarshal \(Self.tagText(n)) into \(type)")
    }

    // MARK: Node helpers

    static func line(_ n: Node) -> Int { n.mark?.line ?? 0 }

    static func position(_ n: Node) -> RuleFile.Position {
        guard let m = n.mark else { return .none }
        return RuleFile.Position(line: m.line, column: m.column)
    }

    /// A `yaml.Node`'s `Value`: the text of a scalar, empty for collections.
    static func nodeValue(_ n: Node) -> String {
        if case .scalar(let s) = n { return s.string }
        return ""
    }

    static func isNull(_ n: Node) -> Bool {
        guard case .scalar(let s) = n, s.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    /// go-yaml v3's short tag and shown value: `!!seq`, `!!str \`abc\``, long values cut to
    /// seven characters and `...`.
    static func tagText(_ n: Node) -> String {
        guard case .scalar(let s) = n else { return tag(n) }
        let v = s.string
        let shown = v.utf8.count > 10 ? String(decoding: Array(v.utf8.prefix(7)), as: UTF8.self) + "..." : v
        return "\(tag(n)) `\(shown)`"
    }

    /// The YAML 1.2 core tag go-yaml v3 resolves a node to.
    static func tag(_ n: Node) -> String {
        switch n {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .alias: return "!!alias"
        case .scalar(let s):
            if s.style != .plain { return "!!str" }
            if ["true", "false", "True", "False", "TRUE", "FALSE"].contains(s.string) { return "!!bool" }
            if isNull(n) { return "!!null" }
            if UnitTestFileDecoder.goYAMLFloat(s.string) != nil {
                return Int64(s.string.replacingAll("_", with: "")) != nil ? "!!int" : "!!float"
            }
            return "!!str"
        }
    }
}
