/// Builds trees from tokens with the grammar, checks and error messages of Go's
/// text/template/parse: functions and variables are resolved here (undefined ones are parse
/// errors), and every `define`/`block` becomes its own tree.
struct Parser {
    private let tokens: [Token]
    private var index = 0
    private var furthest = 0
    private let parseName: String
    private let source: SourceText
    private let functions: FunctionRegistry
    private var vars: [String] = ["$"]
    private var rangeDepth = 0
    private var actionLine = 0
    /// Nesting of blocks and parentheses, bounded so that hostile input cannot exhaust the stack.
    private var nesting = 0
    static let maxNesting = 500
    private(set) var trees: [String: Tree] = [:]
    private(set) var order: [String] = []

    private enum Item {
        case node(Node)
        case end(pos: Int)
        case elseItem(pos: Int, line: Int)

        var goDescription: String {
            switch self {
            case .node(let n): return n.description
            case .end: return "{{end}}"
            case .elseItem: return "{{else}}"
            }
        }
    }

    init(text: [UInt8], parseName: String, functions: FunctionRegistry) {
        self.tokens = Lexer.tokenize(text)
        self.parseName = parseName
        self.source = SourceText(text)
        self.functions = functions
    }

    /// Parses the whole text; the top-level content becomes the tree called `name`.
    mutating func parse(name: String) throws(TemplateError) {
        var root = ListNode(pos: peek().pos, nodes: [])
        while peek().kind != .eof {
            if peek().kind == .leftDelim {
                let mark = index
                _ = next()
                if nextNonSpace().kind == .define {
                    try parseDefinition()
                    continue
                }
                index = mark
            }
            switch try textOrAction() {
            case .node(let n): root.nodes.append(n)
            case let other: throw error("unexpected \(other.goDescription)")
            }
        }
        try add(name: name, root: root)
    }

    // MARK: - token stream

    private mutating func next() -> Token {
        let t = peek()
        index += 1
        return t
    }

    private mutating func peek() -> Token {
        let i = min(index, tokens.count - 1)
        furthest = max(furthest, i)
        return tokens[i]
    }

    private mutating func backup() { index -= 1 }

    private mutating func nextNonSpace() -> Token {
        var t = next()
        while t.kind == .space { t = next() }
        return t
    }

    private mutating func peekNonSpace() -> Token {
        let t = nextNonSpace()
        backup()
        return t
    }

    // MARK: - errors

    private func error(_ message: String) -> TemplateError {
        let t = tokens[min(furthest, tokens.count - 1)]
        let column = source.lineAndColumn(of: t.pos).column
        return TemplateError(
            kind: .parse, templateName: parseName, line: t.line, column: column,
            message: "template: \(parseName):\(t.line): \(message)")
    }

    private func unexpected(_ token: Token, _ context: String) -> TemplateError {
        if token.kind == .error {
            var extra = ""
            if actionLine != 0 && actionLine != token.line {
                extra = " in action started at \(parseName):\(actionLine)"
                if token.value.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
            }
            return error(token.value + extra)
        }
        return error("unexpected \(token.goDescription) in \(context)")
    }

    private mutating func expect(_ kind: TokenKind, _ context: String) throws(TemplateError) -> Token {
        let t = nextNonSpace()
        if t.kind != kind { throw unexpected(t, context) }
        return t
    }

    // MARK: - trees

    private mutating func add(name: String, root: ListNode) throws(TemplateError) {
        let tree = Tree(name: name, parseName: parseName, root: root, source: source)
        if let existing = trees[name], !existing.isEmpty {
            if !tree.isEmpty { throw error("template: multiple definition of template \(GoFormat.quote(name))") }
            return
        }
        if trees[name] == nil { order.append(name) }
        trees[name] = tree
    }

    private mutating func parseDefinition() throws(TemplateError) {
        let t = nextNonSpace()
        guard t.kind == .string || t.kind == .rawString else { throw unexpected(t, "define clause") }
        let name = try unquote(t)
        _ = try expect(.rightDelim, "define clause")
        let (root, end) = try nestedTree()
        guard case .end = end else { throw error("unexpected \(end.goDescription) in define clause") }
        try add(name: name, root: root)
    }

    /// Parses a define or block body as a separate tree with its own variables.
    private mutating func nestedTree() throws(TemplateError) -> (ListNode, Item) {
        let savedVars = vars
        let savedDepth = rangeDepth
        vars = ["$"]
        rangeDepth = 0
        defer {
            vars = savedVars
            rangeDepth = savedDepth
        }
        return try itemList()
    }

