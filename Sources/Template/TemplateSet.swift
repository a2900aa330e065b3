/// What a template does with a map key that is not there (Go's `missingkey` option).
///
/// Go's default prints `<no value>`; Prometheus and Alertmanager both run their templates
/// with `missingkey=zero`, which makes a missing label print as the empty string, so that is
/// the default here.
public enum MissingKey: Sendable, Equatable {
    /// Go's default: the value is invalid and prints as `<no value>`.
    case invalid
    /// The map's zero value: "" for `map[string]string`, nil (`<no value>`) for interface maps.
    case zero
    /// Execution stops with `map has no entry for key "x"`.
    case error
}

/// A parse or execution error, worded as Go's text/template words it.
///
/// `message` is the full Go-style text (`template: name:3: function "foo" not defined`,
/// `template: name:1:12: executing "name" at <.foo>: …`), which is what Prometheus and
/// Alertmanager show to users; the position is also kept apart for callers that report it
/// in their own way (rule files, config checks). Go's parse errors carry only a line; the
/// column here is where the parser stood.
public struct TemplateError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case parse, execution
    }

    public let kind: Kind
    public let templateName: String
    public let line: Int
    public let column: Int?
    public let message: String

    public init(kind: Kind, templateName: String, line: Int, column: Int?, message: String) {
        self.kind = kind
        self.templateName = templateName
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { message }
}

/// A set of named templates parsed once and executed many times.
///
/// Alertmanager parses its default templates and the user's template files into one set, in
/// which `define`d names are shared and a later file's definition replaces an earlier one;
/// Prometheus parses each annotation on its own. Both shapes are a `TemplateSet`: parse as
/// many texts as needed, then execute any name. Parsed trees are immutable and the set is a
/// value, so one set can be shared by concurrent executions.
public struct TemplateSet: Sendable {
    public let functions: FunctionRegistry
    public let missingKey: MissingKey
    private var trees: [String: Tree] = [:]
    private var order: [String] = []

    public init(functions: FunctionRegistry = .builtins, missingKey: MissingKey = .zero) {
        self.functions = functions
        self.missingKey = missingKey
    }

    /// Parses `text` as the template `name`, adding the templates it defines to the set.
    ///
    /// As in Go, a definition replaces an earlier one of the same name unless the new body
    /// is empty (only whitespace and comments); defining a name twice in one text is an error.
    public mutating func parse(_ text: String, name: String) throws(TemplateError) {
        var parser = Parser(text: Array(text.utf8), parseName: name, functions: functions)
        try parser.parse(name: name)
        for treeName in parser.order {
            let tree = parser.trees[treeName]!
            if let old = trees[treeName] {
                if tree.isEmpty && !old.isEmpty { continue }
            } else {
                order.append(treeName)
            }
            trees[treeName] = tree
        }
    }

    /// Parses several files in order, as Alertmanager's `FromGlobs` does.
    public mutating func parse(files: [(name: String, text: String)]) throws(TemplateError) {
        for file in files { try parse(file.text, name: file.name) }
    }

    public func contains(_ name: String) -> Bool { trees[name] != nil }

    /// Template names in the order they were first defined.
    public var names: [String] { order }

    /// Executes the template `name` with `data` as dot and `$`.
    public func execute(_ name: String, data: TemplateValue) throws(TemplateError) -> String {
        guard let tree = trees[name] else {
            throw TemplateError(
                kind: .execution, templateName: name, line: 0, column: nil,
                message: "template: no template \(GoFormat.quote(name)) associated with template \"\"")
        }
        return try Executor.execute(tree, templates: trees, data: data, missingKey: missingKey)
    }

    /// Parses `text` against a copy of the set and executes it: Alertmanager's
    /// `ExecuteTextString`, where a receiver field like `{{ template "slack.default.title" . }}`
    /// sees every defined template. The set itself is unchanged.
    public func executeText(_ text: String, data: TemplateValue, name: String = "") throws(TemplateError) -> String {
        var copy = self
        try copy.parse(text, name: name)
        return try copy.execute(name, data: data)
    }

    /// Parses and executes one text on its own, as Prometheus expands an annotation.
    public static func render(
        _ text: String, name: String = "", data: TemplateValue, functions: FunctionRegistry = .builtins,
        missingKey: MissingKey = .zero
    ) throws(TemplateError) -> String {
        var set = TemplateSet(functions: functions, missingKey: missingKey)
        try set.parse(text, name: name)
        return try set.execute(name, data: data)
    }
}
