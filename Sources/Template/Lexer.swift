/// Splits template source into tokens the way Go's text/template/parse lexer does, so that
/// trim markers, comments, positions and lexical errors come out the same.

enum TokenKind: Equatable, Sendable {
    case error, eof
    case text, comment, leftDelim, rightDelim, space
    case assign, declare, pipe, leftParen, rightParen, char
    case string, rawString, charConstant, number, bool, identifier, field, variable
    // Keywords (Go prints these as <name> in error messages).
    case dot, nilKeyword, block, breakKeyword, continueKeyword, define, elseKeyword, end, ifKeyword
    case range, template, with

    var isKeyword: Bool {
        switch self {
        case .dot, .nilKeyword, .block, .breakKeyword, .continueKeyword, .define, .elseKeyword, .end,
            .ifKeyword, .range, .template, .with:
            return true
        default: return false
        }
    }
}

struct Token: Sendable {
    var kind: TokenKind
    /// Byte offset of the token in the source.
    var pos: Int
    /// The token's text; for `.error`, the message.
    var value: String
    /// 1-based line of the token's start.
    var line: Int

    /// How Go's parser names a token in "unexpected …" messages.
    var goDescription: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return value
        default:
            if kind.isKeyword { return "<\(value)>" }
            if value.utf8.count > 10 {
                return GoFormat.quote(String(String.UnicodeScalarView(value.unicodeScalars.prefix(10)))) + "..."
            }
            return GoFormat.quote(value)
        }
    }
}

private let keywords: [String: TokenKind] = [
    ".": .dot, "block": .block, "break": .breakKeyword, "continue": .continueKeyword, "define": .define,
    "else": .elseKeyword, "end": .end, "if": .ifKeyword, "range": .range, "nil": .nilKeyword,
    "template": .template, "with": .with,
]

struct Lexer {
    private let input: [UInt8]
    private var pos = 0
    private var start = 0
    private var tokens: [Token] = []
    private var parenDepth = 0
    // Line bookkeeping: the line at `lineCachePos`, advanced monotonically.
    private var lineCachePos = 0
    private var lineCacheLine = 1

    init(_ input: [UInt8]) {
        self.input = input
    }

    /// All tokens up to and including the final `.eof` or `.error` token.
    static func tokenize(_ input: [UInt8]) -> [Token] {
        var lexer = Lexer(input)
        lexer.run()
        return lexer.tokens
    }

    // MARK: - helpers

    private func byte(at i: Int) -> UInt8? { i < input.count ? input[i] : nil }

    private func hasPrefix(_ s: StaticString, at i: Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= input.count else { return false }
        let p = s.utf8Start
        for k in 0..<n where input[i + k] != p[k] { return false }
        return true
    }

