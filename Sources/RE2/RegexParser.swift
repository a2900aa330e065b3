// RE2 / Go regexp/syntax (Perl flags) pattern text → RegexNode.
//
// Recursive descent over the pattern's Unicode scalars. Error messages and the accept/reject
// decisions follow Go's parser, because Prometheus users see Go's behaviour and we must accept
// exactly the patterns Prometheus accepts.

/// Flags that `(?imsU)` toggle; they scope to the enclosing group.
struct RegexFlags: Equatable, Sendable {
    var foldCase = false
    var dotNL = false
    var multiLine = false
    var ungreedy = false
}

struct RegexParser {
    /// Go's limit on counted repetition (`{n,m}`), also applied to nested counts' product.
    static let maxRepeat = 1000
    /// Go's limit on nesting depth.
    static let maxDepth = 1000

    private let src: [Unicode.Scalar]
    /// Byte offset of each scalar, plus one past the end.
    private let byteOffsets: [Int]
    private var pos = 0
    private var flags = RegexFlags()
    private var depth = 0
    private(set) var captureCount = 0
    /// Leftmost group index for each name, as Go's SubexpIndex reports.
    private(set) var groupNames: [String: Int] = [:]

    init(_ pattern: String, dotMatchesNewline: Bool = false) {
        flags.dotNL = dotMatchesNewline
        var s: [Unicode.Scalar] = []
        var o: [Int] = []
        var b = 0
        for u in pattern.unicodeScalars {
            s.append(u)
            o.append(b)
            b += UTF8.width(u)
        }
        o.append(b)
        src = s
        byteOffsets = o
    }

    // MARK: Errors

    enum Code: String {
        case invalidCharRange = "invalid character class range"
        case invalidEscape = "invalid escape sequence"
        case invalidNamedCapture = "invalid named capture"
        case invalidPerlOp = "invalid or unsupported Perl syntax"
        case invalidRepeatOp = "invalid nested repetition operator"
        case invalidRepeatSize = "invalid repeat count"
        case missingBracket = "missing closing ]"
        case missingParen = "missing closing )"
        case missingRepeatArgument = "missing argument to repetition operator"
        case trailingBackslash = "trailing backslash at end of expression"
        case unexpectedParen = "unexpected )"
        case nestingDepth = "expression nests too deeply"
        case unsupportedClass = "unsupported Unicode class"
    }

