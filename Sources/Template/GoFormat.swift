import GoText

/// Go's fmt package as templates reach it: `print`, `println`, `printf` and the default
/// printing of values (`%v`), with Go's verbs, flags, widths, precisions and its error forms
/// (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`), so rendered text matches Go's byte
/// for byte.
enum GoFormat {
    /// `%v` of a value, as `{{ . }}` and `print` show it.
    static func formatValue(_ v: TemplateValue, nested: Bool = false) -> String {
        var p = Printer()
        p.printValue(v, verb: "v", depth: nested ? 1 : 0)
        return p.out
    }

    /// What an action prints: like %v, but a pointer prints as what it points to, as
    /// text/template dereferences before printing.
    static func formatForOutput(_ v: TemplateValue) -> String {
        var p = Printer()
        p.indirectTop = true
        p.printValue(v, verb: "v", depth: 0)
        return p.out
    }

    /// fmt.Sprint: spaces between operands when neither side is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var p = Printer()
        var previousString = false
        for (i, arg) in args.enumerated() {
            var isString = false
            if case .string = arg.resolvedCollection { isString = true }
            if i > 0 && !isString && !previousString { p.out += " " }
            p.printArg(arg, verb: "v")
            previousString = isString
        }
        return p.out
    }

    /// fmt.Sprintln: always spaces, then a newline.
    static func sprintln(_ args: [TemplateValue]) -> String {
        var p = Printer()
        for (i, arg) in args.enumerated() {
            if i > 0 { p.out += " " }
            p.printArg(arg, verb: "v")
        }
        p.out += "\n"
        return p.out
    }

    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        var p = Printer()
        p.doPrintf(Array(format.unicodeScalars), args)
        return p.out
    }

    /// strconv.Quote (QuoteToASCII with `asciiOnly`).
    static func quote(_ s: String, asciiOnly: Bool = false) -> String { GoStrconv.quote(s, asciiOnly: asciiOnly) }

    /// strconv.QuoteRune (QuoteRuneToASCII with `asciiOnly`).
    static func quoteRune(_ r: Unicode.Scalar, asciiOnly: Bool = false) -> String { GoStrconv.quoteRune(r, asciiOnly: asciiOnly) }

    /// Go's %#U: U+0041 'A'.
    static func unicodeNotation(_ s: Unicode.Scalar) -> String {
        var out = "U+" + hexString(UInt64(s.value), upper: true, minDigits: 4)
        if UnicodeClass.isPrint(s) { out += " '" + String(s) + "'" }
        return out
    }

    static func hexString(_ v: UInt64, upper: Bool, minDigits: Int) -> String {
        var s = String(v, radix: 16, uppercase: upper)
        if s.count < minDigits { s = String(repeating: "0", count: minDigits - s.count) + s }
        return s
    }
}

/// One formatting run, mirroring fmt's pp/fmt pair.
private struct Printer {
    var out = ""
    // flags
    var plus = false, minus = false, sharp = false, space = false, zero = false
    var plusV = false, sharpV = false
    var width = 0, widthPresent = false
    var prec = 0, precPresent = false
    /// Print a top-level pointer as its target (text/template's printableValue).
    var indirectTop = false

    mutating func clearFlags() {
        plus = false; minus = false; sharp = false; space = false; zero = false
        plusV = false; sharpV = false
        width = 0; widthPresent = false; prec = 0; precPresent = false
    }

    // MARK: padding

    mutating func writePadding(_ n: Int) {
        guard n > 0 else { return }
        out += String(repeating: zero ? "0" : " ", count: n)
    }

    mutating func pad(_ s: String) {
        guard widthPresent && width != 0 else {
            out += s
            return
        }
        let w = width - s.unicodeScalars.count
        if minus {
            out += s
            writePadding(w)
        } else {
            writePadding(w)
            out += s
        }
    }