    private mutating func enter() throws(TemplateError) {
        nesting += 1
        if nesting > Parser.maxNesting { throw error("exceeded maximum nesting depth (\(Parser.maxNesting))") }
    }

    private mutating func itemList() throws(TemplateError) -> (ListNode, Item) {
        try enter()
        defer { nesting -= 1 }
        var list = ListNode(pos: peekNonSpace().pos, nodes: [])
        while peekNonSpace().kind != .eof {
            let item = try textOrAction()
            switch item {
            case .node(let n): list.nodes.append(n)
            default: return (list, item)
            }
        }
        throw error("unexpected EOF")
    }

    private mutating func textOrAction() throws(TemplateError) -> Item {
        let t = nextNonSpace()
        switch t.kind {
        case .text: return .node(.text(pos: t.pos, t.value))
        case .leftDelim:
            actionLine = t.line
            defer { actionLine = 0 }
            return try action()
        case .comment: return .node(.comment(pos: t.pos, t.value))
        default: throw unexpected(t, "input")
        }
    }

    private mutating func action() throws(TemplateError) -> Item {
        let t = nextNonSpace()
        switch t.kind {
        case .block: return .node(try blockControl())
        case .breakKeyword: return .node(try loopControl(t, isBreak: true))
        case .continueKeyword: return .node(try loopControl(t, isBreak: false))
        case .elseKeyword: return try elseControl()
        case .end: return .end(pos: try expect(.rightDelim, "end").pos)
        case .ifKeyword: return .node(.ifNode(try parseControl(allowElseIf: true, "if")))
        case .range: return .node(.rangeNode(try parseControl(allowElseIf: false, "range")))
        case .template: return .node(try templateControl())
        case .with: return .node(.withNode(try parseControl(allowElseIf: false, "with")))
        default:
            backup()
            let start = peek()
            return .node(.action(pos: start.pos, line: start.line, try pipeline("command", end: .rightDelim)))
        }
    }

    private mutating func loopControl(_ t: Token, isBreak: Bool) throws(TemplateError) -> Node {
        let name = isBreak ? "{{break}}" : "{{continue}}"
        let closing = nextNonSpace()
        if closing.kind != .rightDelim { throw unexpected(closing, name) }
        if rangeDepth == 0 { throw error("\(name) outside {{range}}") }
        return isBreak ? .breakNode(pos: t.pos) : .continueNode(pos: t.pos)
    }

    private mutating func elseControl() throws(TemplateError) -> Item {
        let p = peekNonSpace()
        if p.kind == .ifKeyword { return .elseItem(pos: p.pos, line: p.line) }
        let t = try expect(.rightDelim, "else")
        return .elseItem(pos: t.pos, line: t.line)
    }

