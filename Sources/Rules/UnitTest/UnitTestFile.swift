import PromQL
import TSDB
import Yams

/// A `promtool test rules` file as Prometheus 2.42 reads it (`yaml.UnmarshalStrict` into
/// promtool's `unitTestFile`): unknown fields are errors naming the line and the Go type.
struct UnitTestFile {
    var ruleFiles: [String] = []
    /// Milliseconds; 0 when absent (promtool then uses 1m).
    var evaluationInterval: Int64 = 0
    var groupEvalOrder: [String] = []
    var tests: [TestGroup] = []

    struct TestGroup {
        var interval: Int64 = 0
        var inputSeries: [InputSeries] = []
        var alertRuleTests: [AlertTestCase] = []
        var promqlExprTests: [PromQLTestCase] = []
        var externalLabels: [(String, String)] = []
        var externalURL = ""
        var name = ""
    }

    struct InputSeries {
        var series = ""
        var values = ""
        var line = 0
    }

    struct AlertTestCase {
        var evalTime: Int64 = 0
        var alertname = ""
        var expAlerts: [ExpAlert] = []
    }

    struct ExpAlert {
        var labels: [(String, String)] = []
        var annotations: [(String, String)] = []
    }

    struct PromQLTestCase {
        var expr = ""
        var evalTime: Int64 = 0
        var expSamples: [ExpSample] = []
    }

    struct ExpSample {
        var labels = ""
        var value: Double = 0
    }
}

/// An error reading a test file, worded as promtool (go-yaml v2) words it.
struct UnitTestFileError: Error, CustomStringConvertible {
    var description: String
}

/// Decodes a YAML document into `UnitTestFile` with go-yaml v2's strictness: every problem
/// of type or unknown field is collected as `line N: ...`, and reported together.
struct UnitTestFileDecoder {
    private var errors: [String] = []

