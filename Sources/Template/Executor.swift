/// Runs a parsed template over data with Go text/template's semantics: variable scopes per
/// block, methods before fields, map lookups with the missing-key option, argument type
/// checks, `and`/`or` short-circuiting, and errors that name the template, the position
/// and the node being evaluated (`template: x:1:3: executing "x" at <.foo>: …`).
///
/// Internally errors are thrown untyped: a typed `throws(TemplateError)` reserves room for the
/// error in every frame of the recursive walk, which made deep templates need far more stack.
struct Executor {
    /// How deep `template` calls may nest. Go allows 100000, relying on its growable stacks;
    /// threads here have fixed stacks, and alerting templates nest a few levels at most.
    static let maxDepth = 100
    /// How deep blocks (if/range/with bodies, template bodies) may nest in all, for the same reason.
    static let maxNesting = 1000

    private enum Context {
        case none
        case arg(ArgNode)
        case pipe(PipeNode)
        case command(CommandNode)
        case node(Node)
    }

    enum Flow {
        case normal, breakLoop, continueLoop
    }

    private let templates: [String: Tree]
    private let missingKey: MissingKey
    private(set) var out = ""
    private var vars: [(name: String, value: TemplateValue)] = []
    private var tree: Tree
    private var depth = 0
    private var nesting = 0
    private var at: Context = .none

    init(tree: Tree, templates: [String: Tree], missingKey: MissingKey) {
        self.tree = tree
        self.templates = templates
        self.missingKey = missingKey
    }

    static func execute(_ tree: Tree, templates: [String: Tree], data: TemplateValue, missingKey: MissingKey)
        throws(TemplateError) -> String
    {
        var ex = Executor(tree: tree, templates: templates, missingKey: missingKey)
        ex.vars = [("$", data)]
        do {
            _ = try ex.walkList(data, tree.root)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(kind: .execution, templateName: tree.name, line: 0, column: nil, message: "\(error)")
        }
        return ex.out
    }

    // MARK: - errors

    private func error(_ message: String) -> TemplateError {
        let pos: Int
        let context: String
        switch at {
        case .none:
            return TemplateError(
                kind: .execution, templateName: tree.name, line: 0, column: nil,
                message: "template: \(tree.name): \(message)")
        case .arg(let a): (pos, context) = (a.pos, a.description)
        case .pipe(let p): (pos, context) = (p.pos, p.description)
        case .command(let c): (pos, context) = (c.pos, c.description)
        case .node(let n): (pos, context) = (n.pos, n.description)
        }
        let (line, column) = tree.source.lineAndColumn(of: pos)
        return TemplateError(
            kind: .execution, templateName: tree.parseName, line: line, column: column,
            message:
                "template: \(tree.parseName):\(line):\(column): executing \(GoFormat.quote(tree.name)) at <\(context)>: \(message)"
        )
    }

    // MARK: - statements

