/// Turns PromQL text into tokens on demand, one at a time.
///
/// The lexer is stateful the way Prometheus's is — inside `{…}` only label-matching tokens
/// exist, right after `[` a duration must follow, inside `[…]` a letter is a colon — because
/// many of Prometheus's error messages ("unexpected character inside braces", "unclosed left
/// parenthesis", "unexpected colon") come from that state machine, and from where it stands
/// when it fails. Lexing is pulled by the parser, so a lexical error is reported exactly when
/// the parser reaches it, as in Prometheus.
struct Lexer {
    let src: [UInt8]
    private var pos = 0
    private var parenDepth = 0
    private var braceOpen = false
    private var bracketOpen = false
    private var gotColon = false
    private var durationNext = false
    private var finished = false

    init(_ src: [UInt8]) {
        self.src = src
    }

    private func fail(_ message: String, at offset: Int) -> ParseError {
        ParseError(message, at: PositionRange(start: offset, end: src.count), in: src)
    }

    // MARK: Character classes (ASCII only, as in Prometheus)

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool {
        c == 0x5F || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A)
    }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isAlphaNumeric(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) }
    @inline(__always) private static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }

    /// The Unicode scalar starting at byte `i` (input is valid UTF-8), or nil at the end.
    private func scalar(at i: Int) -> (Unicode.Scalar, Int)? {
        guard i < src.count else { return nil }
        let b0 = src[i]
        var value: UInt32
        var length: Int
        switch b0 {
        case 0..<0x80: return (Unicode.Scalar(b0), 1)
        case 0xC0..<0xE0: value = UInt32(b0 & 0x1F); length = 2
        case 0xE0..<0xF0: value = UInt32(b0 & 0x0F); length = 3
        default: value = UInt32(b0 & 0x07); length = 4
        }
        for k in 1..<length where i + k < src.count {
            value = value << 6 | UInt32(src[i + k] & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", min(length, src.count - i))
    }

    @inline(__always) private mutating func accept(_ pred: (UInt8) -> Bool) -> Bool {
        if pos < src.count, pred(src[pos]) {
            pos += 1
            return true
        }
        return false
    }

    @inline(__always) private mutating func acceptRun(_ pred: (UInt8) -> Bool) {
        while pos < src.count, pred(src[pos]) { pos += 1 }
    }

    private static func isDurationUnit(_ c: UInt8) -> Bool {
        c == 0x73 || c == 0x6D || c == 0x68 || c == 0x64 || c == 0x77 || c == 0x79  // s m h d w y
    }

    // MARK: Tokens

    @inline(never)
    mutating func next() throws(ParseError) -> Token {
        if finished { return Token(kind: .eof, start: src.count, end: src.count) }
        if durationNext {
            durationNext = false
            return try lexDuration()
        }
        while true {
            // Comments are allowed anywhere a new token may start, even inside braces.
            if pos < src.count, src[pos] == UInt8(ascii: "#") {
                while pos < src.count, src[pos] != 0x0A, src[pos] != 0x0D { pos += 1 }
                continue
            }
            if braceOpen {
                if let token = try lexInsideBraces() { return token }
                continue
            }
            let start = pos
            guard pos < src.count else {
                if parenDepth != 0 { throw fail("unclosed left parenthesis", at: start) }
                if bracketOpen { throw fail("unclosed left bracket", at: start) }
                finished = true
                return Token(kind: .eof, start: start, end: start)
            }
            let c = src[pos]
            pos += 1
            func token(_ kind: TokenKind) -> Token { Token(kind: kind, start: start, end: pos) }
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D:
                continue
            case UInt8(ascii: ","): return token(.comma)
            case UInt8(ascii: "*"): return token(.mul)
            case UInt8(ascii: "/"): return token(.div)
            case UInt8(ascii: "%"): return token(.mod)
            case UInt8(ascii: "+"): return token(.add)
            case UInt8(ascii: "-"): return token(.sub)
            case UInt8(ascii: "^"): return token(.pow)
            case UInt8(ascii: "@"): return token(.at)
            case UInt8(ascii: "="):
                if pos < src.count, src[pos] == UInt8(ascii: "=") {
                    pos += 1
                    return token(.eqlc)
                }
                if pos < src.count, src[pos] == UInt8(ascii: "~") {
                    throw fail("unexpected character after '=': '~'", at: start)
                }
                return token(.assign)
            case UInt8(ascii: "!"):
                if pos < src.count, src[pos] == UInt8(ascii: "=") {
                    pos += 1
                    return token(.neq)
                }
                let found = scalar(at: pos)?.0
                throw fail("unexpected character after '!': \(GoFormat.quoteRune(found))", at: start)
            case UInt8(ascii: "<"):
                if accept({ $0 == UInt8(ascii: "=") }) { return token(.lte) }
                return token(.lss)
            case UInt8(ascii: ">"):
                if accept({ $0 == UInt8(ascii: "=") }) { return token(.gte) }
                return token(.gtr)
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                return try lexString(start: start, quote: c)
            case UInt8(ascii: "`"):
                return try lexRawString(start: start)
            case UInt8(ascii: "("):
                parenDepth += 1
                return token(.leftParen)
            case UInt8(ascii: ")"):
                parenDepth -= 1
                if parenDepth < 0 {
                    // Prometheus reports this one just past the parenthesis.
                    throw fail("unexpected right parenthesis ')'", at: pos)
                }
                return token(.rightParen)
            case UInt8(ascii: "{"):
                braceOpen = true
                return token(.leftBrace)
            case UInt8(ascii: "["):
                if bracketOpen { throw fail("unexpected left bracket '['", at: start) }
                gotColon = false
                bracketOpen = true
                durationNext = true
                let t = token(.leftBracket)
                acceptRun(Lexer.isSpace)
                return t
            case UInt8(ascii: "]"):
                if !bracketOpen { throw fail("unexpected right bracket ']'", at: start) }
                bracketOpen = false
                return token(.rightBracket)
            default:
                if Lexer.isDigit(c) || (c == UInt8(ascii: ".") && pos < src.count && Lexer.isDigit(src[pos])) {
                    pos = start
                    return try lexNumberOrDuration()
                }
                if Lexer.isAlpha(c) || c == UInt8(ascii: ":") {
                    if !bracketOpen {
                        pos = start
                        return lexKeywordOrIdentifier()
                    }
                    // Inside brackets, any letter stands for the subquery colon.
                    if gotColon {
                        throw fail("unexpected colon \(GoFormat.quoteRune(Unicode.Scalar(c)))", at: start)
                    }
                    gotColon = true
                    return token(.colon)
                }
                let found = scalar(at: start)?.0
                throw fail("unexpected character: \(GoFormat.quoteRune(found))", at: start)
            }
        }
    }

    /// Inside `{…}`; returns nil after skipping whitespace.
    private mutating func lexInsideBraces() throws(ParseError) -> Token? {
        let start = pos
        guard pos < src.count else { throw fail("unexpected end of input inside braces", at: start) }
        let c = src[pos]
        pos += 1
        func token(_ kind: TokenKind) -> Token { Token(kind: kind, start: start, end: pos) }
        switch c {
        case 0x20, 0x09, 0x0A, 0x0D:
            acceptRun(Lexer.isSpace)
            return nil
        case UInt8(ascii: ","): return token(.comma)
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return try lexString(start: start, quote: c)
        case UInt8(ascii: "`"): return try lexRawString(start: start)
        case UInt8(ascii: "="):
            if accept({ $0 == UInt8(ascii: "~") }) { return token(.eqlRegex) }
            return token(.assign)
        case UInt8(ascii: "!"):
            if accept({ $0 == UInt8(ascii: "~") }) { return token(.neqRegex) }
            if accept({ $0 == UInt8(ascii: "=") }) { return token(.neq) }
            let found = scalar(at: pos)?.0
            throw fail("unexpected character after '!' inside braces: \(GoFormat.quoteRune(found))", at: start)
        case UInt8(ascii: "{"):
            throw fail("unexpected left brace '{'", at: start)
        case UInt8(ascii: "}"):
            braceOpen = false
            return token(.rightBrace)
        default:
            if Lexer.isAlpha(c) {
                acceptRun(Lexer.isAlphaNumeric)
                return token(.identifier)
            }
            let found = scalar(at: start)?.0
            throw fail("unexpected character inside braces: \(GoFormat.quoteRune(found))", at: start)
        }
    }

    private mutating func lexKeywordOrIdentifier() -> Token {
        let start = pos
        acceptRun { Lexer.isAlphaNumeric($0) || $0 == UInt8(ascii: ":") }
        let word = src[start..<pos]
        var hasColon = false
        var lowered = [UInt8]()
        lowered.reserveCapacity(word.count)
        for c in word {
            if c == UInt8(ascii: ":") { hasColon = true }
            lowered.append(c >= 0x41 && c <= 0x5A ? c + 0x20 : c)
        }
        if !hasColon, word.count <= 12, let kind = TokenKind.keywords[String(decoding: lowered, as: UTF8.self)] {
            return Token(kind: kind, start: start, end: pos)
        }
        return Token(kind: hasColon ? .metricIdentifier : .identifier, start: start, end: pos)
    }

    // MARK: Numbers and durations

    /// Consumes a number; true when it is not followed by a letter or digit.
    private mutating func scanNumber() -> Bool {
        var hex = false
        if accept({ $0 == UInt8(ascii: "0") }) && accept({ $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") }) {
            hex = true
        }
        acceptRun(hex ? Lexer.isHexDigit : Lexer.isDigit)
        if accept({ $0 == UInt8(ascii: ".") }) { acceptRun(hex ? Lexer.isHexDigit : Lexer.isDigit) }
        if accept({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            _ = accept { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
            acceptRun(Lexer.isDigit)
        }
        return !(pos < src.count && Lexer.isAlphaNumeric(src[pos]))
    }

    /// Consumes the unit part of a duration after its first number. On failure the position
    /// is where Prometheus's lexer stops, which shows in the error message.
    private mutating func acceptRemainingDuration() -> Bool {
        if !accept(Lexer.isDurationUnit) { return false }
        _ = accept { $0 == UInt8(ascii: "s") }
        while accept(Lexer.isDigit) {
            acceptRun(Lexer.isDigit)
            if !accept({ Lexer.isDurationUnit($0) && $0 != UInt8(ascii: "y") }) { return false }
            _ = accept { $0 == UInt8(ascii: "s") }
        }
        if pos < src.count, Lexer.isAlphaNumeric(src[pos]) {
            pos += 1
            return false
        }
        return true
    }

    private mutating func lexNumberOrDuration() throws(ParseError) -> Token {
        let start = pos
        if scanNumber() { return Token(kind: .number, start: start, end: pos) }
        if acceptRemainingDuration() { return Token(kind: .duration, start: start, end: pos) }
        let text = String(decoding: src[start..<pos], as: UTF8.self)
        throw fail("bad number or duration syntax: \(GoFormat.quote(text))", at: start)
    }

    /// Right after `[`: only a duration may follow.
    private mutating func lexDuration() throws(ParseError) -> Token {
        let start = pos
        if scanNumber() { throw fail("missing unit character in duration", at: start) }
        if !acceptRemainingDuration() {
            let text = String(decoding: src[start..<pos], as: UTF8.self)
            throw fail("bad duration syntax: \(GoFormat.quote(text))", at: start)
        }
        return Token(kind: .duration, start: start, end: pos)
    }

    // MARK: Strings

    private func isReplacementCharacter(at i: Int) -> Bool {
        i + 2 < src.count && src[i] == 0xEF && src[i + 1] == 0xBF && src[i + 2] == 0xBD
    }

    private mutating func lexString(start: Int, quote: UInt8) throws(ParseError) -> Token {
        while true {
            guard pos < src.count else { throw fail("unterminated quoted string", at: start) }
            let c = src[pos]
            if c == UInt8(ascii: "\\") {
                pos += 1
                try lexEscape(start: start, quote: quote)
                continue
            }
            if c == 0x0A { throw fail("unterminated quoted string", at: start) }
            // Go decodes U+FFFD as its invalid-rune marker and rejects it.
            if isReplacementCharacter(at: pos) { throw fail("invalid UTF-8 rune", at: start) }
            pos += 1
            if c == quote { return Token(kind: .string, start: start, end: pos) }
        }
    }

    private mutating func lexRawString(start: Int) throws(ParseError) -> Token {
        while true {
            guard pos < src.count else { throw fail("unterminated raw string", at: start) }
            if isReplacementCharacter(at: pos) { throw fail("invalid UTF-8 rune", at: start) }
            let c = src[pos]
            pos += 1
            if c == UInt8(ascii: "`") { return Token(kind: .string, start: start, end: pos) }
        }
    }

    private mutating func nextScalar() -> Unicode.Scalar? {
        guard let (s, n) = scalar(at: pos) else { return nil }
        pos += n
        return s
    }

    /// Validates one escape sequence after a backslash (the unquoting is done later).
    private mutating func lexEscape(start: Int, quote: UInt8) throws(ParseError) {
        var ch = nextScalar()
        guard let first = ch else { throw fail("escape sequence not terminated", at: start) }
        var count: Int
        let base: UInt32
        let max: UInt32
        switch first {
        case "a", "b", "f", "n", "r", "t", "v", "\\":
            return
        case "0", "1", "2", "3", "4", "5", "6", "7":
            count = 3; base = 8; max = 255
        case "x":
            ch = nextScalar(); count = 2; base = 16; max = 255
        case "u":
            ch = nextScalar(); count = 4; base = 16; max = 0x10FFFF
        case "U":
            ch = nextScalar(); count = 8; base = 16; max = 0x10FFFF
        default:
            if first.value == UInt32(quote) { return }
            throw fail("unknown escape sequence \(GoFormat.unicodeSharp(first))", at: start)
        }
        var x: UInt32 = 0
        while count > 0 {
            let d = ch.map(Lexer.digitValue) ?? 16
            if d >= base {
                if ch == nil { throw fail("escape sequence not terminated", at: start) }
                throw fail("illegal character \(GoFormat.unicodeSharp(ch)) in escape sequence", at: start)
            }
            x = x &* base &+ d
            count -= 1
            if count > 0 { ch = nextScalar() }
        }
        if x > max || (0xD800..<0xE000).contains(x) {
            throw fail("escape sequence is an invalid Unicode code point", at: start)
        }
    }

    private static func digitValue(_ s: Unicode.Scalar) -> UInt32 {
        switch s.value {
        case 0x30...0x39: return s.value - 0x30
        case 0x61...0x66: return s.value - 0x61 + 10
        case 0x41...0x46: return s.value - 0x41 + 10
        default: return 16
        }
    }
}