    private mutating func parseControl(allowElseIf: Bool, _ context: String) throws(TemplateError) -> BranchNode {
        let mark = vars.count
        defer { vars.removeSubrange(mark...) }
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, next) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: ListNode?
        switch next {
        case .end: break
        case .elseItem(let pos, _):
            if allowElseIf && peek().kind == .ifKeyword {
                _ = self.next()
                let nested = try parseControl(allowElseIf: true, "if")
                elseList = ListNode(pos: pos, nodes: [.ifNode(nested)])
                break
            }
            let (list2, next2) = try itemList()
            guard case .end = next2 else { throw error("expected end; found \(next2.goDescription)") }
            elseList = list2
        case .node: break
        }
        return BranchNode(pos: pipe.pos, line: pipe.line, pipe: pipe, list: list, elseList: elseList)
    }

    private mutating func templateName(_ t: Token, _ context: String) throws(TemplateError) -> String {
        guard t.kind == .string || t.kind == .rawString else { throw unexpected(t, context) }
        return try unquote(t)
    }

    private mutating func templateControl() throws(TemplateError) -> Node {
        let t = nextNonSpace()
        let name = try templateName(t, "template clause")
        var pipe: PipeNode?
        if nextNonSpace().kind != .rightDelim {
            backup()
            pipe = try pipeline("template clause", end: .rightDelim)
        }
        return .templateCall(TemplateCallNode(pos: t.pos, line: t.line, name: name, pipe: pipe))
    }

    private mutating func blockControl() throws(TemplateError) -> Node {
        let t = nextNonSpace()
        let name = try templateName(t, "block clause")
        let pipe = try pipeline("block clause", end: .rightDelim)
        let (root, end) = try nestedTree()
        guard case .end = end else { throw error("unexpected \(end.goDescription) in block clause") }
        try add(name: name, root: root)
        return .templateCall(TemplateCallNode(pos: t.pos, line: t.line, name: name, pipe: pipe))
    }

    // MARK: - pipelines

    private mutating func pipeline(_ context: String, end: TokenKind) throws(TemplateError) -> PipeNode {
        try enter()
        defer { nesting -= 1 }
        let start = peekNonSpace()
        var decl: [VariableRef] = []
        var isAssign = false
        declarations: while peekNonSpace().kind == .variable {
            let variableIndex = index
            let v = next()
            let afterVariable = peek()
            let following = peekNonSpace()
            if following.kind == .assign || following.kind == .declare {
                isAssign = following.kind == .assign
                _ = nextNonSpace()
                decl.append(VariableRef(pos: v.pos, name: v.value))
                vars.append(v.value)
            } else if following.kind == .char && following.value == "," {
                _ = nextNonSpace()
                decl.append(VariableRef(pos: v.pos, name: v.value))
                vars.append(v.value)
                if context == "range" && decl.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw error("range can only initialize variables")
                    }
                }
                throw error("too many declarations in \(context)")
            } else {
                _ = afterVariable
                index = variableIndex
            }
            break
        }
        var cmds: [CommandNode] = []
        while true {
            let t = nextNonSpace()
            if t.kind == end {
                if cmds.isEmpty { throw error("missing value for \(context)") }
                for (i, c) in cmds.enumerated().dropFirst() {
                    switch c.args[0] {
                    case .bool, .dot, .nilConstant, .number, .string:
                        throw error("non executable command in pipeline stage \(i + 1)")
                    default: break
                    }
                }
                return PipeNode(pos: start.pos, line: start.line, isAssign: isAssign, decl: decl, cmds: cmds)
            }
            switch t.kind {
            case .bool, .charConstant, .dot, .field, .identifier, .number, .nilKeyword, .rawString, .string,
                .variable, .leftParen:
                backup()
                cmds.append(try command())
            default:
                throw unexpected(t, context)
            }
        }
    }

    private mutating func command() throws(TemplateError) -> CommandNode {
        let pos = peekNonSpace().pos
        var args: [ArgNode] = []
        loop: while true {
            _ = peekNonSpace()
            if let operand = try operand() { args.append(operand) }
            let t = next()
            switch t.kind {
            case .space: continue loop
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(t, "operand")
            }
            break
        }
        if args.isEmpty { throw error("empty command") }
        return CommandNode(pos: pos, args: args)
    }

    private mutating func operand() throws(TemplateError) -> ArgNode? {
        guard let node = try term() else { return nil }
        guard peek().kind == .field else { return node }
        let chainPos = peek().pos
        var fields: [String] = []
        while peek().kind == .field { fields.append(String(next().value.dropFirst())) }
        switch node {
        case .field(_, let names): return .field(pos: chainPos, names: names + fields)
        case .variable(_, let names): return .variable(pos: chainPos, names: names + fields)
        case .bool, .string, .number, .nilConstant, .dot:
            throw error("unexpected . after term \(GoFormat.quote(node.description))")
        default: return .chain(pos: chainPos, node: node, fields: fields)
        }
    }

    private mutating func term() throws(TemplateError) -> ArgNode? {
        let t = nextNonSpace()
        switch t.kind {
        case .identifier:
            guard let function = functions.lookup(t.value) else {
                throw error("function \(GoFormat.quote(t.value)) not defined")
            }
            return .identifier(pos: t.pos, name: t.value, function: function)
        case .dot: return .dot(pos: t.pos)
        case .nilKeyword: return .nilConstant(pos: t.pos)
        case .variable:
            if !vars.contains(t.value) { throw error("undefined variable \(GoFormat.quote(t.value))") }
            return .variable(pos: t.pos, names: [t.value])
        case .field: return .field(pos: t.pos, names: [String(t.value.dropFirst())])
        case .bool: return .bool(pos: t.pos, t.value == "true")
        case .charConstant, .number: return .number(pos: t.pos, try number(t))
        case .leftParen: return .pipe(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString: return .string(pos: t.pos, quoted: t.value, value: try unquote(t))
        default:
            backup()
            return nil
        }
    }

    // MARK: - literals

    private func unquote(_ t: Token) throws(TemplateError) -> String {
        guard let s = GoLiteral.unquote(t.value) else { throw error("invalid syntax") }
        return s
    }

    private func number(_ t: Token) throws(TemplateError) -> NumberConstant {
        switch GoLiteral.number(t.value, isChar: t.kind == .charConstant) {
        case .success(let n): return n
        case .failure(let message): throw error(message.message)
        }
    }
}
