/// A function callable from templates, with a Go-like signature.
///
/// Go checks template calls against the function's Go types: a number literal becomes an int
/// or a float64 depending on the parameter, a float passed where a string is expected is an
/// error (`wrong type for value; expected string; got float64`), and the argument count is
/// checked. Declaring parameter types here lets the executor reproduce those conversions and
/// messages; the body then receives already-checked values.
public struct TemplateFunction: Sendable {
    public enum Parameter: Sendable, Equatable {
        /// `interface{}`: anything, number literals become int or float64 as Go decides.
        case any
        case string, int, float, bool
        /// `[]string`
        case stringList
        /// any slice
        case list
        case time, duration
        /// A named Go type, matched by `TemplateObject.typeName` (e.g. `*template.sample`).
        case named(String)

        var goName: String {
            switch self {
            case .any: return "interface {}"
            case .string: return "string"
            case .int: return "int"
            case .float: return "float64"
            case .bool: return "bool"
            case .stringList: return "[]string"
            case .list: return "[]interface {}"
            case .time: return "time.Time"
            case .duration: return "time.Duration"
            case .named(let n): return n
            }
        }

        var canBeNil: Bool {
            switch self {
            case .any, .stringList, .list, .named: return true
            default: return false
            }
        }
    }

    enum Special: Sendable {
        case none, and, or
    }

    public let parameters: [Parameter]
    /// The element type of a trailing `...` parameter.
    public let variadic: Parameter?
    let special: Special
    let body: @Sendable ([TemplateValue]) throws -> TemplateValue

    public init(
        _ parameters: [Parameter] = [], variadic: Parameter? = nil,
        _ body: @escaping @Sendable ([TemplateValue]) throws -> TemplateValue
    ) {
        self.parameters = parameters
        self.variadic = variadic
        self.special = .none
        self.body = body
    }

    init(special: Special) {
        self.parameters = [.any]
        self.variadic = .any
        self.special = special
        self.body = { $0.last ?? .null }
    }

    /// Calls the function on values (for `call` and methods reached from Swift), checking
    /// their number and types as a template call would.
    public func invoke(_ arguments: [TemplateValue]) throws -> TemplateValue {
        if let variadic {
            guard arguments.count >= parameters.count else {
                throw TemplateFunctionError("wrong number of args: got \(arguments.count) want at least \(parameters.count)")
            }
            var checked: [TemplateValue] = []
            for (i, a) in arguments.enumerated() {
                let p = i < parameters.count ? parameters[i] : variadic
                guard let v = TemplateFunction.convert(a, to: p) else {
                    throw TemplateFunctionError("arg \(i): wrong type for value; expected \(p.goName); got \(a.goTypeName)")
                }
                checked.append(v)
            }
            return try body(checked)
        }
        guard arguments.count == parameters.count else {
            throw TemplateFunctionError("wrong number of args: got \(arguments.count) want \(parameters.count)")
        }
        var checked: [TemplateValue] = []
        for (i, a) in arguments.enumerated() {
            guard let v = TemplateFunction.convert(a, to: parameters[i]) else {
                throw TemplateFunctionError(
                    "arg \(i): wrong type for value; expected \(parameters[i].goName); got \(a.goTypeName)")
            }
            checked.append(v)
        }
        return try body(checked)
    }

    /// The zero value a nil argument becomes.
    static func nilValue(for p: Parameter) -> TemplateValue {
        switch p {
        case .stringList, .list: return .list([])
        default: return .null
        }
    }

    /// Go's assignability of a runtime value to a parameter type; nil when not assignable.
    static func convert(_ value: TemplateValue, to p: Parameter) -> TemplateValue? {
        switch (p, value) {
        case (.any, _): return value
        case (.string, .string), (.int, .int), (.float, .float), (.bool, .bool), (.time, .time),
            (.duration, .duration):
            return value
        case (.stringList, _):
            return value.stringArray.map { .list($0.map { .string($0) }) }
        case (.list, _):
            if case .list = value.resolvedCollection { return value.resolvedCollection }
            if case .null = value { return .list([]) }
            return nil
        case (.named(let name), .object(let o)):
            return o.typeName == name ? value : nil
        default: return nil
        }
    }
}

/// An error a template function reports; the executor shows it as
/// `error calling NAME: MESSAGE`, as Go does.
public struct TemplateFunctionError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The functions a template set may call.
///
/// Prometheus rule templates and Alertmanager notification templates have different function
/// maps; a template is checked against its map when parsed (an unknown name is a parse
/// error), so each caller picks the preset it needs. Go's builtins are always there, and a
/// registered function of the same name replaces a builtin, as in Go.
public struct FunctionRegistry: Sendable {
    public private(set) var functions: [String: TemplateFunction]

    public init(_ functions: [String: TemplateFunction] = [:]) {
        self.functions = functions
    }

    /// Only Go's builtins.
    public static let builtins = FunctionRegistry()

    public mutating func register(_ name: String, _ function: TemplateFunction) {
        functions[name] = function
    }

    public func adding(_ other: FunctionRegistry) -> FunctionRegistry {
        var copy = self
        copy.functions.merge(other.functions) { _, new in new }
        return copy
    }

    public func lookup(_ name: String) -> TemplateFunction? {
        functions[name] ?? Builtins.functions[name]
    }

    public func contains(_ name: String) -> Bool { lookup(name) != nil }
}
