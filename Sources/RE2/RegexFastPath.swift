// Matchers for the pattern shapes that dominate Prometheus selectors. Each works directly on
// UTF-8 bytes, allocates nothing, and is exact for the shapes `make` selects it for.
//
// Comparisons are bytewise on purpose: Swift's String equality and hashing use canonical
// equivalence ("é" == "e\u{301}"), whereas RE2 compares scalars.

/// A set of scalars as an ASCII bitmap plus non-ASCII ranges, for byte-level scanning.
struct RegexFastSet: Sendable {
    private var lo: UInt64 = 0
    private var hi: UInt64 = 0
    private let high: [RegexRuneRange]
    /// Every non-ASCII scalar is a member (`.`, `[^a]`, ...): no decoding needed.
    let allHigh: Bool
    /// Every scalar is a member.
    let isAll: Bool
    /// Every scalar but newline is a member (`.` without `(?s)`).
    let isAllButNewline: Bool

    init(_ set: RegexCharSet) {
        var h: [RegexRuneRange] = []
        for r in set.ranges {
            if r.lo < 0x80 {
                var c = r.lo
                while c <= min(r.hi, 0x7F) {
                    if c < 64 { lo |= 1 << UInt64(c) } else { hi |= 1 << UInt64(c - 64) }
                    c += 1
                }
            }
            if r.hi >= 0x80 { h.append(RegexRuneRange(lo: max(r.lo, 0x80), hi: r.hi)) }
        }
        high = h
        allHigh = h.count == 1 && h[0].lo == 0x80 && h[0].hi == RegexCharSet.maxRune
        isAll = allHigh && lo == ~0 && hi == ~0
        isAllButNewline = allHigh && lo == ~(1 << 10) && hi == ~0
    }

    @inline(__always) func containsASCII(_ b: UInt8) -> Bool {
        b < 64 ? (lo >> UInt64(b)) & 1 != 0 : (hi >> UInt64(b - 64)) & 1 != 0
    }

    func containsHigh(_ c: UInt32) -> Bool {
        if allHigh { return true }
        var l = 0, h = high.count
        while l < h {
            let mid = (l + h) >> 1
            if c < high[mid].lo { h = mid } else if c > high[mid].hi { l = mid + 1 } else { return true }
        }
        return false
    }

    /// Counts the scalars of `p[from..<to]` if all are members, else returns nil. Stops early
    /// once the count exceeds `limit` (returning limit + 1).
    @inline(__always)
    func countMembers(_ p: UnsafeBufferPointer<UInt8>, from: Int, to: Int, limit: Int) -> Int? {
        var i = from
        var count = 0
        while i < to {
            let b = p[i]
            if b < 0x80 {
                guard containsASCII(b) else { return nil }
                i += 1
            } else {
                let d = regexDecodeScalar(p, i)
                guard containsHigh(d.scalar) else { return nil }
                i += d.width
            }
            count += 1
            if count > limit { return count }
        }
        return count
    }
}

/// Exact-membership hash set of byte strings.
struct RegexLiteralSet: Sendable {
    private let bytes: [UInt8]
    private let offsets: [Int]
    private let table: [Int32]
    private let mask: Int
    private let minLength: Int
    private let maxLength: Int

    init(_ strings: [[UInt8]]) {
        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        for s in strings {
            bytes.append(contentsOf: s)
            offsets.append(bytes.count)
        }
        var size = 8
        while size < strings.count * 2 { size <<= 1 }
        var table = [Int32](repeating: -1, count: size)
        bytes.withUnsafeBufferPointer { b in
            for (i, s) in strings.enumerated() {
                let start = offsets[i]
                var slot = Int(truncatingIfNeeded: RegexLiteralSet.hash(UnsafeBufferPointer(rebasing: b[start..<start + s.count]))) & (size - 1)
                while table[slot] >= 0 { slot = (slot + 1) & (size - 1) }
                table[slot] = Int32(i)
            }
        }
        self.bytes = bytes
        self.offsets = offsets
        self.table = table
        mask = size - 1
        minLength = strings.map(\.count).min() ?? 0
        maxLength = strings.map(\.count).max() ?? 0
    }

