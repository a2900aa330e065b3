/// The parsed form of a template. Positions are byte offsets into the parsed text, so that
/// execution errors can report `name:line:column` as Go does; `description` reproduces Go's
/// node `String()` forms, which appear in error messages (`at <.Labels.foo>`).

/// A number literal, with the interpretations Go's parser computes up front.
struct NumberConstant: Sendable {
    var text: String
    var isInt = false
    var isUint = false
    var isFloat = false
    var intValue: Int64 = 0
    var floatValue: Double = 0
    /// Hex integers and character constants stay integers even when written like floats.
    var isHexOrRune = false
    var looksFloat = false
}

struct VariableRef: Sendable {
    var pos: Int
    var name: String
}

final class PipeNode: Sendable {
    let pos: Int
    let line: Int
    let isAssign: Bool
    let decl: [VariableRef]
    let cmds: [CommandNode]

    init(pos: Int, line: Int, isAssign: Bool, decl: [VariableRef], cmds: [CommandNode]) {
        self.pos = pos
        self.line = line
        self.isAssign = isAssign
        self.decl = decl
        self.cmds = cmds
    }
}

struct CommandNode: Sendable {
    var pos: Int
    var args: [ArgNode]
}

indirect enum ArgNode: Sendable {
    /// `.A.B`
    case field(pos: Int, names: [String])
    /// `$x.A.B` (names[0] is the variable, including the `$`)
    case variable(pos: Int, names: [String])
    /// `(pipeline).A.B` or `(term).A`
    case chain(pos: Int, node: ArgNode, fields: [String])
    /// A function name, resolved when parsed.
    case identifier(pos: Int, name: String, function: TemplateFunction)
    case pipe(PipeNode)
    case dot(pos: Int)
    case nilConstant(pos: Int)
    case bool(pos: Int, Bool)
    case number(pos: Int, NumberConstant)
    case string(pos: Int, quoted: String, value: String)

    var pos: Int {
        switch self {
        case .field(let p, _), .variable(let p, _), .chain(let p, _, _), .identifier(let p, _, _), .dot(let p),
            .nilConstant(let p), .bool(let p, _), .number(let p, _), .string(let p, _, _):
            return p
        case .pipe(let p): return p.pos
        }
    }
}

struct ListNode: Sendable {
    var pos: Int
    var nodes: [Node]
}

/// `if`, `range` and `with` share this shape.
struct BranchNode: Sendable {
    var pos: Int
    var line: Int
    var pipe: PipeNode
    var list: ListNode
    var elseList: ListNode?
}

struct TemplateCallNode: Sendable {
    var pos: Int
    var line: Int
    var name: String
    var pipe: PipeNode?
}

indirect enum Node: Sendable {
    case text(pos: Int, String)
    case action(pos: Int, line: Int, PipeNode)
    case comment(pos: Int, String)
    case ifNode(BranchNode)
    case rangeNode(BranchNode)
    case withNode(BranchNode)
    case templateCall(TemplateCallNode)
    case breakNode(pos: Int)
    case continueNode(pos: Int)
    case list(ListNode)

    var pos: Int {
        switch self {
        case .text(let p, _), .action(let p, _, _), .comment(let p, _), .breakNode(let p), .continueNode(let p):
            return p
        case .ifNode(let b), .rangeNode(let b), .withNode(let b): return b.pos
        case .templateCall(let t): return t.pos
        case .list(let l): return l.pos
        }
    }
}

/// One named template.
final class Tree: Sendable {
    let name: String
    /// The name given to the parse call that produced it (Go's ParseName), used in positions.
    let parseName: String
    let root: ListNode
    let source: SourceText

    init(name: String, parseName: String, root: ListNode, source: SourceText) {
        self.name = name
        self.parseName = parseName
        self.root = root
        self.source = source
    }

    var isEmpty: Bool { Tree.isEmpty(.list(root)) }

    static func isEmpty(_ node: Node) -> Bool {
        switch node {
        case .comment: return true
        case .text(_, let s): return s.allSatisfy { $0.isWhitespace }
        case .list(let l): return l.nodes.allSatisfy { isEmpty($0) }
        default: return false
        }
    }
}

/// The bytes of one parsed text, shared by every tree parsed from it.
final class SourceText: Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Go's ErrorContext arithmetic: 1-based line, 0-based byte column.
    func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        let end = min(offset, bytes.count)
        var line = 1
        var lastNewline = -1
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lastNewline = i
        }
        return (line, lastNewline < 0 ? end : end - lastNewline - 1)
    }
}

// MARK: - Go's String() forms

extension ArgNode: CustomStringConvertible {
    var description: String {
        switch self {
        case .field(_, let names): return names.map { "." + $0 }.joined()
        case .variable(_, let names): return names.joined(separator: ".")
        case .chain(_, let node, let fields):
            var s: String
            if case .pipe = node { s = "(" + node.description + ")" } else { s = node.description }
            for f in fields { s += "." + f }
            return s
        case .identifier(_, let name, _): return name
        case .pipe(let p): return p.description
        case .dot: return "."
        case .nilConstant: return "nil"
        case .bool(_, let b): return b ? "true" : "false"
        case .number(_, let n): return n.text
        case .string(_, let quoted, _): return quoted
        }
    }
}

extension CommandNode: CustomStringConvertible {
    var description: String {
        args.map { arg -> String in
            if case .pipe = arg { return "(" + arg.description + ")" }
            return arg.description
        }.joined(separator: " ")
    }
}

extension PipeNode: CustomStringConvertible {
    var description: String {
        var s = ""
        if !decl.isEmpty {
            s = decl.map(\.name).joined(separator: ", ") + (isAssign ? " = " : " := ")
        }
        return s + cmds.map(\.description).joined(separator: " | ")
    }
}

extension ListNode: CustomStringConvertible {
    var description: String { nodes.map(\.description).joined() }
}

extension Node: CustomStringConvertible {
    var description: String {
        switch self {
        case .text(_, let s): return GoFormat.quote(s)
        case .action(_, _, let p): return "{{\(p)}}"
        case .comment(_, let s): return "{{\(s)}}"
        case .ifNode(let b): return Node.branch("if", b)
        case .rangeNode(let b): return Node.branch("range", b)
        case .withNode(let b): return Node.branch("with", b)
        case .templateCall(let t):
            if let p = t.pipe { return "{{template \(GoFormat.quote(t.name)) \(p)}}" }
            return "{{template \(GoFormat.quote(t.name))}}"
        case .breakNode: return "{{break}}"
        case .continueNode: return "{{continue}}"
        case .list(let l): return l.description
        }
    }

    private static func branch(_ name: String, _ b: BranchNode) -> String {
        var s = "{{\(name) \(b.pipe)}}\(b.list)"
        if let e = b.elseList { s += "{{else}}\(e)" }
        return s + "{{end}}"
    }
}