    mutating func walkList(_ dot: TemplateValue, _ list: ListNode) throws -> Flow {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Executor.maxNesting { throw error("exceeded maximum nesting depth (\(Executor.maxNesting))") }
        for node in list.nodes {
            let flow = try walk(dot, node)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    private mutating func walk(_ dot: TemplateValue, _ node: Node) throws -> Flow {
        switch node {
        case .text(_, let s):
            out += s
        case .action(_, _, let pipe):
            let value = try evalPipeline(dot, pipe)
            if pipe.decl.isEmpty { try printValue(node, value) }
        case .comment:
            break
        case .ifNode(let b):
            return try walkIfOrWith(dot, b, isWith: false)
        case .withNode(let b):
            return try walkIfOrWith(dot, b, isWith: true)
        case .rangeNode(let b):
            try walkRange(dot, b, node)
        case .templateCall(let t):
            try walkTemplate(dot, t, node)
        case .breakNode:
            return .breakLoop
        case .continueNode:
            return .continueLoop
        case .list(let l):
            return try walkList(dot, l)
        }
        return .normal
    }

    private mutating func printValue(_ node: Node, _ value: TemplateValue) throws {
        at = .node(node)
        switch value {
        case .string(let s): out += s
        case .null: out += "<no value>"
        case .function: throw error("can't print \(node) of type \(value.goTypeName)")
        default: out += GoFormat.formatForOutput(value)
        }
    }

    private mutating func walkIfOrWith(_ dot: TemplateValue, _ b: BranchNode, isWith: Bool) throws -> Flow {
        let mark = vars.count
        defer { vars.removeSubrange(mark...) }
        let value = try evalPipeline(dot, b.pipe)
        if value.isTruthy { return try walkList(isWith ? value : dot, b.list) }
        if let e = b.elseList { return try walkList(dot, e) }
        return .normal
    }

    private mutating func walkRange(_ dot: TemplateValue, _ b: BranchNode, _ node: Node) throws {
        at = .node(node)
        let mark = vars.count
        defer { vars.removeSubrange(mark...) }
        let value = try evalPipeline(dot, b.pipe)
        let decl = b.pipe.decl
        func iteration(_ ex: inout Executor, _ index: TemplateValue, _ element: TemplateValue) throws
            -> Flow
        {
            if !decl.isEmpty {
                if b.pipe.isAssign {
                    if decl.count > 1 {
                        try ex.setVar(decl[0].name, index)
                        try ex.setVar(decl[1].name, element)
                    } else {
                        try ex.setVar(decl[0].name, element)
                    }
                } else {
                    ex.vars[ex.vars.count - 1].value = element
                    if decl.count > 1 { ex.vars[ex.vars.count - 2].value = index }
                }
            }
            let inner = ex.vars.count
            defer { ex.vars.removeSubrange(inner...) }
            return try ex.walkList(element, b.list)
        }
        switch value.resolvedCollection {
        case .list(let items) where !items.isEmpty:
            for (i, e) in items.enumerated() {
                if case .breakLoop = try iteration(&self, .int(i), e) { break }
            }
            return
        case .map(let m) where !m.isEmpty:
            for k in m.keys.sorted(by: GoStrings.less) {
                if case .breakLoop = try iteration(&self, .string(k), m[k]!) { break }
            }
            return
        case .stringMap(let m) where !m.isEmpty:
            for k in m.keys.sorted(by: GoStrings.less) {
                if case .breakLoop = try iteration(&self, .string(k), .string(m[k]!)) { break }
            }
            return
        case .list, .map, .stringMap, .null:
            break
        default:
            throw error("range can't iterate over \(GoFormat.formatValue(value))")
        }
        if let e = b.elseList { _ = try walkList(dot, e) }
    }

    private mutating func walkTemplate(_ dot: TemplateValue, _ t: TemplateCallNode, _ node: Node) throws {
        at = .node(node)
        guard let target = templates[t.name] else {
            throw error("template \(GoFormat.quote(t.name)) not defined")
        }
        if depth >= Executor.maxDepth { throw error("exceeded maximum template depth (\(Executor.maxDepth))") }
        var newDot: TemplateValue = .null
        if let p = t.pipe { newDot = try evalPipeline(dot, p) }
        let savedVars = vars
        let savedTree = tree
        vars = [("$", newDot)]
        tree = target
        depth += 1
        defer {
            vars = savedVars
            tree = savedTree
            depth -= 1
        }
        _ = try walkList(newDot, target.root)
    }

    // MARK: - variables

    private func variable(_ name: String) throws -> TemplateValue {
        for v in vars.reversed() where v.name == name { return v.value }
        throw error("undefined variable: \(name)")
    }

    private mutating func setVar(_ name: String, _ value: TemplateValue) throws {
        for i in stride(from: vars.count - 1, through: 0, by: -1) where vars[i].name == name {
            vars[i].value = value
            return
        }
        throw error("undefined variable: \(name)")
    }

    // MARK: - pipelines and commands

    private mutating func evalPipeline(_ dot: TemplateValue, _ pipe: PipeNode) throws -> TemplateValue {
        at = .pipe(pipe)
        var value: TemplateValue?
        for cmd in pipe.cmds { value = try evalCommand(dot, cmd, final: value) }
        let result = value ?? .null
        for d in pipe.decl {
            if pipe.isAssign { try setVar(d.name, result) } else { vars.append((d.name, result)) }
        }
        return result
    }

    private mutating func evalCommand(_ dot: TemplateValue, _ cmd: CommandNode, final: TemplateValue?)
        throws -> TemplateValue
    {
        let first = cmd.args[0]
        switch first {
        case .field(_, let names):
            at = .arg(first)
            return try evalFieldChain(dot, dot, .arg(first), names[...], args: cmd.args[...], final: final)
        case .chain(_, let node, let fields):
            return try evalChain(dot, first, node, fields, args: cmd.args[...], final: final)
        case .identifier(_, let name, let function):
            at = .arg(first)
            return try evalCall(dot, function, context: .command(cmd), name: name, args: cmd.args.dropFirst(), final: final)
        case .pipe(let p):
            try notAFunction(cmd.args[...], final)
            return try evalPipeline(dot, p)
        case .variable(_, let names):
            return try evalVariable(dot, first, names, args: cmd.args[...], final: final)
        default:
            break
        }
        at = .arg(first)
        try notAFunction(cmd.args[...], final)
        switch first {
        case .bool(_, let b): return .bool(b)
        case .dot: return dot
        case .nilConstant: throw error("nil is not a command")
        case .number(_, let n): return try idealConstant(n)
        case .string(_, _, let s): return .string(s)
        default: return .null
        }
    }

    private func notAFunction(_ args: ArraySlice<ArgNode>, _ final: TemplateValue?) throws {
        if args.count > 1 || final != nil {
            throw error("can't give argument to non-function \(args[args.startIndex])")
        }
    }

    private func idealConstant(_ n: NumberConstant) throws -> TemplateValue {
        if n.isFloat && !n.isHexOrRune && n.looksFloat { return .float(n.floatValue) }
        if n.isInt { return .int(Int(n.intValue)) }
        if n.isUint { throw error("\(n.text) overflows int") }
        return .null
    }

    private mutating func evalVariable(
        _ dot: TemplateValue, _ node: ArgNode, _ names: [String], args: ArraySlice<ArgNode>, final: TemplateValue?
    ) throws -> TemplateValue {
        at = .arg(node)
        let value = try variable(names[0])
        if names.count == 1 {
            try notAFunction(args, final)
            return value
        }
        return try evalFieldChain(dot, value, .arg(node), names[1...], args: args, final: final)
    }

    private mutating func evalChain(
        _ dot: TemplateValue, _ chain: ArgNode, _ node: ArgNode, _ fields: [String], args: ArraySlice<ArgNode>,
        final: TemplateValue?
    ) throws -> TemplateValue {
        if case .nilConstant = node { throw error("indirection through explicit nil in \(chain)") }
        let receiver = try evalArg(dot, .any, node)
        return try evalFieldChain(dot, receiver, .arg(chain), fields[...], args: args, final: final)
    }

    private mutating func evalFieldChain(
        _ dot: TemplateValue, _ receiver: TemplateValue, _ context: Context, _ names: ArraySlice<String>,
        args: ArraySlice<ArgNode>, final: TemplateValue?
    ) throws -> TemplateValue {
        var r = receiver
        for name in names.dropLast() { r = try evalField(dot, name, context, args: [], final: nil, receiver: r) }
        return try evalField(dot, names.last!, context, args: args, final: final, receiver: r)
    }

    private mutating func evalField(
        _ dot: TemplateValue, _ name: String, _ context: Context, args: ArraySlice<ArgNode>, final: TemplateValue?,
        receiver: TemplateValue
    ) throws -> TemplateValue {
        if case .null = receiver {
            if missingKey == .error { throw error("nil data; no entry for key \(GoFormat.quote(name))") }
            return .null
        }
        let hasArgs = args.count > 1 || final != nil
        let member: TemplateMember?
        switch receiver {
        case .object(let o): member = o.member(named: name)
        case .time(let t): member = TimeFormat.member(of: t, named: name)
        case .duration(let d): member = TimeFormat.member(ofDuration: d, named: name)
        default: member = nil
        }
        switch member {
        case .method(let f):
            return try evalCall(dot, f, context: context, name: name, args: args.dropFirst(), final: final)
        case .field(let v):
            if hasArgs { throw error("\(name) has arguments but cannot be invoked as function") }
            return v
        case nil:
            break
        }
        switch receiver.resolvedCollection {
        case .map(let m):
            if hasArgs { throw error("\(name) is not a method but has arguments") }
            if let v = m[name] { return v }
            if missingKey == .error { throw error("map has no entry for key \(GoFormat.quote(name))") }
            return .null
        case .stringMap(let m):
            if hasArgs { throw error("\(name) is not a method but has arguments") }
            if let v = m[name] { return .string(v) }
            switch missingKey {
            case .error: throw error("map has no entry for key \(GoFormat.quote(name))")
            case .zero: return .string("")
            case .invalid: return .null
            }
        default:
            throw error("can't evaluate field \(name) in type \(receiver.goTypeName)")
        }
    }

    // MARK: - calls and arguments

    private mutating func evalCall(
        _ dot: TemplateValue, _ function: TemplateFunction, context: Context, name: String,
        args: ArraySlice<ArgNode>, final: TemplateValue?
    ) throws -> TemplateValue {
        let numIn = args.count + (final != nil ? 1 : 0)
        let params = function.parameters
        if function.variadic != nil {
            if numIn < params.count {
                throw error("wrong number of args for \(name): want at least \(params.count) got \(args.count)")
            }
        } else if numIn != params.count {
            throw error("wrong number of args for \(name): want \(params.count) got \(numIn)")
        }
        if function.special != .none {
            let isOr = function.special == .or
            var v: TemplateValue = .null
            for a in args {
                v = try evalArg(dot, .any, a)
                if v.isTruthy == isOr { return v }
            }
            if let final { v = final }
            return v
        }
        var argv: [TemplateValue] = []
        argv.reserveCapacity(numIn)
        for (i, a) in args.enumerated() {
            let p = i < params.count ? params[i] : (function.variadic ?? .any)
            argv.append(try evalArg(dot, p, a))
        }
        if let final {
            let p: TemplateFunction.Parameter
            if let variadic = function.variadic {
                p = numIn - 1 < params.count ? params[numIn - 1] : variadic
            } else {
                p = params[numIn - 1]
            }
            argv.append(try validate(final, p))
        }
        do {
            return try function.body(argv)
        } catch let e as TemplateError {
            throw e
        } catch {
            at = context
            let message = (error as? TemplateFunctionError)?.message ?? String(describing: error)
            throw self.error("error calling \(name): \(message)")
        }
    }

    private mutating func evalArg(_ dot: TemplateValue, _ type: TemplateFunction.Parameter, _ node: ArgNode)
        throws -> TemplateValue
    {
        at = .arg(node)
        switch node {
        case .dot:
            return try validate(dot, type)
        case .nilConstant:
            if type.canBeNil { return TemplateFunction.nilValue(for: type) }
            throw error("cannot assign nil to \(type.goName)")
        case .field(_, let names):
            let v = try evalFieldChain(dot, dot, .arg(node), names[...], args: [node], final: nil)
            return try validate(v, type)
        // (Each value is computed before validate is called: a non-mutating call captures self,
        // and so the error position, before its arguments are evaluated.)
        case .variable(_, let names):
            let v = try evalVariable(dot, node, names, args: [], final: nil)
            return try validate(v, type)
        case .pipe(let p):
            let v = try evalPipeline(dot, p)
            return try validate(v, type)
        case .identifier(_, let name, let function):
            let v = try evalCall(dot, function, context: .arg(node), name: name, args: [], final: nil)
            return try validate(v, type)
        case .chain(_, let inner, let fields):
            let v = try evalChain(dot, node, inner, fields, args: [], final: nil)
            return try validate(v, type)
        default:
            break
        }
        switch (type, node) {
        case (.bool, .bool(_, let b)): return .bool(b)
        case (.bool, _): throw error("expected bool; found \(node)")
        case (.float, .number(_, let n)) where n.isFloat: return .float(n.floatValue)
        case (.float, _): throw error("expected float; found \(node)")
        case (.int, .number(_, let n)) where n.isInt: return .int(Int(n.intValue))
        case (.duration, .number(_, let n)) where n.isInt: return .duration(n.intValue)
        case (.duration, _): throw error("expected integer; found \(node)")
        case (.int, _): throw error("expected integer; found \(node)")
        case (.string, .string(_, _, let s)): return .string(s)
        case (.string, _): throw error("expected string; found \(node)")
        case (.any, .bool(_, let b)): return .bool(b)
        case (.any, .number(_, let n)): return try idealConstant(n)
        case (.any, .string(_, _, let s)): return .string(s)
        default: throw error("can't handle \(node) for arg of type \(type.goName)")
        }
    }

    private func validate(_ value: TemplateValue, _ type: TemplateFunction.Parameter) throws
        -> TemplateValue
    {
        if case .null = value {
            if type.canBeNil { return TemplateFunction.nilValue(for: type) }
            throw error("invalid value; expected \(type.goName)")
        }
        if let v = TemplateFunction.convert(value, to: type) { return v }
        throw error("wrong type for value; expected \(type.goName); got \(value.goTypeName)")
    }
}