    func truncate(_ s: String) -> String {
        guard precPresent, s.unicodeScalars.count > prec else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.prefix(max(prec, 0))))
    }

    // MARK: dispatch

    mutating func printArg(_ arg: TemplateValue, verb: Unicode.Scalar) {
        if verb == "T" {
            fmtString(arg.goTypeName, verb: "s")
            return
        }
        printValue(arg, verb: verb, depth: 0)
    }

    mutating func printValue(_ arg: TemplateValue, verb: Unicode.Scalar, depth: Int) {
        switch arg {
        case .null:
            if verb == "v" { pad("<nil>") } else { badVerb(verb, arg) }
        case .bool(let b):
            if verb == "t" || verb == "v" { pad(b ? "true" : "false") } else { badVerb(verb, arg) }
        case .float(let f): fmtFloat(f, verb: verb, arg)
        case .int(let i): fmtInteger(UInt64(bitPattern: Int64(i)), signed: true, verb: verb, arg)
        case .string(let s): fmtString(s, verb: verb, arg)
        case .duration(let d):
            if "vsxXq".unicodeScalars.contains(verb) {
                fmtString(TimeFormat.durationString(d), verb: verb, arg)
            } else {
                fmtInteger(UInt64(bitPattern: d), signed: true, verb: verb, arg)
            }
        case .time(let t):
            if "vsxXq".unicodeScalars.contains(verb) {
                fmtString(t.description, verb: verb, arg)
            } else {
                // Go prints the struct behind time.Time: {wall ext loc}, loc a nil pointer for UTC.
                out += "{"
                printValue(.int(Int(t.nanoseconds)), verb: verb, depth: depth + 1)
                out += " "
                printValue(.int(Int(t.seconds + 62_135_596_800)), verb: verb, depth: depth + 1)
                out += " "
                switch verb {
                case "v": pad("<nil>")
                case "b", "o", "d", "x", "X": fmtInteger(0, signed: false, verb: verb, .int(0))
                default:
                    out += "%!"
                    out.unicodeScalars.append(verb)
                    out += "(*time.Location=<nil>)"
                }
                out += "}"
            }
        case .object(let o):
            if let s = o.stringValue, "vsxXq".unicodeScalars.contains(verb) {
                fmtString(s, verb: verb, arg)
            } else if let u = o.underlying {
                printValue(u, verb: verb, depth: depth)
            } else {
                if o.typeName.hasPrefix("*") {
                    // fmt shows a pointer to a struct as &{…} at the top and as an address inside.
                    if depth > 0 {
                        out += "0xc000010000"
                        return
                    }
                    if !indirectTop { out += "&" }
                }
                out += "{"
                for (i, field) in o.structFields.enumerated() {
                    if i > 0 { out += " " }
                    printValue(field, verb: verb, depth: depth + 1)
                }
                out += "}"
            }
        case .function:
            pad("0x0")
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += " " }
                printValue(item, verb: verb, depth: depth + 1)
            }
            out += "]"
        case .map(let m):
            out += "map["
            for (i, key) in m.keys.sorted(by: GoStrings.less).enumerated() {
                if i > 0 { out += " " }
                printValue(.string(key), verb: verb, depth: depth + 1)
                out += ":"
                printValue(m[key]!, verb: verb, depth: depth + 1)
            }
            out += "]"
        case .stringMap(let m):
            out += "map["
            for (i, key) in m.keys.sorted(by: GoStrings.less).enumerated() {
                if i > 0 { out += " " }
                fmtString(key, verb: verb, .string(key))
                out += ":"
                fmtString(m[key]!, verb: verb, .string(m[key]!))
            }
            out += "]"
        }
    }

    mutating func badVerb(_ verb: Unicode.Scalar, _ arg: TemplateValue) {
        out += "%!"
        out.unicodeScalars.append(verb)
        out += "("
        if case .null = arg {
            out += "<nil>"
        } else {
            out += arg.goTypeName
            out += "="
            printValue(arg, verb: "v", depth: 0)
        }
        out += ")"
    }

    // MARK: strings

    mutating func fmtString(_ s: String, verb: Unicode.Scalar, _ arg: TemplateValue? = nil) {
        switch verb {
        case "v":
            if sharpV { fmtQ(s) } else { pad(truncate(s)) }
        case "s": pad(truncate(s))
        case "x": fmtSx(s, upper: false)
        case "X": fmtSx(s, upper: true)
        case "q": fmtQ(s)
        default: badVerb(verb, arg ?? .string(s))
        }
    }

    mutating func fmtQ(_ s: String) {
        let t = truncate(s)
        if sharp && !t.contains("`") && t.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }) {
            pad("`" + t + "`")
            return
        }
        pad(GoFormat.quote(t, asciiOnly: plus))
    }

    mutating func fmtSx(_ s: String, upper: Bool) {
        let digits = Array((upper ? "0123456789ABCDEFX" : "0123456789abcdefx").utf8)
        var bytes = Array(s.utf8)
        if precPresent && prec < bytes.count { bytes = Array(bytes.prefix(prec)) }
        var w = 2 * bytes.count
        if w > 0 {
            if space {
                if sharp { w *= 2 }
                w += bytes.count - 1
            } else if sharp {
                w += 2
            }
        } else {
            if widthPresent { writePadding(width) }
            return
        }
        if widthPresent && width > w && !minus { writePadding(width - w) }
        var buf: [UInt8] = []
        if sharp { buf += [UInt8(ascii: "0"), digits[16]] }
        for (i, c) in bytes.enumerated() {
            if space && i > 0 {
                buf.append(UInt8(ascii: " "))
                if sharp { buf += [UInt8(ascii: "0"), digits[16]] }
            }
            buf.append(digits[Int(c >> 4)])
            buf.append(digits[Int(c & 0xF)])
        }
        out += String(decoding: buf, as: UTF8.self)
        if widthPresent && width > w && minus { writePadding(width - w) }
    }

    // MARK: integers

    mutating func fmtInteger(_ u: UInt64, signed: Bool, verb: Unicode.Scalar, _ arg: TemplateValue) {
        switch verb {
        case "v":
            if sharpV && !signed { formatInt(u, base: 16, signed: signed, verb: "x", upper: false) } else {
                formatInt(u, base: 10, signed: signed, verb: verb, upper: false)
            }
        case "d": formatInt(u, base: 10, signed: signed, verb: verb, upper: false)
        case "b": formatInt(u, base: 2, signed: signed, verb: verb, upper: false)
        case "o", "O": formatInt(u, base: 8, signed: signed, verb: verb, upper: false)
        case "x": formatInt(u, base: 16, signed: signed, verb: verb, upper: false)
        case "X": formatInt(u, base: 16, signed: signed, verb: verb, upper: true)
        case "c": pad(String(Unicode.Scalar(UInt32(truncatingIfNeeded: u)) ?? "\u{FFFD}"))
        case "q":
            pad(GoFormat.quoteRune(Unicode.Scalar(UInt32(truncatingIfNeeded: u)) ?? "\u{FFFD}", asciiOnly: plus))
        case "U":
            var s = "U+" + GoFormat.hexString(u, upper: true, minDigits: precPresent ? max(prec, 4) : 4)
            if sharp, let r = Unicode.Scalar(UInt32(truncatingIfNeeded: u)), UnicodeClass.isPrint(r) {
                s += " '" + String(r) + "'"
            }
            let oldZero = zero
            zero = false
            pad(s)
            zero = oldZero
        default: badVerb(verb, arg)
        }
    }

    mutating func formatInt(_ value: UInt64, base: UInt64, signed: Bool, verb: Unicode.Scalar, upper: Bool) {
        let negative = signed && Int64(bitPattern: value) < 0
        let u = negative ? 0 &- value : value
        var precision = 0
        if precPresent {
            precision = prec
            if precision == 0 && u == 0 {
                let oldZero = zero
                zero = false
                writePadding(width)
                zero = oldZero
                return
            }
        } else if zero && widthPresent {
            precision = width
            if negative || plus || space { precision -= 1 }
        }
        var digits = String(u, radix: Int(base), uppercase: upper)
        if digits.count < precision { digits = String(repeating: "0", count: precision - digits.count) + digits }
        if sharp {
            switch base {
            case 2: digits = "0b" + digits
            case 8: if !digits.hasPrefix("0") { digits = "0" + digits }
            case 16: digits = (upper ? "0X" : "0x") + digits
            default: break
            }
        }
        if verb == "O" { digits = "0o" + digits }
        if negative {
            digits = "-" + digits
        } else if plus {
            digits = "+" + digits
        } else if space {
            digits = " " + digits
        }
        let oldZero = zero
        zero = false
        pad(digits)
        zero = oldZero
    }

    // MARK: floats

    mutating func fmtFloat(_ v: Double, verb: Unicode.Scalar, _ arg: TemplateValue) {
        switch verb {
        case "v": formatFloat(v, verb: "g", prec: -1)
        case "b", "g", "G", "x", "X": formatFloat(v, verb: verb, prec: -1)
        case "f", "e", "E": formatFloat(v, verb: verb, prec: 6)
        case "F": formatFloat(v, verb: "f", prec: 6)
        default: badVerb(verb, arg)
        }
    }

    mutating func formatFloat(_ v: Double, verb: Unicode.Scalar, prec defaultPrec: Int) {
        let prec = precPresent ? prec : defaultPrec
        let s = FloatFormat.format(v, UInt8(verb.value), prec)
        var num = Array(s.unicodeScalars)
        if num.first == "-" || num.first == "+" {
            // signed already
        } else {
            num.insert("+", at: 0)
        }
        if space && num[0] == "+" && !plus { num[0] = " " }
        if num[1] == "I" || num[1] == "N" {
            let oldZero = zero
            zero = false
            if num[1] == "N" && !space && !plus { num.removeFirst() }
            pad(String(String.UnicodeScalarView(num)))
            zero = oldZero
            return
        }
        if sharp && verb != "b" {
            var digits = 0
            if verb == "v" || verb == "g" || verb == "G" || verb == "x" {
                digits = prec == -1 ? 6 : prec
            }
            var tail: [Unicode.Scalar] = []
            var hasPoint = false
            var sawNonzero = false
            var i = 1
            while i < num.count {
                let c = num[i]
                if c == "." {
                    hasPoint = true
                } else if c == "p" || c == "P" || ((c == "e" || c == "E") && verb != "x" && verb != "X") {
                    tail = Array(num[i...])
                    num = Array(num[..<i])
                    break
                } else {
                    if c != "0" { sawNonzero = true }
                    if sawNonzero { digits -= 1 }
                }
                i += 1
            }
            if !hasPoint {
                if num.count == 2 && num[1] == "0" { digits -= 1 }
                num.append(".")
            }
            while digits > 0 {
                num.append("0")
                digits -= 1
            }
            num += tail
        }
        if plus || num[0] != "+" {
            if zero && widthPresent && width > num.count {
                out.unicodeScalars.append(num[0])
                writePadding(width - num.count)
                out += String(String.UnicodeScalarView(num[1...]))
                return
            }
            pad(String(String.UnicodeScalarView(num)))
            return
        }
        pad(String(String.UnicodeScalarView(num[1...])))
    }

    // MARK: printf

    mutating func doPrintf(_ format: [Unicode.Scalar], _ args: [TemplateValue]) {
        let end = format.count
        var argNum = 0
        var reordered = false
        var i = 0
        func parseNumber(_ i: inout Int) -> Int? {
            var n = 0
            var found = false
            while i < end, format[i].value >= 48, format[i].value <= 57 {
                if n > 1_000_000 { return nil }
                n = n * 10 + Int(format[i].value - 48)
                found = true
                i += 1
            }
            return found ? n : nil
        }
        while i < end {
            let last = i
            while i < end && format[i] != "%" { i += 1 }
            if i > last { out += String(String.UnicodeScalarView(format[last..<i])) }
            if i >= end { break }
            i += 1
            clearFlags()
            flags: while i < end {
                switch format[i] {
                case "#": sharp = true
                case "0": zero = !minus
                case "+": plus = true
                case "-": minus = true; zero = false
                case " ": space = true
                default: break flags
                }
                i += 1
            }
            var goodArgNum = true
            // argument index [n]
            func argIndex(_ i: inout Int) {
                guard i < end, format[i] == "[" else { return }
                reordered = true
                var j = i + 1
                if let n = parseNumber(&j), j < end, format[j] == "]", n >= 1, n <= args.count {
                    argNum = n - 1
                    i = j + 1
                } else {
                    goodArgNum = false
                    while j < end && format[j] != "]" { j += 1 }
                    i = min(j + 1, end)
                }
            }
            argIndex(&i)
            if i < end && format[i] == "*" {
                i += 1
                if argNum < args.count, case .int(let w) = args[argNum] {
                    width = w
                    widthPresent = true
                    if w < 0 {
                        minus = true
                        width = -w
                        zero = false
                    }
                } else {
                    out += "%!(BADWIDTH)"
                }
                argNum += 1
            } else if let w = parseNumber(&i) {
                width = w
                widthPresent = true
            }
            if i + 1 <= end && i < end && format[i] == "." {
                i += 1
                argIndex(&i)
                if i < end && format[i] == "*" {
                    i += 1
                    if argNum < args.count, case .int(let p) = args[argNum] {
                        prec = p
                        precPresent = p >= 0
                    } else {
                        out += "%!(BADPREC)"
                    }
                    argNum += 1
                } else {
                    prec = parseNumber(&i) ?? 0
                    precPresent = true
                }
            }
            argIndex(&i)
            if i >= end {
                out += "%!(NOVERB)"
                break
            }
            let verb = format[i]
            i += 1
            if verb == "%" {
                out += "%"
                continue
            }
            if !goodArgNum {
                out += "%!"
                out.unicodeScalars.append(verb)
                out += "(BADINDEX)"
                continue
            }
            if argNum >= args.count {
                out += "%!"
                out.unicodeScalars.append(verb)
                out += "(MISSING)"
                continue
            }
            if verb == "v" {
                sharpV = sharp
                sharp = false
                plusV = plus
                plus = false
            }
            printArg(args[argNum], verb: verb)
            argNum += 1
        }
        if !reordered && argNum < args.count {
            clearFlags()
            out += "%!(EXTRA "
            for (k, arg) in args[argNum...].enumerated() {
                if k > 0 { out += ", " }
                if case .null = arg {
                    out += "<nil>"
                } else {
                    out += arg.goTypeName
                    out += "="
                    printArg(arg, verb: "v")
                }
            }
            out += ")"
        }
    }
}
