/// Go text/template's predefined functions, with Go's comparison rules (`eq $value 1` on a
/// float64 is "incompatible types for comparison"), indexing and slicing errors, and the
/// html/js/urlquery escapers.
enum Builtins {
    static let functions: [String: TemplateFunction] = {
        var f: [String: TemplateFunction] = [:]
        f["and"] = TemplateFunction(special: .and)
        f["or"] = TemplateFunction(special: .or)
        f["not"] = TemplateFunction([.any]) { .bool(!$0[0].isTruthy) }
        f["len"] = TemplateFunction([.any]) { try length($0[0]) }
        f["index"] = TemplateFunction([.any], variadic: .any) { try index($0[0], Array($0.dropFirst())) }
        f["slice"] = TemplateFunction([.any], variadic: .any) { try slice($0[0], Array($0.dropFirst())) }
        f["print"] = TemplateFunction([], variadic: .any) { .string(GoFormat.sprint($0)) }
        f["println"] = TemplateFunction([], variadic: .any) { .string(GoFormat.sprintln($0)) }
        f["printf"] = TemplateFunction([.string], variadic: .any) {
            .string(GoFormat.sprintf($0[0].stringValue, Array($0.dropFirst())))
        }
        f["html"] = TemplateFunction([], variadic: .any) { .string(GoStrings.htmlEscape(evalArgs($0))) }
        f["js"] = TemplateFunction([], variadic: .any) { .string(GoStrings.jsEscape(evalArgs($0))) }
        f["urlquery"] = TemplateFunction([], variadic: .any) { .string(GoStrings.queryEscape(evalArgs($0))) }
        f["eq"] = TemplateFunction([.any], variadic: .any) { .bool(try eq($0[0], Array($0.dropFirst()))) }
        f["ne"] = TemplateFunction([.any, .any]) { .bool(!(try eq($0[0], [$0[1]]))) }
        f["lt"] = TemplateFunction([.any, .any]) { .bool(try lt($0[0], $0[1])) }
        f["le"] = TemplateFunction([.any, .any]) { .bool(try lt($0[0], $0[1]) || eq($0[0], [$0[1]])) }
        f["gt"] = TemplateFunction([.any, .any]) { .bool(!(try lt($0[0], $0[1]) || eq($0[0], [$0[1]]))) }
        f["ge"] = TemplateFunction([.any, .any]) { .bool(!(try lt($0[0], $0[1]))) }
        f["call"] = TemplateFunction([.any], variadic: .any) { args in
            switch args[0] {
            case .function(let fn): return try fn.invoke(Array(args.dropFirst()))
            case .null: throw TemplateFunctionError("call of nil")
            default: throw TemplateFunctionError("non-function of type \(args[0].goTypeName)")
            }
        }
        return f
    }()

