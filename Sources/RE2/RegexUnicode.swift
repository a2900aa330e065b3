// Character tables for the regex parser: Perl and POSIX classes, Unicode general categories and
// a few scripts, and simple case folding. Large tables are computed once, lazily, from the
// Unicode data Swift ships, so patterns that never use them pay nothing.

enum RegexUnicode {
    // MARK: Perl and POSIX classes (ASCII only, as in RE2)

    static let digit = RegexCharSet(pairs: [0x30, 0x39])
    static let space = RegexCharSet(pairs: [0x09, 0x0A, 0x0C, 0x0D, 0x20, 0x20])
    static let word = RegexCharSet(pairs: [0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A])

    /// `\d \s \w` (and their negations, returned with `negated` set).
    static func perlClass(_ c: Unicode.Scalar) -> (set: RegexCharSet, negated: Bool)? {
        switch c {
        case "d": return (digit, false)
        case "D": return (digit, true)
        case "s": return (space, false)
        case "S": return (space, true)
        case "w": return (word, false)
        case "W": return (word, true)
        default: return nil
        }
    }

    /// `[:name:]` classes, by bare name.
    static func posixClass(_ name: String) -> RegexCharSet? {
        switch name {
        case "alnum": return RegexCharSet(pairs: [0x30, 0x39, 0x41, 0x5A, 0x61, 0x7A])
        case "alpha": return RegexCharSet(pairs: [0x41, 0x5A, 0x61, 0x7A])
        case "ascii": return RegexCharSet(pairs: [0x00, 0x7F])
        case "blank": return RegexCharSet(pairs: [0x09, 0x09, 0x20, 0x20])
        case "cntrl": return RegexCharSet(pairs: [0x00, 0x1F, 0x7F, 0x7F])
        case "digit": return digit
        case "graph": return RegexCharSet(pairs: [0x21, 0x7E])
        case "lower": return RegexCharSet(pairs: [0x61, 0x7A])
        case "print": return RegexCharSet(pairs: [0x20, 0x7E])
        case "punct": return RegexCharSet(pairs: [0x21, 0x2F, 0x3A, 0x40, 0x5B, 0x60, 0x7B, 0x7E])
        case "space": return RegexCharSet(pairs: [0x09, 0x0D, 0x20, 0x20])
        case "upper": return RegexCharSet(pairs: [0x41, 0x5A])
        case "word": return word
        case "xdigit": return RegexCharSet(pairs: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66])
        default: return nil
        }
    }

    // MARK: Unicode classes

    enum NamedClass {
        case found(RegexCharSet)
        case unsupported
        case unknown
    }

    /// `\p{name}`: general categories (codes and long aliases), `Any`, `Assigned`, `ASCII` and
    /// the scripts we carry tables for. Names match loosely as in current Go (case of all but
    /// the first letter, `_`, `-` and spaces ignored). Other script names Go knows are reported
    /// as unsupported rather than unknown, so the user learns the pattern is fine for
    /// Prometheus but not for us.
    static func named(_ name: String) -> NamedClass {
        let key = canonicalName(name)
        switch key {
        case "Any": return .found(RegexCharSet.all)
        case "Ascii": return .found(RegexCharSet(0, 0x7F))
        case "Assigned": return .found(categoryTable["Cn"]!.inverted())
        default: break
        }
        if let s = script(key) { return .found(s) }
        if let s = categoryTable[categoryAliases[key] ?? key] { return .found(s) }
        if otherScripts.contains(key) { return .unsupported }
        return .unknown
    }

    /// Go's lookup key: first letter upper case, the rest lower case, separators dropped.
    private static func canonicalName(_ name: String) -> String {
        var out = ""
        var first = true
        for c in name.unicodeScalars where c != "_" && c != "-" && c != " " {
            if first {
                out.unicodeScalars.append(("a"..."z").contains(c) ? Unicode.Scalar(c.value - 32)! : c)
                first = false
            } else {
                out.unicodeScalars.append(("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32)! : c)
            }
        }
        return out
    }

    /// Unicode's long names for the general categories, in canonical form.
    private static let categoryAliases: [String: String] = [
        "Casedletter": "Lc", "Closepunctuation": "Pe", "Connectorpunctuation": "Pc", "Control": "Cc",
        "Cntrl": "Cc", "Currencysymbol": "Sc", "Dashpunctuation": "Pd", "Decimalnumber": "Nd", "Digit": "Nd",
        "Enclosingmark": "Me", "Finalpunctuation": "Pf", "Format": "Cf", "Initialpunctuation": "Pi",
        "Letter": "L", "Letternumber": "Nl", "Lineseparator": "Zl", "Lowercaseletter": "Ll", "Mark": "M",
        "Combiningmark": "M", "Mathsymbol": "Sm", "Modifierletter": "Lm", "Modifiersymbol": "Sk",
        "Nonspacingmark": "Mn", "Number": "N", "Openpunctuation": "Ps", "Other": "C", "Otherletter": "Lo",
        "Othernumber": "No", "Otherpunctuation": "Po", "Othersymbol": "So", "Paragraphseparator": "Zp",
        "Privateuse": "Co", "Punctuation": "P", "Punct": "P", "Separator": "Z", "Spaceseparator": "Zs",
        "Spacingmark": "Mc", "Surrogate": "Cs", "Symbol": "S", "Titlecaseletter": "Lt", "Unassigned": "Cn",
        "Uppercaseletter": "Lu",
    ]

    /// Two-letter category codes in table-slot order (see `slot` below).
    private static let categoryCodes: [String] = [
        "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No",
        "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
        "Zs", "Zl", "Zp", "Cc", "Cf", "Co",
    ]

    /// Ranges of every two-letter category, computed in one pass over all scalars.
    private static let categoryTable: [String: RegexCharSet] = {
        // A switch, not a dictionary: this runs for each of the 1.1M scalars.
        func slot(_ c: Unicode.GeneralCategory) -> Int {
            switch c {
            case .uppercaseLetter: return 0
            case .lowercaseLetter: return 1
            case .titlecaseLetter: return 2
            case .modifierLetter: return 3
            case .otherLetter: return 4
            case .nonspacingMark: return 5
            case .spacingMark: return 6
            case .enclosingMark: return 7
            case .decimalNumber: return 8
            case .letterNumber: return 9
            case .otherNumber: return 10
            case .connectorPunctuation: return 11
            case .dashPunctuation: return 12
            case .openPunctuation: return 13
            case .closePunctuation: return 14
            case .initialPunctuation: return 15
            case .finalPunctuation: return 16
            case .otherPunctuation: return 17
            case .mathSymbol: return 18
            case .currencySymbol: return 19
            case .modifierSymbol: return 20
            case .otherSymbol: return 21
            case .spaceSeparator: return 22
            case .lineSeparator: return 23
            case .paragraphSeparator: return 24
            case .control: return 25
            case .format: return 26
            case .privateUse: return 27
            default: return -1
            }
        }
        var ranges = [[RegexRuneRange]](repeating: [], count: categoryCodes.count)
        var runStart: UInt32 = 0
        var runCat = -1
        func flush(_ end: UInt32) {
            if runCat >= 0 { ranges[runCat].append(RegexRuneRange(lo: runStart, hi: end)) }
        }
        // Planes 4-13 are unassigned and planes 15-16 private use apart from their last two
        // code points, so only planes 0-3 and 14 need looking at (a third of the work).
        for plane: ClosedRange<UInt32> in [0...0x3FFFF, 0xE0000...0xEFFFF] {
            runCat = -1
            for v in plane {
                let cat: Int
                if let s = Unicode.Scalar(v) { cat = slot(s.properties.generalCategory) } else { cat = -2 }
                if cat != runCat {
                    if v > plane.lowerBound { flush(v - 1) }
                    runStart = v
                    runCat = cat
                }
            }
            flush(plane.upperBound)
        }
        let privateUse = 27
        ranges[privateUse].append(RegexRuneRange(lo: 0xF0000, hi: 0xFFFFD))
        ranges[privateUse].append(RegexRuneRange(lo: 0x100000, hi: 0x10FFFD))
        var table: [String: RegexCharSet] = [:]
        for (i, code) in categoryCodes.enumerated() { table[code] = RegexCharSet(ranges: ranges[i]) }
        table["Cs"] = RegexCharSet(0xD800, 0xDFFF)
        var assigned = RegexCharSet()
        for major in ["L", "M", "N", "P", "S", "Z", "C"] {
            var u = RegexCharSet()
            for (code, set) in table where code.count == 2 && code.hasPrefix(major) { u = u.union(set) }
            table[major] = u
            assigned = assigned.union(u)
        }
        table["Cn"] = assigned.inverted()
        table["Lc"] = table["Lu"]!.union(table["Ll"]!).union(table["Lt"]!)
        return table
    }()

    private static func script(_ name: String) -> RegexCharSet? {
        switch name {
        case "Greek": return RegexCharSet(pairs: greek)
        case "Latin": return RegexCharSet(pairs: latin)
        case "Cyrillic": return RegexCharSet(pairs: cyrillic)
        case "Han": return RegexCharSet(pairs: han)
        default: return nil
        }
    }

    // Script ranges after Unicode 15's Scripts.txt.
    private static let greek: [UInt32] = [
        0x0370, 0x0373, 0x0375, 0x0377, 0x037A, 0x037D, 0x037F, 0x037F, 0x0384, 0x0384,
        0x0386, 0x0386, 0x0388, 0x038A, 0x038C, 0x038C, 0x038E, 0x03A1, 0x03A3, 0x03E1,
        0x03F0, 0x03FF, 0x1D26, 0x1D2A, 0x1D5D, 0x1D61, 0x1D66, 0x1D6A, 0x1DBF, 0x1DBF,
        0x1F00, 0x1F15, 0x1F18, 0x1F1D, 0x1F20, 0x1F45, 0x1F48, 0x1F4D, 0x1F50, 0x1F57,
        0x1F59, 0x1F59, 0x1F5B, 0x1F5B, 0x1F5D, 0x1F5D, 0x1F5F, 0x1F7D, 0x1F80, 0x1FB4,
        0x1FB6, 0x1FC4, 0x1FC6, 0x1FD3, 0x1FD6, 0x1FDB, 0x1FDD, 0x1FEF, 0x1FF2, 0x1FF4,
        0x1FF6, 0x1FFE, 0x2126, 0x2126, 0xAB65, 0xAB65, 0x10140, 0x1018E, 0x101A0, 0x101A0,
        0x1D200, 0x1D245,
    ]
    private static let latin: [UInt32] = [
        0x0041, 0x005A, 0x0061, 0x007A, 0x00AA, 0x00AA, 0x00BA, 0x00BA, 0x00C0, 0x00D6,
        0x00D8, 0x00F6, 0x00F8, 0x02B8, 0x02E0, 0x02E4, 0x1D00, 0x1D25, 0x1D2C, 0x1D5C,
        0x1D62, 0x1D65, 0x1D6B, 0x1D77, 0x1D79, 0x1DBE, 0x1E00, 0x1EFF, 0x2071, 0x2071,
        0x207F, 0x207F, 0x2090, 0x209C, 0x212A, 0x212B, 0x2132, 0x2132, 0x214E, 0x214E,
        0x2160, 0x2188, 0x2C60, 0x2C7F, 0xA722, 0xA787, 0xA78B, 0xA7CA, 0xA7D0, 0xA7D1,
        0xA7D3, 0xA7D3, 0xA7D5, 0xA7D9, 0xA7F2, 0xA7FF, 0xAB30, 0xAB5A, 0xAB5C, 0xAB64,
        0xAB66, 0xAB69, 0xFB00, 0xFB06, 0xFF21, 0xFF3A, 0xFF41, 0xFF5A, 0x10780, 0x10785,
        0x10787, 0x107B0, 0x107B2, 0x107BA, 0x1DF00, 0x1DF1E, 0x1DF25, 0x1DF2A,
    ]
    private static let cyrillic: [UInt32] = [
        0x0400, 0x0484, 0x0487, 0x052F, 0x1C80, 0x1C88, 0x1D2B, 0x1D2B, 0x1D78, 0x1D78,
        0x2DE0, 0x2DFF, 0xA640, 0xA69F, 0xFE2E, 0xFE2F, 0x1E030, 0x1E06D, 0x1E08F, 0x1E08F,
    ]
    private static let han: [UInt32] = [
        0x2E80, 0x2E99, 0x2E9B, 0x2EF3, 0x2F00, 0x2FD5, 0x3005, 0x3005, 0x3007, 0x3007,
        0x3021, 0x3029, 0x3038, 0x303B, 0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xF900, 0xFA6D,
        0xFA70, 0xFAD9, 0x16FE2, 0x16FE3, 0x16FF0, 0x16FF1, 0x20000, 0x2A6DF, 0x2A700, 0x2B739,
        0x2B740, 0x2B81D, 0x2B820, 0x2CEA1, 0x2CEB0, 0x2EBE0, 0x2F800, 0x2FA1D, 0x30000, 0x3134A,
        0x31350, 0x323AF,
    ]

    /// Script names Go accepts that we have no table for (canonical form).
    private static let otherScripts: Set<String> = [
        "Arabic", "Armenian", "Bengali", "Bopomofo", "Braille", "Cherokee", "Common", "Coptic",
        "Devanagari", "Ethiopic", "Georgian", "Gothic", "Gujarati", "Gurmukhi", "Hangul", "Hebrew",
        "Hiragana", "Inherited", "Kannada", "Katakana", "Khmer", "Lao", "Malayalam", "Mongolian",
        "Myanmar", "Ogham", "Oriya", "Runic", "Sinhala", "Syriac", "Tamil", "Telugu", "Thaana",
        "Thai", "Tibetan", "Yi",
    ]

    // MARK: Case folding

    /// Simple case-folding orbits: every scalar that has case partners maps to its orbit (the
    /// set of scalars equal to it under simple folding, itself included). Built from Swift's
    /// single-scalar case mappings, which yields RE2's orbits for practically all letters
    /// (k/K/KELVIN SIGN, s/S/LONG S, σ/ς/Σ, ...).
    private struct FoldTable: Sendable {
        var keys: [UInt32] = []
        var orbitOf: [Int32] = []
        var orbits: [[UInt32]] = []
    }

    private static let foldTable: FoldTable = {
        var parent: [UInt32: UInt32] = [:]
        func find(_ x: UInt32) -> UInt32 {
            var r = x
            while let p = parent[r], p != r { r = p }
            var y = x
            while let p = parent[y], p != r { parent[y] = r; y = p }
            return r
        }
        func unite(_ a: UInt32, _ b: UInt32) {
            if parent[a] == nil { parent[a] = a }
            if parent[b] == nil { parent[b] = b }
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        // Cased scalars all sit below U+1E950 (Adlam is the last cased script).
        for v: UInt32 in 0..<0x1E950 {
            // Turkish dotless i upper-cases to I but does not fold with it in RE2.
            if v == 0x0131 { continue }
            guard let s = Unicode.Scalar(v) else { continue }
            let p = s.properties
            guard p.changesWhenCaseMapped else { continue }
            for m in [p.lowercaseMapping, p.uppercaseMapping, p.titlecaseMapping] {
                let us = m.unicodeScalars
                guard let first = us.first, us.index(after: us.startIndex) == us.endIndex else { continue }
                if first.value != v && first.value != 0x0131 { unite(v, first.value) }
            }
        }
        var groups: [UInt32: [UInt32]] = [:]
        for k in parent.keys { groups[find(k), default: []].append(k) }
        var table = FoldTable()
        var entries: [(UInt32, Int32)] = []
        for (_, members) in groups {
            let sorted = members.sorted()
            let id = Int32(table.orbits.count)
            table.orbits.append(sorted)
            for m in sorted { entries.append((m, id)) }
        }
        entries.sort { $0.0 < $1.0 }
        table.keys = entries.map { $0.0 }
        table.orbitOf = entries.map { $0.1 }
        return table
    }()

    private static func lowerBound(_ keys: [UInt32], _ c: UInt32) -> Int {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < c { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The scalars equal to `c` under simple case folding (just `[c]` when it has no partners).
    static func foldOrbit(_ c: UInt32) -> [UInt32] {
        // ASCII non-letters are by far the most common literal; skip the table for them.
        if c < 0x80 && !((c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)) { return [c] }
        let t = foldTable
        let i = lowerBound(t.keys, c)
        guard i < t.keys.count, t.keys[i] == c else { return [c] }
        return t.orbits[Int(t.orbitOf[i])]
    }

    /// `set` closed under simple case folding.
    static func fold(_ set: RegexCharSet) -> RegexCharSet {
        let t = foldTable
        var extra: [RegexRuneRange] = []
        for r in set.ranges {
            var i = lowerBound(t.keys, r.lo)
            while i < t.keys.count && t.keys[i] <= r.hi {
                for m in t.orbits[Int(t.orbitOf[i])] { extra.append(RegexRuneRange(lo: m, hi: m)) }
                i += 1
            }
        }
        if extra.isEmpty { return set }
        return RegexCharSet(ranges: set.ranges + extra)
    }
}