    private static func isSpace(_ c: UInt8?) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n")
    }

    private func hasLeftTrimMarker(at i: Int) -> Bool {
        byte(at: i) == UInt8(ascii: "-") && Lexer.isSpace(byte(at: i + 1))
    }

    private func hasRightTrimMarker(at i: Int) -> Bool {
        Lexer.isSpace(byte(at: i)) && byte(at: i + 1) == UInt8(ascii: "-")
    }

    /// (at a right delimiter, with a trim marker)
    private func atRightDelim() -> (Bool, Bool) {
        if hasRightTrimMarker(at: pos) && hasPrefix("}}", at: pos + 2) { return (true, true) }
        if hasPrefix("}}", at: pos) { return (true, false) }
        return (false, false)
    }

    private mutating func line(at offset: Int) -> Int {
        if offset < lineCachePos {
            lineCachePos = 0
            lineCacheLine = 1
        }
        var i = lineCachePos
        while i < offset && i < input.count {
            if input[i] == UInt8(ascii: "\n") { lineCacheLine += 1 }
            i += 1
        }
        lineCachePos = offset
        return lineCacheLine
    }

    private mutating func emit(_ kind: TokenKind) {
        let text = String(decoding: input[start..<pos], as: UTF8.self)
        tokens.append(Token(kind: kind, pos: start, value: text, line: line(at: start)))
        start = pos
    }

    private mutating func fail(_ message: String) {
        tokens.append(Token(kind: .error, pos: start, value: message, line: line(at: start)))
    }

    /// Decodes the scalar at `i` (for identifiers and error messages); returns it and its length.
    private func scalar(at i: Int) -> (Unicode.Scalar, Int)? {
        guard i < input.count else { return nil }
        var iterator = input[i...].makeIterator()
        var decoder = UTF8()
        switch decoder.decode(&iterator) {
        case .scalarValue(let s): return (s, s.value < 0x80 ? 1 : s.value < 0x800 ? 2 : s.value < 0x10000 ? 3 : 4)
        default: return ("\u{FFFD}", 1)
        }
    }

    private func isAlphaNumeric(at i: Int) -> Bool {
        guard let c = byte(at: i) else { return false }
        if c < 0x80 {
            return c == UInt8(ascii: "_") || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
        }
        guard let (s, _) = scalar(at: i) else { return false }
        return UnicodeClass.isLetter(s) || UnicodeClass.isDigit(s)
    }

    private func scalarLength(at i: Int) -> Int {
        guard let c = byte(at: i) else { return 0 }
        if c < 0x80 { return 1 }
        return scalar(at: i)?.1 ?? 1
    }

    /// Go's %#U rendering: U+0041 'A'.
    private func describeScalar(at i: Int) -> String {
        guard let (s, _) = scalar(at: i) else { return "U+FFFFFFFF" }  // eof in Go is -1
        return GoFormat.unicodeNotation(s)
    }

    // MARK: - states

    private mutating func run() {
        while true {
            if tokens.last.map({ $0.kind == .error || $0.kind == .eof }) == true { return }
            lexText()
        }
    }

    private mutating func lexText() {
        var i = pos
        while i + 1 < input.count {
            if input[i] == UInt8(ascii: "{") && input[i + 1] == UInt8(ascii: "{") { break }
            i += 1
        }
        if i + 1 >= input.count {
            pos = input.count
            if pos > start { emit(.text) }
            emit(.eof)
            return
        }
        pos = i
        var trim = 0
        if hasLeftTrimMarker(at: pos + 2) {
            var j = pos
            while j > start && Lexer.isSpace(input[j - 1]) { j -= 1 }
            trim = pos - j
        }
        pos -= trim
        if pos > start { emit(.text) }
        pos += trim
        start = pos
        lexLeftDelim()
    }

    private mutating func lexLeftDelim() {
        pos += 2
        let trim = hasLeftTrimMarker(at: pos)
        let after = trim ? 2 : 0
        if hasPrefix("/*", at: pos + after) {
            pos += after
            start = pos
            lexComment()
            return
        }
        emit(.leftDelim)
        pos += after
        start = pos
        parenDepth = 0
        lexInsideAction()
    }

    private mutating func lexComment() {
        pos += 2
        var x = pos
        while x + 1 < input.count && !(input[x] == UInt8(ascii: "*") && input[x + 1] == UInt8(ascii: "/")) { x += 1 }
        if x + 1 >= input.count {
            fail("unclosed comment")
            return
        }
        pos = x + 2
        let (delim, trim) = atRightDelim()
        if !delim {
            fail("comment ends before closing delimiter")
            return
        }
        emit(.comment)
        if trim { pos += 2 }
        pos += 2
        if trim { skipLeadingSpace() }
        start = pos
    }

    private mutating func skipLeadingSpace() {
        while pos < input.count && Lexer.isSpace(input[pos]) { pos += 1 }
    }

    private mutating func lexRightDelim() {
        let trim = hasRightTrimMarker(at: pos)
        if trim {
            pos += 2
            start = pos
        }
        pos += 2
        emit(.rightDelim)
        if trim {
            skipLeadingSpace()
            start = pos
        }
    }

    private mutating func lexInsideAction() {
        while true {
            let (delim, _) = atRightDelim()
            if delim {
                if parenDepth == 0 {
                    lexRightDelim()
                } else {
                    fail("unclosed left paren")
                }
                return
            }
            guard let c = byte(at: pos) else {
                fail("unclosed action")
                return
            }
            switch c {
            case _ where Lexer.isSpace(c):
                if !lexSpace() {
                    lexRightDelim()
                    return
                }
            case UInt8(ascii: "="):
                pos += 1
                emit(.assign)
            case UInt8(ascii: ":"):
                pos += 1
                if byte(at: pos) != UInt8(ascii: "=") {
                    fail("expected :=")
                    return
                }
                pos += 1
                emit(.declare)
            case UInt8(ascii: "|"):
                pos += 1
                emit(.pipe)
            case UInt8(ascii: "\""):
                pos += 1
                if !lexQuote() { return }
            case UInt8(ascii: "`"):
                pos += 1
                if !lexRawQuote() { return }
            case UInt8(ascii: "$"):
                pos += 1
                if !lexVariable() { return }
            case UInt8(ascii: "'"):
                pos += 1
                if !lexChar() { return }
            case UInt8(ascii: "."):
                if let n = byte(at: pos + 1), n < 48 || n > 57 {
                    pos += 1
                    if !lexFieldOrVariable(.field) { return }
                } else if !lexNumber() {
                    return
                }
            case UInt8(ascii: "+"), UInt8(ascii: "-"), 48...57:
                if !lexNumber() { return }
            case UInt8(ascii: "("):
                pos += 1
                emit(.leftParen)
                parenDepth += 1
            case UInt8(ascii: ")"):
                pos += 1
                emit(.rightParen)
                parenDepth -= 1
                if parenDepth < 0 {
                    fail("unexpected right paren U+0029 ')'")
                    return
                }
            default:
                if isAlphaNumeric(at: pos) {
                    if !lexIdentifier() { return }
                } else if c < 0x80 && c >= 0x20 && c != 0x7F {
                    pos += 1
                    emit(.char)
                } else {
                    fail("unrecognized character in action: \(describeScalar(at: pos))")
                    return
                }
            }
        }
    }

    /// Returns false when the spaces are the start of a " -}}" trim marker that ends the action.
    private mutating func lexSpace() -> Bool {
        var n = 0
        while pos < input.count && Lexer.isSpace(input[pos]) {
            pos += 1
            n += 1
        }
        if hasRightTrimMarker(at: pos - 1) && hasPrefix("}}", at: pos + 1) {
            pos -= 1
            if n == 1 { return false }
        }
        emit(.space)
        return true
    }

    private func atTerminator() -> Bool {
        guard let c = byte(at: pos) else { return true }
        if Lexer.isSpace(c) { return true }
        switch c {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: ")"),
            UInt8(ascii: "("):
            return true
        default:
            return hasPrefix("}}", at: pos)
        }
    }

    private mutating func lexIdentifier() -> Bool {
        while isAlphaNumeric(at: pos) { pos += scalarLength(at: pos) }
        if !atTerminator() {
            fail("bad character \(describeScalar(at: pos))")
            return false
        }
        let word = String(decoding: input[start..<pos], as: UTF8.self)
        if let kw = keywords[word], kw != .dot {
            emit(kw)
        } else if word == "true" || word == "false" {
            emit(.bool)
        } else {
            emit(.identifier)
        }
        return true
    }

    private mutating func lexVariable() -> Bool {
        if atTerminator() {
            emit(.variable)
            return true
        }
        return lexFieldOrVariable(.variable)
    }

    private mutating func lexFieldOrVariable(_ kind: TokenKind) -> Bool {
        if atTerminator() {
            emit(kind == .variable ? .variable : .dot)
            return true
        }
        while isAlphaNumeric(at: pos) { pos += scalarLength(at: pos) }
        if !atTerminator() {
            fail("bad character \(describeScalar(at: pos))")
            return false
        }
        emit(kind)
        return true
    }

    /// A quoted token with backslash escapes: a character constant ('…') or a string ("…").
    private mutating func lexEscaped(until close: UInt8, as kind: TokenKind, what: String) -> Bool {
        while true {
            guard let c = byte(at: pos) else {
                fail("unterminated \(what)")
                return false
            }
            pos += 1
            if c == UInt8(ascii: "\\") {
                if let n = byte(at: pos), n != UInt8(ascii: "\n") {
                    pos += 1
                    continue
                }
                fail("unterminated \(what)")
                return false
            }
            if c == UInt8(ascii: "\n") {
                fail("unterminated \(what)")
                return false
            }
            if c == close { break }
        }
        emit(kind)
        return true
    }

    private mutating func lexChar() -> Bool {
        lexEscaped(until: UInt8(ascii: "'"), as: .charConstant, what: "character constant")
    }

    private mutating func lexQuote() -> Bool {
        lexEscaped(until: UInt8(ascii: "\""), as: .string, what: "quoted string")
    }

    private mutating func lexRawQuote() -> Bool {
        while true {
            guard let c = byte(at: pos) else {
                fail("unterminated raw quoted string")
                return false
            }
            pos += 1
            if c == UInt8(ascii: "`") { break }
        }
        emit(.rawString)
        return true
    }

    private mutating func accept(_ set: StaticString) -> Bool {
        guard let c = byte(at: pos) else { return false }
        let p = set.utf8Start
        for k in 0..<set.utf8CodeUnitCount where p[k] == c {
            pos += 1
            return true
        }
        return false
    }

    private mutating func acceptRun(_ set: StaticString) {
        while accept(set) {}
    }

    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits: StaticString = "0123456789_"
        var kind = 10
        if accept("0") {
            if accept("xX") {
                digits = "0123456789abcdefABCDEF_"
                kind = 16
            } else if accept("oO") {
                digits = "01234567_"
                kind = 8
            } else if accept("bB") {
                digits = "01_"
                kind = 2
            }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if kind == 10 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if kind == 16 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if isAlphaNumeric(at: pos) {
            pos += scalarLength(at: pos)
            return false
        }
        return true
    }

    private mutating func lexNumber() -> Bool {
        if !scanNumber() {
            let text = String(decoding: input[start..<pos], as: UTF8.self)
            fail("bad number syntax: \(GoFormat.quote(text))")
            return false
        }
        if let c = byte(at: pos), c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
            // A complex constant (1+2i): accepted by the lexer, rejected by the parser.
            if !scanNumber() || input[pos - 1] != UInt8(ascii: "i") {
                let text = String(decoding: input[start..<pos], as: UTF8.self)
                fail("bad number syntax: \(GoFormat.quote(text))")
                return false
            }
        }
        emit(.number)
        return true
    }
}
