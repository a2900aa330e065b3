import RE2
import TSDB
import Yams

/// One `relabel_configs` / `metric_relabel_configs` entry, with Prometheus's defaults.
public struct RelabelConfig: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase
    }

    public var sourceLabels: [String] = []
    public var separator = ";"
    /// The pattern as written (Prometheus anchors it: `^(?:pattern)$`).
    public var regexPattern = "(.*)"
    public var regex: PromRegex
    public var modulus: UInt64 = 0
    public var targetLabel = ""
    public var replacement = "$1"
    public var action: Action = .replace

    public init(action: Action = .replace, sourceLabels: [String] = [], separator: String = ";",
                regex: String = "(.*)", modulus: UInt64 = 0, targetLabel: String = "",
                replacement: String = "$1") throws(RegexError) {
        self.action = action
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.regexPattern = regex
        self.regex = try RelabelConfig.compile(regex)
        self.modulus = modulus
        self.targetLabel = targetLabel
        self.replacement = replacement
    }

    /// The default `(.*)`: a constant pattern that always compiles.
    static let defaultRegex: PromRegex = try! compile("(.*)")

    init(defaults: Void) { regex = RelabelConfig.defaultRegex }

    /// Compiled the way Prometheus's `relabel.NewRegexp` does, so error messages match.
    static func compile(_ pattern: String) throws(RegexError) -> PromRegex {
        try PromRegex("^(?:" + pattern + ")$")
    }

    static let keys: Set<String> = ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"]

    /// Decodes and validates like `relabel.Config.UnmarshalYAML` of Prometheus 2.42.
    static func decode(_ n: Node, _ r: inout ConfigReader) throws(ConfigAbort) -> RelabelConfig {
        var c = RelabelConfig(defaults: ())
        let before = r.typeErrors.count
        var actionText = "replace"
        guard let fields = r.fields(n, type: "relabel.plain", known: keys) else { return c }
        for (k, v) in fields {
            switch k {
            case "source_labels":
                c.sourceLabels = r.strings(v)
                for name in c.sourceLabels where !Labels.isValidName(name) {
                    throw ConfigAbort(message: "\(goQuote(name)) is not a valid label name", position: ConfigReader.position(v))
                }
            case "separator": c.separator = r.string(v)
            case "regex":
                let p = r.string(v)
                do { c.regex = try compile(p) } catch {
                    throw ConfigAbort(message: error.message, position: ConfigReader.position(v))
                }
                c.regexPattern = p
            case "modulus": c.modulus = r.uint64(v)
            case "target_label": c.targetLabel = r.string(v)
            case "replacement": c.replacement = r.string(v)
            case "action":
                actionText = r.string(v)
                guard let a = Action(rawValue: actionText.lowercased()) else {
                    throw ConfigAbort(message: "unknown relabel action \(goQuote(actionText))", position: ConfigReader.position(v))
                }
                c.action = a
            default: break
            }
        }
        guard r.typeErrors.count == before else { return c }
        let pos = ConfigReader.position(n)
        func fail(_ m: String) -> ConfigAbort { ConfigAbort(message: m, position: pos) }
        if actionText.isEmpty { throw fail("relabel action cannot be empty") }
        let a = c.action
        if c.modulus == 0 && a == .hashmod { throw fail("relabel configuration for hashmod requires non-zero modulus") }
        if [.replace, .hashmod, .lowercase, .uppercase, .keepequal, .dropequal].contains(a) && c.targetLabel.isEmpty {
            throw fail("relabel configuration for \(a.rawValue) action requires 'target_label' value")
        }
        if [.replace, .lowercase, .uppercase, .keepequal, .dropequal].contains(a) && !isRelabelTarget(c.targetLabel) {
            throw fail("\(goQuote(c.targetLabel)) is invalid 'target_label' for \(a.rawValue) action")
        }
        if [.lowercase, .uppercase, .keepequal, .dropequal].contains(a) && c.replacement != "$1" {
            throw fail("'replacement' can not be set for \(a.rawValue) action")
        }
        if a == .labelmap && !isRelabelTarget(c.replacement) {
            throw fail("\(goQuote(c.replacement)) is invalid 'replacement' for \(a.rawValue) action")
        }
        if a == .hashmod && !Labels.isValidName(c.targetLabel) {
            throw fail("\(goQuote(c.targetLabel)) is invalid 'target_label' for \(a.rawValue) action")
        }
        if a == .keepequal || a == .dropequal {
            if c.regexPattern != "(.*)" || c.modulus != 0 || c.separator != ";" || c.replacement != "$1" {
                throw fail("\(a.rawValue) action requires only 'source_labels' and `target_label`, and no other fields")
            }
        }
        if a == .labeldrop || a == .labelkeep {
            if !c.sourceLabels.isEmpty || !c.targetLabel.isEmpty || c.modulus != 0 || c.separator != ";" || c.replacement != "$1" {
                throw fail("\(a.rawValue) action requires only 'regex', and no other fields")
            }
        }
        return c
    }

    /// Prometheus's `relabelTarget`: `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$` — a label
    /// name that may contain `$1`, `${name}` references.
    static func isRelabelTarget(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func word(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || (c >= 0x30 && c <= 0x39) }
        func start(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F }
        guard !b.isEmpty else { return false }
        // The language is: a sequence of items, each a letter/_ , `$word+`, or `${word+}`, or a
        // trailing digit run after at least one item.
        var i = 0, items = 0
        while i < b.count {
            if start(b[i]) { i += 1; items += 1; continue }
            if b[i] == 0x24 {
                i += 1
                if i < b.count, b[i] == 0x7B {
                    var j = i + 1
                    while j < b.count, word(b[j]) { j += 1 }
                    guard j > i + 1, j < b.count, b[j] == 0x7D else { return false }
                    i = j + 1
                } else {
                    let j0 = i
                    while i < b.count, word(b[i]) { i += 1 }
                    guard i > j0 else { return false }
                }
                items += 1
                continue
            }
            if word(b[i]) && items > 0 { i += 1; continue }
            return false
        }
        return items > 0
    }
}