    @inline(__always)
    private static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // FNV-1a, finished with a multiply so the low bits (used as the slot) mix well.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return (h ^ (h >> 29)) &* 0xbf58_476d_1ce4_e5b9
    }

    func contains(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = p.count
        if n < minLength || n > maxLength { return false }
        var slot = Int(truncatingIfNeeded: RegexLiteralSet.hash(p)) & mask
        return bytes.withUnsafeBufferPointer { b -> Bool in
            while true {
                let e = Int(table[slot])
                if e < 0 { return false }
                let start = offsets[e]
                if offsets[e + 1] - start == n && regexBytesEqual(b, start, p, 0, n) { return true }
                slot = (slot + 1) & mask
            }
        }
    }
}

@inline(__always)
func regexBytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ ai: Int, _ b: UnsafeBufferPointer<UInt8>, _ bi: Int, _ n: Int) -> Bool {
    var k = 0
    while k < n {
        if a[ai + k] != b[bi + k] { return false }
        k += 1
    }
    return true
}

/// Literals separated by unbounded `.*` / `.+` gaps, e.g. `foo.*`, `.*bar`, `.*foo.*bar.*`.
/// Matching literals at their leftmost possible positions is exact for such patterns.
struct RegexGlob: Sendable {
    var prefix: [UInt8] = []
    var suffix: [UInt8] = []
    /// Literals that may float, each with the minimum gap (0 or 1 byte) before it.
    var middle: [(gap: Int, literal: [UInt8])] = []
    /// Minimum gap between the last literal (or the prefix) and the suffix (or the end).
    var finalGap = 0
    /// Gaps are `(?s).`; otherwise no newline may occur anywhere (literals contain none).
    var dotNL = false

    func matches(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = p.count
        if !dotNL {
            for b in p where b == 0x0A { return false }
        }
        guard n >= prefix.count + suffix.count else { return false }
        let ok = prefix.withUnsafeBufferPointer { pre in
            suffix.withUnsafeBufferPointer { suf in
                regexBytesEqual(p, 0, pre, 0, pre.count) && regexBytesEqual(p, n - suf.count, suf, 0, suf.count)
            }
        }
        guard ok else { return false }
        var pos = prefix.count
        let end = n - suffix.count
        for (gap, lit) in middle {
            let found = lit.withUnsafeBufferPointer { l in RegexGlob.find(l, in: p, from: pos + gap, to: end) }
            guard let at = found else { return false }
            pos = at + lit.count
        }
        return end - pos >= finalGap
    }

    /// Leftmost occurrence of `lit` lying entirely within `p[from..<to]`.
    private static func find(_ lit: UnsafeBufferPointer<UInt8>, in p: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        let m = lit.count
        if m == 0 { return from <= to ? from : nil }
        let first = lit[0]
        var i = from
        while i + m <= to {
            if p[i] == first && regexBytesEqual(p, i + 1, lit, 1, m - 1) { return i }
            i += 1
        }
        return nil
    }
}

enum RegexFastPath: Sendable {
    case literal([UInt8])
    case literalSet(RegexLiteralSet)
    /// prefix, then between min and max (-1: unbounded) scalars of a set, then suffix.
    case affix(prefix: [UInt8], middle: RegexFastSet, min: Int, max: Int, suffix: [UInt8])
    case glob(RegexGlob)
    /// Exactly one scalar from each set, in order (`4..`, `(?i)get`).
    case fixed([RegexFastSet])