    static func decode(_ text: String) throws(UnitTestFileError) -> UnitTestFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            if case let .duplicatedKeysInMapping(keys, context) = e, let key = keys.first {
                throw UnitTestFileError(description: "yaml: unmarshal errors:\n  " + duplicateKey(key, firstAt: context.mark, in: text))
            }
            throw UnitTestFileError(description: "yaml: " + yamlProblem(e))
        } catch {
            throw UnitTestFileError(description: "yaml: \(error)")
        }
        var d = UnitTestFileDecoder()
        var file = UnitTestFile()
        if let root { try d.decodeFile(root, into: &file) }
        if !d.errors.isEmpty {
            throw UnitTestFileError(description: "yaml: unmarshal errors:\n" + d.errors.map { "  " + $0 }.joined(separator: "\n"))
        }
        return file
    }

    /// go-yaml's complaint about a key given twice: the line of the second occurrence (the
    /// first line after `mark` with the key at the same column) and the Go type holding it.
    private static func duplicateKey(_ key: String, firstAt mark: Mark, in text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var line = mark.line
        for i in mark.line..<lines.count {
            let l = lines[i].unicodeScalars
            let indent = mark.column - 1
            guard l.count > indent, l.prefix(indent).allSatisfy({ $0 == " " }) else { continue }
            if String(String.UnicodeScalarView(l.dropFirst(indent))).hasPrefix(key + ":") {
                line = i + 1
                break
            }
        }
        let owner: String?
        switch key {
        case "rule_files", "evaluation_interval", "group_eval_order", "tests": owner = "unitTestFile"
        case "interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels", "external_url", "name": owner = "testGroup"
        case "series", "values": owner = "series"
        case "alertname", "exp_alerts": owner = "alertTestCase"
        case "eval_time", "expr", "exp_samples": owner = "promqlTestCase"
        case "exp_labels", "exp_annotations": owner = "alert"
        case "labels", "value": owner = "sample"
        default: owner = nil
        }
        guard let owner else { return "line \(line): key \(Labels.quote(key)) already set in map" }
        return "line \(line): field \(key) already set in type main.\(owner)"
    }

    private static func yamlProblem(_ e: YamlError) -> String {
        // go-yaml v2 prints the problem without its context, and the problem mark's line
        // 0-based for parser errors (1-based for scanner errors).
        switch e {
        case let .scanner(_, problem, mark, _):
            return "line \(mark.line): \(problem)"
        case let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return "line \(mark.line - 1): \(problem)"
        default:
            return "\(e)"
        }
    }

    // MARK: Structure

    private mutating func fields(_ node: Node, type: String, _ body: (inout Self, String, Node) throws(UnitTestFileError) -> Bool) throws(UnitTestFileError) {
        guard case .mapping(let m) = node else {
            if isNull(node) { return }
            typeError(node, "main.\(type)")
            return
        }
        for (k, v) in m {
            let key = k.string ?? ""
            if try !body(&self, key, v) {
                errors.append("line \(line(k)): field \(key) not found in type main.\(type)")
            }
        }
    }

    private mutating func decodeFile(_ node: Node, into f: inout UnitTestFile) throws(UnitTestFileError) {
        try fields(node, type: "unitTestFile") { (d, key, v) throws(UnitTestFileError) in
            switch key {
            case "rule_files": f.ruleFiles = d.strings(v, type: "[]string")
            case "evaluation_interval": f.evaluationInterval = try d.duration(v)
            case "group_eval_order": f.groupEvalOrder = d.strings(v, type: "[]string")
            case "tests":
                f.tests = try d.list(v, type: "[]main.testGroup") { (d, n) throws(UnitTestFileError) in
                    var g = UnitTestFile.TestGroup()
                    try d.decodeGroup(n, into: &g)
                    return g
                }
            default: return false
            }
            return true
        }
    }

    private mutating func decodeGroup(_ node: Node, into g: inout UnitTestFile.TestGroup) throws(UnitTestFileError) {
        try fields(node, type: "testGroup") { (d, key, v) throws(UnitTestFileError) in
            switch key {
            case "interval": g.interval = try d.duration(v)
            case "name": g.name = d.string(v)
            case "external_labels": g.externalLabels = d.stringMap(v, type: "map[string]string")
            case "external_url": g.externalURL = d.string(v)
            case "input_series":
                g.inputSeries = try d.list(v, type: "[]main.series") { (d, n) throws(UnitTestFileError) in
                    var s = UnitTestFile.InputSeries(line: d.line(n))
                    try d.fields(n, type: "series") { (d, key, v) throws(UnitTestFileError) in
                        switch key {
                        case "series": s.series = d.string(v)
                        case "values": s.values = d.string(v)
                        default: return false
                        }
                        return true
                    }
                    return s
                }
            case "alert_rule_test":
                g.alertRuleTests = try d.list(v, type: "[]main.alertTestCase") { (d, n) throws(UnitTestFileError) in
                    try d.decodeAlertTest(n)
                }
            case "promql_expr_test":
                g.promqlExprTests = try d.list(v, type: "[]main.promqlTestCase") { (d, n) throws(UnitTestFileError) in
                    try d.decodePromQLTest(n)
                }
            default: return false
            }
            return true
        }
    }

    private mutating func decodeAlertTest(_ node: Node) throws(UnitTestFileError) -> UnitTestFile.AlertTestCase {
        var a = UnitTestFile.AlertTestCase()
        try fields(node, type: "alertTestCase") { (d, key, v) throws(UnitTestFileError) in
            switch key {
            case "eval_time": a.evalTime = try d.duration(v)
            case "alertname": a.alertname = d.string(v)
            case "exp_alerts":
                a.expAlerts = try d.list(v, type: "[]main.alert") { (d, n) throws(UnitTestFileError) in
                    var e = UnitTestFile.ExpAlert()
                    try d.fields(n, type: "alert") { (d, key, v) throws(UnitTestFileError) in
                        switch key {
                        case "exp_labels": e.labels = d.stringMap(v, type: "map[string]string")
                        case "exp_annotations": e.annotations = d.stringMap(v, type: "map[string]string")
                        default: return false
                        }
                        return true
                    }
                    return e
                }
            default: return false
            }
            return true
        }
        return a
    }

    private mutating func decodePromQLTest(_ node: Node) throws(UnitTestFileError) -> UnitTestFile.PromQLTestCase {
        var c = UnitTestFile.PromQLTestCase()
        try fields(node, type: "promqlTestCase") { (d, key, v) throws(UnitTestFileError) in
            switch key {
            case "expr": c.expr = d.string(v)
            case "eval_time": c.evalTime = try d.duration(v)
            case "exp_samples":
                c.expSamples = try d.list(v, type: "[]main.sample") { (d, n) throws(UnitTestFileError) in
                    var s = UnitTestFile.ExpSample()
                    try d.fields(n, type: "sample") { (d, key, v) throws(UnitTestFileError) in
                        switch key {
                        case "labels": s.labels = d.string(v)
                        case "value": s.value = d.float(v)
                        default: return false
                        }
                        return true
                    }
                    return s
                }
            default: return false
            }
            return true
        }
        return c
    }

    // MARK: Scalars

    private func line(_ n: Node) -> Int { n.mark?.line ?? 0 }

    private func isNull(_ n: Node) -> Bool {
        guard case .scalar(let s) = n else { return false }
        if s.style != .plain { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    private func tagName(_ n: Node) -> String {
        switch n {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .alias: return "!!alias"
        case .scalar(let s):
            if s.style != .plain { return "!!str" }
            let t = s.string
            if ["true", "false", "yes", "no", "on", "off", "True", "False", "TRUE", "FALSE"].contains(t) { return "!!bool" }
            if Self.goYAMLFloat(t) != nil { return Int64(t) != nil ? "!!int" : "!!float" }
            return "!!str"
        }
    }

    private mutating func typeError(_ n: Node, _ type: String) {
        var shown = ""
        if case .scalar(let s) = n { shown = " `\(s.string)`" }
        errors.append("line \(line(n)): cannot unmarshal \(tagName(n))\(shown) into \(type)")
    }

    private mutating func string(_ n: Node) -> String {
        if isNull(n) { return "" }
        guard case .scalar(let s) = n else {
            typeError(n, "string")
            return ""
        }
        return s.string
    }

    private mutating func float(_ n: Node) -> Double {
        if isNull(n) { return 0 }
        guard case .scalar(let s) = n, s.style == .plain, let v = Self.goYAMLFloat(s.string) else {
            typeError(n, "float64")
            return 0
        }
        return v
    }

    private mutating func duration(_ n: Node) throws(UnitTestFileError) -> Int64 {
        let s = string(n)
        if s.isEmpty && isNull(n) { return 0 }
        do {
            return try PromQLDuration.parse(s)
        } catch {
            throw UnitTestFileError(description: error.description)
        }
    }

    private mutating func strings(_ n: Node, type: String) -> [String] {
        if isNull(n) { return [] }
        guard case .sequence(let seq) = n else {
            typeError(n, type)
            return []
        }
        return seq.map { string($0) }
    }

    private mutating func stringMap(_ n: Node, type: String) -> [(String, String)] {
        if isNull(n) { return [] }
        guard case .mapping(let m) = n else {
            typeError(n, type)
            return []
        }
        return m.map { (string($0.key), string($0.value)) }
    }

    private mutating func list<T>(_ n: Node, type: String, _ element: (inout Self, Node) throws(UnitTestFileError) -> T) throws(UnitTestFileError) -> [T] {
        if isNull(n) { return [] }
        guard case .sequence(let seq) = n else {
            typeError(n, type)
            return []
        }
        var out: [T] = []
        for e in seq { out.append(try element(&self, e)) }
        return out
    }

    /// A plain YAML scalar as go-yaml v2 resolves it to a float64: integers (decimal, `0x`,
    /// `0o`/leading-zero octal, `0b`, underscores allowed), decimal floats, `.inf`, `.nan`.
    static func goYAMLFloat(_ s: String) -> Double? {
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let plain = s.replacingAll("_", with: "")
        var body = Substring(plain)
        var neg = false
        if body.first == "-" || body.first == "+" {
            neg = body.first == "-"
            body = body.dropFirst()
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            guard let i = Int64(body.dropFirst(2), radix: radix) else { return nil }
            return Double(neg ? -i : i)
        }
        if body.count > 1, body.first == "0", body.allSatisfy({ $0 >= "0" && $0 <= "7" }), let i = Int64(body, radix: 8) {
            return Double(neg ? -i : i)
        }
        // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
        let u = Array(body.utf8)
        var i = 0
        func digits() -> Int {
            let st = i
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
            return i - st
        }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return nil }
        } else {
            guard digits() > 0 else { return nil }
            if i < u.count, u[i] == UInt8(ascii: ".") {
                i += 1
                _ = digits()
            }
        }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == u.count, let v = Double(String(body)) else { return nil }
        return neg ? -v : v
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