    private func text(_ from: Int, _ to: Int) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: src[from..<to])
        return String(v)
    }

    /// An error quoting pattern text `[from, to)`, located at `at` (defaults to `from`).
    private func error(_ code: Code, _ from: Int, _ to: Int, at: Int? = nil) -> RegexError {
        RegexError(
            message: "error parsing regexp: \(code.rawValue): `\(text(from, to))`",
            offset: byteOffsets[at ?? from])
    }

    private func trailingBackslash() -> RegexError {
        RegexError(message: "error parsing regexp: \(Code.trailingBackslash.rawValue): ``", offset: byteOffsets[src.count - 1])
    }

    // MARK: Structure

    mutating func parse() throws(RegexError) -> RegexNode {
        let node = try parseAlternation()
        if pos < src.count {
            // parseAlternation stops only at end or at a `)` it does not own.
            throw error(.unexpectedParen, 0, src.count, at: pos)
        }
        return node
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = pos + offset
        return i < src.count ? src[i] : nil
    }

    private mutating func parseAlternation() throws(RegexError) -> RegexNode {
        var branches: [RegexNode] = []
        while true {
            branches.append(try parseConcat())
            if peek() == "|" {
                pos += 1
                continue
            }
            break
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private mutating func parseConcat() throws(RegexError) -> RegexNode {
        var items: [RegexNode] = []
        // Start of the repetition operator just parsed, to reject stacked operators (`a**`).
        var lastRepeat: Int? = nil
        while let c = peek(), c != "|", c != ")" {
            var thisRepeat: Int? = nil
            switch c {
            case "(":
                if let node = try parseGroup() { items.append(node) }
            case "[":
                items.append(try parseClass())
            case ".":
                pos += 1
                items.append(flags.dotNL ? .anyChar : .anyNotNewline)
            case "^":
                pos += 1
                items.append(.assertion(flags.multiLine ? .beginLine : .beginText))
            case "$":
                pos += 1
                items.append(.assertion(flags.multiLine ? .endLine : .endText))
            case "*", "+", "?":
                let start = pos
                pos += 1
                let (mn, mx) = c == "*" ? (0, -1) : c == "+" ? (1, -1) : (0, 1)
                try applyRepeat(&items, min: mn, max: mx, opStart: start, lastRepeat: lastRepeat)
                thisRepeat = start
            case "{":
                let start = pos
                if let (mn, mx) = parseBraces() {
                    if mn < 0 || mn > Self.maxRepeat || mx > Self.maxRepeat || (mx >= 0 && mn > mx) {
                        throw error(.invalidRepeatSize, start, pos)
                    }
                    try applyRepeat(&items, min: mn, max: mx, opStart: start, lastRepeat: lastRepeat)
                    thisRepeat = start
                } else {
                    // Not a well-formed count: `{` is a literal, as in Go.
                    pos += 1
                    items.append(literal("{"))
                }
            case "\\":
                try parseEscapeAtom(into: &items)
            default:
                pos += 1
                items.append(literal(c))
            }
            lastRepeat = thisRepeat
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// Wraps the last item in a repetition, after the operator (and any lazy `?`) was read.
    private mutating func applyRepeat(
        _ items: inout [RegexNode], min mn: Int, max mx: Int, opStart: Int, lastRepeat: Int?
    ) throws(RegexError) {
        var greedy = true
        if peek() == "?" {
            pos += 1
            greedy = false
        }
        if flags.ungreedy { greedy.toggle() }
        if let lr = lastRepeat {
            // Perl forbids stacking operators; `a++` would be possessive, which RE2 lacks.
            throw error(.invalidRepeatOp, lr, pos)
        }
        guard let sub = items.popLast() else { throw error(.missingRepeatArgument, opStart, pos) }
        let node = RegexNode.repetition(sub, min: mn, max: mx, greedy: greedy)
        if (mn >= 2 || mx >= 2) && !Self.repeatIsValid(node, Self.maxRepeat) {
            throw error(.invalidRepeatSize, opStart, pos)
        }
        items.append(node)
    }

    /// Go's check that nested counted repetitions do not multiply past the limit.
    private static func repeatIsValid(_ node: RegexNode, _ limit: Int) -> Bool {
        var n = limit
        switch node {
        case .repetition(let sub, let mn, let mx, _):
            var m = mx
            if m == 0 { return true }
            if m < 0 { m = mn }
            if m > n { return false }
            if m > 0 { n /= m }
            return repeatIsValid(sub, n)
        case .capture(_, let sub):
            return repeatIsValid(sub, n)
        case .concat(let xs), .alternate(let xs):
            return xs.allSatisfy { repeatIsValid($0, n) }
        default:
            return true
        }
    }

    /// `{n}`, `{n,}`, `{n,m}`; nil (position unchanged) when the text is not a count.
    private mutating func parseBraces() -> (Int, Int)? {
        let save = pos
        pos += 1
        guard let mn = parseInt() else { pos = save; return nil }
        var mx = mn
        if peek() == "," {
            pos += 1
            if peek() == "}" {
                mx = -1
            } else if let m = parseInt() {
                mx = m
            } else {
                pos = save
                return nil
            }
        }
        guard peek() == "}" else { pos = save; return nil }
        pos += 1
        // A count too large to represent is reported as invalid via a negative min.
        if mn == -2 || mx == -2 { return (-1, 0) }
        return (mn, mx)
    }

    /// Decimal digits without leading zeros; -2 stands for "too big" (Go uses 1e8 as the cap).
    private mutating func parseInt() -> Int? {
        guard let c = peek(), ("0"..."9").contains(c) else { return nil }
        if c == "0", let d = peek(1), ("0"..."9").contains(d) { return nil }
        var n = 0
        var tooBig = false
        while let d = peek(), ("0"..."9").contains(d) {
            if n >= 100_000_000 { tooBig = true } else { n = n * 10 + Int(d.value - 0x30) }
            pos += 1
        }
        return tooBig ? -2 : n
    }

    // MARK: Groups

    /// Parses `(...)` in all its forms. Returns nil for a bare flag group like `(?i)`, which
    /// changes flags for the rest of the enclosing group and adds no node.
    private mutating func parseGroup() throws(RegexError) -> RegexNode? {
        let open = pos
        guard peek(1) == "?" else {
            pos += 1
            captureCount += 1
            return try parseGroupBody(open: open, capture: captureCount)
        }
        // Named captures: (?P<name>re) and (?<name>re).
        let startsWithP = peek(2) == "P" && peek(3) == "<" && pos + 4 < src.count
        let startsWithName = peek(2) == "<" && pos + 3 < src.count
        if peek(2) == "<" && (peek(3) == "=" || peek(3) == "!") {
            throw error(.invalidPerlOp, open, open + 4)  // lookbehind
        }
        if startsWithP || startsWithName {
            let nameStart = pos + (startsWithP ? 4 : 3)
            var end = nameStart
            while end < src.count && src[end] != ">" { end += 1 }
            if end == src.count { throw error(.invalidNamedCapture, open, src.count) }
            let name = text(nameStart, end)
            let valid = !name.isEmpty && name.unicodeScalars.allSatisfy {
                $0 == "_" || ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0)
            }
            if !valid { throw error(.invalidNamedCapture, open, end + 1) }
            pos = end + 1
            captureCount += 1
            if groupNames[name] == nil { groupNames[name] = captureCount }
            return try parseGroupBody(open: open, capture: captureCount)
        }
        // Flags, possibly followed by `:` to open a non-capturing group.
        pos += 2
        var f = flags
        var negate = false
        var sawFlag = false
        while let c = peek() {
            pos += 1
            switch c {
            case "i": f.foldCase = !negate; sawFlag = true
            case "m": f.multiLine = !negate; sawFlag = true
            case "s": f.dotNL = !negate; sawFlag = true
            case "U": f.ungreedy = !negate; sawFlag = true
            case "-":
                if negate { throw error(.invalidPerlOp, open, pos) }
                negate = true
                sawFlag = false
            case ":", ")":
                if negate && !sawFlag { throw error(.invalidPerlOp, open, pos) }
                if c == ")" {
                    flags = f
                    return nil
                }
                let saved = flags
                flags = f
                let node = try parseGroupBody(open: open, capture: nil)
                flags = saved
                return node
            default:
                throw error(.invalidPerlOp, open, pos)
            }
        }
        throw error(.invalidPerlOp, open, pos)
    }

    /// Parses a group's contents after its opening syntax, through the closing `)`.
    private mutating func parseGroupBody(open: Int, capture: Int?) throws(RegexError) -> RegexNode {
        depth += 1
        if depth > Self.maxDepth { throw error(.nestingDepth, 0, src.count, at: open) }
        let saved = flags
        let body = try parseAlternation()
        flags = saved
        guard peek() == ")" else { throw error(.missingParen, 0, src.count, at: open) }
        pos += 1
        depth -= 1
        if let index = capture { return .capture(index, body) }
        return body
    }

    // MARK: Literals and escapes

    /// A literal scalar, widened to its case-fold orbit under `(?i)`.
    private func literal(_ c: Unicode.Scalar) -> RegexNode {
        literal(c.value)
    }

    private func literal(_ v: UInt32) -> RegexNode {
        if v >= 0xD800 && v <= 0xDFFF { return .set(RegexCharSet()) }  // `\x{D800}`: can never match
        if flags.foldCase {
            let orbit = RegexUnicode.foldOrbit(v)
            if orbit.count > 1 { return .set(RegexCharSet(ranges: orbit.map { RegexRuneRange(lo: $0, hi: $0) })) }
        }
        return .literal(v)
    }

    /// A class item's set under the current flags: folded, then negated (Go's order).
    private func classGroup(_ base: RegexCharSet, negated: Bool) -> RegexCharSet {
        var s = flags.foldCase ? RegexUnicode.fold(base) : base
        if negated { s = s.inverted() }
        return s
    }

    private mutating func parseEscapeAtom(into items: inout [RegexNode]) throws(RegexError) {
        let start = pos
        guard let c = peek(1) else { throw trailingBackslash() }
        switch c {
        case "A": pos += 2; items.append(.assertion(.beginText)); return
        case "z": pos += 2; items.append(.assertion(.endText)); return
        case "b": pos += 2; items.append(.assertion(.wordBoundary)); return
        case "B": pos += 2; items.append(.assertion(.nonWordBoundary)); return
        case "C": throw error(.invalidEscape, start, start + 2)  // any byte: RE2/Go reject
        case "Q":
            // \Q...\E: everything up to \E (or the end) is literal.
            pos += 2
            while pos < src.count {
                if src[pos] == "\\" && peek(1) == "E" {
                    pos += 2
                    break
                }
                items.append(literal(src[pos]))
                pos += 1
            }
            return
        case "p", "P":
            items.append(.set(try parseUnicodeClass()))
            return
        default:
            if let (set, negated) = RegexUnicode.perlClass(c) {
                pos += 2
                items.append(.set(classGroup(set, negated: negated)))
                return
            }
        }
        items.append(literal(try parseEscapeChar()))
    }

    /// A single-character escape at `pos` (which is at the backslash).
    private mutating func parseEscapeChar() throws(RegexError) -> UInt32 {
        let start = pos
        pos += 1
        guard let c = peek() else { throw trailingBackslash() }
        pos += 1
        func octal(_ s: Unicode.Scalar?) -> UInt32? {
            guard let s, ("0"..."7").contains(s) else { return nil }
            return s.value - 0x30
        }
        func hex(_ s: Unicode.Scalar) -> UInt32? {
            switch s {
            case "0"..."9": return s.value - 0x30
            case "a"..."f": return s.value - 0x61 + 10
            case "A"..."F": return s.value - 0x41 + 10
            default: return nil
            }
        }
        switch c {
        case "1"..."7", "0":
            // A lone non-zero digit would be a backreference, which RE2 does not support.
            if c != "0" && octal(peek()) == nil { break }
            var r = c.value - 0x30
            for _ in 1..<3 {
                guard let d = octal(peek()) else { break }
                r = r * 8 + d
                pos += 1
            }
            return r
        case "x":
            guard let c2 = peek() else { break }
            pos += 1
            if c2 == "{" {
                var nhex = 0
                var r: UInt32 = 0
                while true {
                    guard let d = peek() else { throw error(.invalidEscape, start, pos) }
                    pos += 1
                    if d == "}" { break }
                    guard let v = hex(d) else { throw error(.invalidEscape, start, pos) }
                    r = r * 16 + v
                    if r > RegexCharSet.maxRune { throw error(.invalidEscape, start, pos) }
                    nhex += 1
                }
                if nhex == 0 { break }
                return r
            }
            guard let c3 = peek() else { break }
            pos += 1
            guard let x = hex(c2), let y = hex(c3) else { break }
            return x * 16 + y
        case "a": return 0x07
        case "f": return 0x0C
        case "n": return 0x0A
        case "r": return 0x0D
        case "t": return 0x09
        case "v": return 0x0B
        default:
            // Escaped ASCII punctuation is always itself (including `\_`, as Go allows).
            let v = c.value
            let alnum = ("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
            if v < 0x80 && !alnum { return v }
        }
        throw error(.invalidEscape, start, pos)
    }

    /// `\pL`, `\p{Name}`, `\PL`, `\p{^Name}` at `pos`.
    private mutating func parseUnicodeClass() throws(RegexError) -> RegexCharSet {
        let start = pos
        var negated = src[pos + 1] == "P"
        pos += 2
        var name: String
        if let c = peek(), c != "{" {
            pos += 1
            name = String(Character(c))
        } else if peek() == "{" {
            var end = pos
            while end < src.count && src[end] != "}" { end += 1 }
            if end == src.count { throw error(.invalidCharRange, start, src.count) }
            name = text(pos + 1, end)
            pos = end + 1
        } else {
            name = ""
        }
        if name.hasPrefix("^") {
            negated.toggle()
            name.removeFirst()
        }
        switch RegexUnicode.named(name) {
        case .found(let set): return classGroup(set, negated: negated)
        case .unsupported: throw error(.unsupportedClass, start, pos)
        case .unknown: throw error(.invalidCharRange, start, pos)
        }
    }

    // MARK: Character classes

    private mutating func parseClass() throws(RegexError) -> RegexNode {
        let start = pos
        pos += 1
        var negated = false
        if peek() == "^" {
            negated = true
            pos += 1
        }
        var ranges: [RegexRuneRange] = []
        func add(_ s: RegexCharSet) { ranges.append(contentsOf: s.ranges) }
        var first = true
        // `]` right after `[` or `[^` is a literal.
        while peek() != "]" || first {
            first = false
            guard let c = peek() else { throw error(.missingBracket, start, src.count) }
            if c == "[" && peek(1) == ":" && pos + 2 < src.count {
                if let s = try parseNamedClass() {
                    add(s)
                    continue
                }
            }
            if c == "\\", let e = peek(1) {
                if e == "p" || e == "P" {
                    add(try parseUnicodeClass())
                    continue
                }
                if let (set, neg) = RegexUnicode.perlClass(e) {
                    pos += 2
                    add(classGroup(set, negated: neg))
                    continue
                }
            }
            let rangeStart = pos
            let lo = try parseClassChar(classStart: start)
            var hi = lo
            if peek() == "-", let after = peek(1), after != "]" {
                pos += 1
                hi = try parseClassChar(classStart: start)
                if hi < lo { throw error(.invalidCharRange, rangeStart, pos) }
            }
            let r = RegexCharSet(ranges: [RegexRuneRange(lo: lo, hi: hi)])
            add(flags.foldCase ? RegexUnicode.fold(r) : r)
        }
        pos += 1
        var set = RegexCharSet(ranges: ranges)
        if negated { set = set.inverted() }
        return .set(set)
    }

    private mutating func parseClassChar(classStart: Int) throws(RegexError) -> UInt32 {
        guard let c = peek() else { throw error(.missingBracket, classStart, src.count) }
        if c == "\\" { return try parseEscapeChar() }
        pos += 1
        return c.value
    }

    /// `[:alpha:]` / `[:^alpha:]` at `pos`; nil when there is no closing `:]` (then `[` is literal).
    private mutating func parseNamedClass() throws(RegexError) -> RegexCharSet? {
        var end = pos + 2
        while end + 1 < src.count && !(src[end] == ":" && src[end + 1] == "]") { end += 1 }
        guard end + 1 < src.count else { return nil }
        var name = text(pos + 2, end)
        var negated = false
        if name.hasPrefix("^") {
            negated = true
            name.removeFirst()
        }
        guard let set = RegexUnicode.posixClass(name) else { throw error(.invalidCharRange, pos, end + 2) }
        pos = end + 2
        return classGroup(set, negated: negated)
    }
}