    func matches(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .literal(let lit):
            return lit.count == p.count && lit.withUnsafeBufferPointer { regexBytesEqual($0, 0, p, 0, p.count) }
        case .literalSet(let set):
            return set.contains(p)
        case .glob(let g):
            return g.matches(p)
        case .affix(let prefix, let middle, let mn, let mx, let suffix):
            let n = p.count
            guard n >= prefix.count + suffix.count else { return false }
            let ok = prefix.withUnsafeBufferPointer { pre in
                suffix.withUnsafeBufferPointer { suf in
                    regexBytesEqual(p, 0, pre, 0, pre.count) && regexBytesEqual(p, n - suf.count, suf, 0, suf.count)
                }
            }
            guard ok else { return false }
            let from = prefix.count, to = n - suffix.count
            // `.*` / `.+`: bytes suffice, as any non-empty byte run holds at least one scalar.
            if mn <= 1 && mx < 0 {
                if middle.isAll { return to - from >= mn }
                if middle.isAllButNewline {
                    var i = from
                    while i < to {
                        if p[i] == 0x0A { return false }
                        i += 1
                    }
                    return to - from >= mn
                }
            }
            guard let count = middle.countMembers(p, from: from, to: to, limit: mx < 0 ? Int.max : mx) else {
                return false
            }
            return count >= mn && (mx < 0 || count <= mx)
        case .fixed(let sets):
            let n = p.count
            if n < sets.count || n > 4 * sets.count { return false }
            var i = 0
            for s in sets {
                guard i < n else { return false }
                let b = p[i]
                if b < 0x80 {
                    guard s.containsASCII(b) else { return false }
                    i += 1
                } else {
                    let d = regexDecodeScalar(p, i)
                    guard s.containsHigh(d.scalar) else { return false }
                    i += d.width
                }
            }
            return i == n
        }
    }

    /// Picks a fast matcher for an (edge-anchor-stripped) pattern, or nil when none is exact.
    /// `literals` is the pattern's finite language when known.
    static func make(_ node: RegexNode, literals: [[UInt32]]?) -> RegexFastPath? {
        if let lits = literals {
            guard lits.allSatisfy({ $0.allSatisfy { Unicode.Scalar($0) != nil } }) else { return nil }
            let strings = lits.map(utf8)
            return strings.count == 1 ? .literal(strings[0]) : .literalSet(RegexLiteralSet(strings))
        }
        guard let pieces = RegexAnalysis.pieces(node) else { return nil }
        let setCount = pieces.filter { if case .set = $0 { return true } else { return false } }.count
        if setCount == 0 {
            // Only literals; `literals` would normally have caught this.
            var all: [UInt32] = []
            for case .literal(let l) in pieces { all += l }
            return .literal(utf8(all))
        }
        func literalBytes(_ p: RegexAnalysis.Piece) -> [UInt8]? {
            if case .literal(let l) = p { return utf8(l) }
            return nil
        }
        // [literal] set{min,max} [literal]
        if setCount == 1 && pieces.count <= 3 {
            var idx = 0
            var prefix: [UInt8] = []
            if let l = literalBytes(pieces[0]) {
                prefix = l
                idx = 1
            }
            if idx < pieces.count, case .set(let s, let mn, let mx) = pieces[idx] {
                let rest = pieces.count - idx - 1
                if rest == 0 {
                    return .affix(prefix: prefix, middle: RegexFastSet(s), min: mn, max: mx, suffix: [])
                }
                if rest == 1, let suffix = literalBytes(pieces[idx + 1]) {
                    return .affix(prefix: prefix, middle: RegexFastSet(s), min: mn, max: mx, suffix: suffix)
                }
            }
        }
        if let g = makeGlob(pieces) { return .glob(g) }
        // Fixed-length sequences of single scalars.
        var sets: [RegexFastSet] = []
        for p in pieces {
            switch p {
            case .literal(let l):
                for c in l { sets.append(RegexFastSet(RegexCharSet(scalar: c))) }
            case .set(let s, let mn, let mx):
                guard mn == mx else { return nil }
                for _ in 0..<mn { sets.append(RegexFastSet(s)) }
            }
            if sets.count > 64 { return nil }
        }
        return .fixed(sets)
    }

    private static func makeGlob(_ pieces: [RegexAnalysis.Piece]) -> RegexGlob? {
        var g = RegexGlob()
        var gapSet: RegexCharSet? = nil
        var i = 0
        if case .literal(let l) = pieces[0] {
            g.prefix = utf8(l)
            i = 1
        }
        while i < pieces.count {
            guard case .set(let s, let mn, let mx) = pieces[i], mx < 0, mn <= 1 else { return nil }
            guard s == RegexCharSet.all || s == RegexCharSet.allButNewline else { return nil }
            if let gs = gapSet, gs != s { return nil }
            gapSet = s
            i += 1
            if i == pieces.count {
                g.finalGap = mn
            } else {
                guard case .literal(let l) = pieces[i] else { return nil }
                if i == pieces.count - 1 {
                    g.suffix = utf8(l)
                    g.finalGap = mn
                } else {
                    g.middle.append((mn, utf8(l)))
                }
                i += 1
            }
        }
        g.dotNL = gapSet == RegexCharSet.all
        if !g.dotNL {
            let newline: UInt8 = 0x0A
            if g.prefix.contains(newline) || g.suffix.contains(newline) || g.middle.contains(where: { $0.literal.contains(newline) }) {
                return nil
            }
        }
        return g
    }

    static func utf8(_ scalars: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(scalars.count)
        for v in scalars {
            guard let u = Unicode.Scalar(v) else { continue }
            out.append(contentsOf: UTF8.encode(u)!)
        }
        return out
    }
}