    /// The argument text for html/js/urlquery: one string as is, otherwise fmt.Sprint.
    private static func evalArgs(_ args: [TemplateValue]) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        return GoFormat.sprint(args.map { if case .null = $0 { return .string("<no value>") } else { return $0 } })
    }

    private static func length(_ v: TemplateValue) throws -> TemplateValue {
        switch v.resolvedCollection {
        case .string(let s): return .int(s.utf8.count)
        case .list(let l): return .int(l.count)
        case .map(let m): return .int(m.count)
        case .stringMap(let m): return .int(m.count)
        case .null: throw TemplateFunctionError("reflect: call of reflect.Value.Type on zero Value")
        default:
            // Go dereferences pointers first, so a *T reports T.
            let name = v.goTypeName
            throw TemplateFunctionError("len of type \(name.hasPrefix("*") ? String(name.dropFirst()) : name)")
        }
    }

    private static func indexArgument(_ index: TemplateValue, _ cap: Int) throws -> Int {
        let x: Int
        switch index.resolvedCollection {
        case .int(let i): x = i
        case .duration(let d): x = Int(d)
        case .null: throw TemplateFunctionError("cannot index slice/array with nil")
        default: throw TemplateFunctionError("cannot index slice/array with type \(index.goTypeName)")
        }
        if x < 0 || x > cap { throw TemplateFunctionError("index out of range: \(x)") }
        return x
    }

    private static func index(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        var item = item
        if case .null = item { throw TemplateFunctionError("index of untyped nil") }
        for index in indexes {
            switch item.resolvedCollection {
            case .list(let l):
                let x = try indexArgument(index, l.count)
                if x == l.count { throw TemplateFunctionError("reflect: slice index out of range") }
                item = l[x]
            case .string(let s):
                let bytes = Array(s.utf8)
                let x = try indexArgument(index, bytes.count)
                if x == bytes.count { throw TemplateFunctionError("reflect: string index out of range") }
                item = .object(TemplateRecord(typeName: "uint8", underlying: .int(Int(bytes[x]))))
            case .map(let m):
                item = m[try mapKey(index, "interface {}")] ?? .null
            case .stringMap(let m):
                item = .string(m[try mapKey(index, "string")] ?? "")
            default:
                throw TemplateFunctionError("can't index item of type \(item.goTypeName)")
            }
        }
        return item
    }

    private static func mapKey(_ index: TemplateValue, _ elementType: String) throws -> String {
        switch index.resolvedCollection {
        case .string(let s): return s
        case .null: throw TemplateFunctionError("value is nil; should be of type string")
        default: throw TemplateFunctionError("value has type \(index.goTypeName); should be string")
        }
    }

    private static func slice(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        if case .null = item { throw TemplateFunctionError("slice of untyped nil") }
        if indexes.count > 3 { throw TemplateFunctionError("too many slice indexes: \(indexes.count)") }
        let count: Int
        switch item.resolvedCollection {
        case .string(let s):
            if indexes.count == 3 { throw TemplateFunctionError("cannot 3-index slice a string") }
            count = s.utf8.count
        case .list(let l): count = l.count
        default: throw TemplateFunctionError("can't slice item of type \(item.goTypeName)")
        }
        var idx = [0, count, count]
        for (i, index) in indexes.enumerated() { idx[i] = try indexArgument(index, count) }
        if idx[0] > idx[1] { throw TemplateFunctionError("invalid slice index: \(idx[0]) > \(idx[1])") }
        if indexes.count == 3 && idx[1] > idx[2] {
            throw TemplateFunctionError("invalid slice index: \(idx[1]) > \(idx[2])")
        }
        switch item.resolvedCollection {
        case .string(let s): return .string(String(decoding: Array(s.utf8)[idx[0]..<idx[1]], as: UTF8.self))
        case .list(let l): return .list(Array(l[idx[0]..<idx[1]]))
        default: return .null
        }
    }

    // MARK: - comparisons

    private enum Kind {
        case bool(Bool), int(Int64), float(Double), string(String), invalid, other
    }

    private static func basicKind(_ v: TemplateValue) -> Kind {
        switch v.resolvedCollection {
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .duration(let d): return .int(d)
        case .float(let f): return .float(f)
        case .string(let s): return .string(s)
        case .null: return .invalid
        default: return .other
        }
    }

    static let badComparison = TemplateFunctionError("incompatible types for comparison")
    static let badComparisonType = TemplateFunctionError("invalid type for comparison")

    static func eq(_ a: TemplateValue, _ others: [TemplateValue]) throws -> Bool {
        if others.isEmpty { throw TemplateFunctionError("missing argument for comparison") }
        let k1 = basicKind(a)
        for b in others {
            let k2 = basicKind(b)
            var truth = false
            switch (k1, k2) {
            case (.bool(let x), .bool(let y)): truth = x == y
            case (.int(let x), .int(let y)): truth = x == y
            case (.float(let x), .float(let y)): truth = x == y
            case (.string(let x), .string(let y)): truth = x == y
            case (.invalid, _), (_, .invalid): truth = false
            case (.other, .other):
                if case .time(let x) = a, case .time(let y) = b {
                    truth = x == y
                } else if !assignable(a, b) {
                    throw TemplateFunctionError(
                        "non-comparable types \(GoFormat.sprintf("%s", [a])): \(a.goTypeName), \(b.goTypeName): \(GoFormat.formatValue(b))")
                } else {
                    throw TemplateFunctionError(
                        "non-comparable type \(GoFormat.sprintf("%s", [b])): \(b.goTypeName)")
                }
            default: throw badComparison
            }
            if truth { return true }
        }
        return false
    }

    /// Go's assignability, as far as comparisons need it: the same type, or the same shape
    /// where one side is an unnamed slice or map type.
    private static func assignable(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        let (x, y) = (a.goTypeName, b.goTypeName)
        if x == y { return true }
        let unnamed = { (n: String) in n.hasPrefix("[") || n.hasPrefix("map[") }
        guard unnamed(x) || unnamed(y) else { return false }
        switch (a.resolvedCollection, b.resolvedCollection) {
        case (.list, .list), (.map, .map), (.stringMap, .stringMap): return true
        default: return false
        }
    }

    static func lt(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        let k1 = basicKind(a)
        let k2 = basicKind(b)
        switch (k1, k2) {
        case (.invalid, _), (.other, _), (_, .invalid), (_, .other): throw badComparisonType
        case (.int(let x), .int(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        case (.string(let x), .string(let y)): return GoStrings.less(x, y)
        case (.bool, .bool): throw badComparisonType
        default: throw badComparison
        }
    }
}
