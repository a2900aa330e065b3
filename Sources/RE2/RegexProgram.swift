// RegexNode → Thompson NFA program, the common input of the DFA builder and the Pike VM.

struct RegexInst: Sendable {
    enum Op: UInt8, Sendable {
        /// Consume the scalar `arg`.
        case rune
        /// Consume a scalar in `sets[arg]`.
        case set
        case anyChar
        case anyNotNewline
        /// Continue at `out` (preferred) and at `arg`.
        case split
        case jump
        /// Record the current position in capture slot `arg`.
        case save
        /// Continue only if assertion `arg` (a RegexAssertion raw value) holds here.
        case assert
        case match
        case fail
    }

    var op: Op
    var out: Int32
    var arg: Int32

    var isConsuming: Bool {
        switch op {
        case .rune, .set, .anyChar, .anyNotNewline: return true
        default: return false
        }
    }
}

/// A compiled pattern. Execution always starts at instruction 0 at the start of the input and
/// reaches `match` only at its end, so the program itself encodes Prometheus's full anchoring.
struct RegexProgram: Sendable {
    /// Beyond this the pattern is rejected like Go's "expression too large".
    static let maxInstructions = 1_000_000

    var insts: [RegexInst] = []
    var sets: [RegexCharSet] = []
    /// Capturing groups, not counting the implicit group 0.
    var captureCount = 0
    /// Whether some assertion looks at neighbouring newlines (`(?m)^`, `(?m)$`).
    var usesLineContext = false
    /// Whether some assertion looks at neighbouring word characters (`\b`, `\B`).
    var usesWordContext = false

    var slotCount: Int { 2 * (captureCount + 1) }

    static func compile(_ node: RegexNode, captureCount: Int, pattern: String) throws(RegexError) -> RegexProgram {
        var c = Compiler(pattern: pattern)
        _ = try c.add(.save, arg: 0)
        try c.emit(node)
        _ = try c.add(.save, arg: 1)
        _ = try c.add(.assert, arg: RegexAssertion.endText.rawValue)
        _ = try c.add(.match)
        var prog = RegexProgram()
        prog.insts = c.insts
        prog.sets = c.sets
        prog.captureCount = captureCount
        for inst in c.insts where inst.op == .assert {
            switch RegexAssertion(rawValue: inst.arg) {
            case .beginLine, .endLine: prog.usesLineContext = true
            case .wordBoundary, .nonWordBoundary: prog.usesWordContext = true
            default: break
            }
        }
        return prog
    }

    private struct Compiler {
        let pattern: String
        var insts: [RegexInst] = []
        var sets: [RegexCharSet] = []
        var setIndex: [RegexCharSet: Int32] = [:]

        init(pattern: String) { self.pattern = pattern }

        var pc: Int32 { Int32(insts.count) }

        /// Appends an instruction that falls through to the next one by default.
        mutating func add(_ op: RegexInst.Op, arg: Int32 = 0) throws(RegexError) -> Int32 {
            if insts.count >= RegexProgram.maxInstructions {
                throw RegexError(message: "error parsing regexp: expression too large: `\(pattern)`", offset: 0)
            }
            let at = pc
            insts.append(RegexInst(op: op, out: at + 1, arg: arg))
            return at
        }

        mutating func intern(_ s: RegexCharSet) -> Int32 {
            if let i = setIndex[s] { return i }
            let i = Int32(sets.count)
            sets.append(s)
            setIndex[s] = i
            return i
        }

        /// Points a split at `body` and `exit`, preferring `body` when greedy.
        mutating func patchSplit(_ sp: Int32, body: Int32, exit: Int32, greedy: Bool) {
            insts[Int(sp)].out = greedy ? body : exit
            insts[Int(sp)].arg = greedy ? exit : body
        }

        mutating func emit(_ n: RegexNode) throws(RegexError) {
            switch n {
            case .empty:
                return
            case .literal(let c):
                _ = try add(.rune, arg: Int32(c))
            case .set(let s):
                if s.isEmpty {
                    _ = try add(.fail)
                } else if let c = s.singleScalar {
                    _ = try add(.rune, arg: Int32(c))
                } else if s == RegexCharSet.all {
                    _ = try add(.anyChar)
                } else if s == RegexCharSet.allButNewline {
                    _ = try add(.anyNotNewline)
                } else {
                    _ = try add(.set, arg: intern(s))
                }
            case .anyChar:
                _ = try add(.anyChar)
            case .anyNotNewline:
                _ = try add(.anyNotNewline)
            case .assertion(let a):
                _ = try add(.assert, arg: a.rawValue)
            case .capture(let i, let x):
                _ = try add(.save, arg: Int32(2 * i))
                try emit(x)
                _ = try add(.save, arg: Int32(2 * i + 1))
            case .concat(let xs):
                for x in xs { try emit(x) }
            case .alternate(let xs):
                var jumps: [Int32] = []
                for (i, x) in xs.enumerated() {
                    if i == xs.count - 1 {
                        try emit(x)
                    } else {
                        let sp = try add(.split)
                        try emit(x)
                        jumps.append(try add(.jump))
                        patchSplit(sp, body: sp + 1, exit: pc, greedy: true)
                    }
                }
                for j in jumps { insts[Int(j)].out = pc }
            case .repetition(let x, let mn, let mx, let greedy):
                try emitRepeat(x, min: mn, max: mx, greedy: greedy)
            }
        }

        mutating func emitRepeat(_ x: RegexNode, min mn: Int, max mx: Int, greedy: Bool) throws(RegexError) {
            if mx == -1 {
                if mn == 0 {
                    try emitStar(x, greedy: greedy)
                } else {
                    // x{n,} is n-1 copies followed by x+.
                    for _ in 0..<(mn - 1) { try emit(x) }
                    try emitPlus(x, greedy: greedy)
                }
                return
            }
            for _ in 0..<mn { try emit(x) }
            // x{n,m} continues as (x(x(x)?)?)?: every optional copy exits to the same end.
            var splits: [Int32] = []
            for _ in 0..<(mx - mn) {
                splits.append(try add(.split))
                try emit(x)
            }
            let end = pc
            for sp in splits { patchSplit(sp, body: sp + 1, exit: end, greedy: greedy) }
        }

        mutating func emitStar(_ x: RegexNode, greedy: Bool) throws(RegexError) {
            if x.nullable {
                // As Go does: x* over a possibly-empty x is (x+)?, which gives Perl's submatches.
                let sp = try add(.split)
                try emitPlus(x, greedy: greedy)
                patchSplit(sp, body: sp + 1, exit: pc, greedy: greedy)
                return
            }
            let sp = try add(.split)
            try emit(x)
            let j = try add(.jump)
            insts[Int(j)].out = sp
            patchSplit(sp, body: sp + 1, exit: pc, greedy: greedy)
        }

        mutating func emitPlus(_ x: RegexNode, greedy: Bool) throws(RegexError) {
            let start = pc
            try emit(x)
            let sp = try add(.split)
            patchSplit(sp, body: start, exit: sp + 1, greedy: greedy)
        }
    }
}
