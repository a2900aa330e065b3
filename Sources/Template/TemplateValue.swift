/// The data a template sees.
///
/// Go's text/template works on arbitrary Go values through reflection; Swift has no such
/// thing, so callers describe their data with this enum instead. Each case stands for the Go
/// type a Prometheus or Alertmanager template would meet, so that printing, truthiness,
/// comparison, `range` and missing map keys behave as they do there:
/// `.stringMap` is `map[string]string` (labels), `.map` is `map[string]interface{}`,
/// `.list` is a slice, `.object` is a struct or named type with methods
/// (Alertmanager's `template.Data`, `KV`, `Alerts`…), and `.null` is Go's nil interface.
public enum TemplateValue: Sendable {
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case list([TemplateValue])
    case map([String: TemplateValue])
    case stringMap([String: String])
    case time(TemplateTime)
    /// Go's `time.Duration`, in nanoseconds.
    case duration(Int64)
    case object(any TemplateObject)
    case function(TemplateFunction)
    case null
}

/// A struct-like value whose fields and methods are resolved by name.
///
/// Alertmanager's data has zero-argument methods (`.Alerts.Firing`, `.CommonLabels.SortedPairs`)
/// and methods with arguments (`.CommonLabels.Remove .GroupLabels.Names`,
/// `.StartsAt.Format "…"`); conforming types (or a `TemplateRecord`) expose them, and may be
/// built on a map or list (`underlying`) so that `range`, `len`, `index`, comparisons and
/// map-key lookup work on them as on Go's named map, slice and integer types.
public protocol TemplateObject: Sendable {
    /// The Go type name shown in error messages, e.g. `template.Data`.
    var typeName: String { get }
    /// A method or field by name, or nil when there is none (then a map-based object falls
    /// back to a key lookup, as Go does for named map types).
    func member(named name: String) -> TemplateMember?
    /// The map, list or scalar this value is built on, if it is a named Go type over one.
    var underlying: TemplateValue? { get }
    /// The result of the type's `String()` method, if it has one: fmt prefers it.
    var stringValue: String? { get }
    /// Field values in declaration order, for Go's `{a b c}` printing of structs.
    var structFields: [TemplateValue] { get }
}

extension TemplateObject {
    public var underlying: TemplateValue? { nil }
    public var stringValue: String? { nil }
    public var structFields: [TemplateValue] { [] }
}

/// What a name resolves to on an object: Go looks methods up before fields.
public enum TemplateMember: Sendable {
    case field(TemplateValue)
    case method(TemplateFunction)
}

/// A ready-made `TemplateObject`: ordered fields, methods and an optional underlying value.
///
/// Enough for modelling Go structs and named map/slice types without writing a new type for
/// each; fields keep their declaration order because Go prints structs in that order.
public final class TemplateRecord: TemplateObject {
    public let typeName: String
    public let fields: [(name: String, value: TemplateValue)]
    public let methods: [String: TemplateFunction]
    public let underlying: TemplateValue?
    private let stringer: (@Sendable () -> String)?

    public init(
        typeName: String,
        fields: [(name: String, value: TemplateValue)] = [],
        methods: [String: TemplateFunction] = [:],
        underlying: TemplateValue? = nil,
        stringer: (@Sendable () -> String)? = nil
    ) {
        self.typeName = typeName
        self.fields = fields
        self.methods = methods
        self.underlying = underlying
        self.stringer = stringer
    }

    public func member(named name: String) -> TemplateMember? {
        if let method = methods[name] { return .method(method) }
        for field in fields where field.name == name { return .field(field.value) }
        return nil
    }

    public var stringValue: String? { stringer?() }
    public var structFields: [TemplateValue] { fields.map(\.value) }
}

extension TemplateValue {
    /// Go's notion of truth for `if`, `with`, `and`, `or`, `not`.
    public var isTruthy: Bool {
        switch self {
        case .string(let s): return !s.isEmpty
        case .int(let i): return i != 0
        case .float(let f): return f != 0
        case .bool(let b): return b
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        case .stringMap(let m): return !m.isEmpty
        case .time: return true  // structs are always true
        case .duration(let d): return d != 0
        case .object(let o): return o.underlying?.isTruthy ?? true
        case .function: return true
        case .null: return false
        }
    }

    /// The Go type name, for error messages (`wrong type for value; expected string; got int`).
    public var goTypeName: String {
        switch self {
        case .string: return "string"
        case .int: return "int"
        case .float: return "float64"
        case .bool: return "bool"
        case .list(let l):
            return !l.isEmpty && l.allSatisfy({ if case .string = $0 { return true } else { return false } })
                ? "[]string" : "[]interface {}"
        case .map: return "map[string]interface {}"
        case .stringMap: return "map[string]string"
        case .time: return "time.Time"
        case .duration: return "time.Duration"
        case .object(let o): return o.typeName
        case .function: return "func"
        case .null: return "<nil>"
        }
    }

    /// The map or list an object is built on, or the value itself.
    var resolvedCollection: TemplateValue {
        if case .object(let o) = self, let u = o.underlying { return u }
        return self
    }

    /// A list of strings, as a `[]string` parameter needs.
    var stringArray: [String]? {
        guard case .list(let items) = resolvedCollection else {
            if case .null = self { return [] }
            return nil
        }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .string(let s) = item else { return nil }
            out.append(s)
        }
        return out
    }

    /// A Go `[]string` (typed, so that even an empty one is named `[]string` in errors).
    public static func strings(_ values: [String]) -> TemplateValue {
        .object(TemplateRecord(typeName: "[]string", underlying: .list(values.map { .string($0) })))
    }
}

// (No ExpressibleByNilLiteral: with it, `nil` in an optional context silently means `.null`.)
extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateValue: CustomStringConvertible {
    /// What `{{ . }}` prints for this value.
    public var description: String { GoFormat.formatValue(self) }
}
