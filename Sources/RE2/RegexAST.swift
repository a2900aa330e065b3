// Abstract syntax of a parsed RE2 pattern, and the set-of-scalars type its classes use.

/// An inclusive range of Unicode scalar values (surrogate values may appear inside ranges;
/// they never occur in Swift strings, so they are harmless).
struct RegexRuneRange: Hashable, Sendable {
    var lo: UInt32
    var hi: UInt32
}

/// A set of scalars kept canonical (sorted, disjoint, non-adjacent ranges), so that equal sets
/// compare and hash equal and the compiler can share them between instructions.
struct RegexCharSet: Hashable, Sendable {
    static let maxRune: UInt32 = 0x10FFFF

    private(set) var ranges: [RegexRuneRange]

    init() { ranges = [] }

    init(_ lo: UInt32, _ hi: UInt32) { ranges = [RegexRuneRange(lo: lo, hi: hi)] }

    init(scalar c: UInt32) { ranges = [RegexRuneRange(lo: c, hi: c)] }

    init(ranges rs: [RegexRuneRange]) { ranges = RegexCharSet.canonical(rs) }

    /// Builds a set from flattened (lo, hi) pairs, as the static tables are written.
    init(pairs: [UInt32]) {
        var rs: [RegexRuneRange] = []
        rs.reserveCapacity(pairs.count / 2)
        var i = 0
        while i + 1 < pairs.count {
            rs.append(RegexRuneRange(lo: pairs[i], hi: pairs[i + 1]))
            i += 2
        }
        ranges = RegexCharSet.canonical(rs)
    }

    static let all = RegexCharSet(0, maxRune)
    static let allButNewline = RegexCharSet(ranges: [RegexRuneRange(lo: 0, hi: 9), RegexRuneRange(lo: 11, hi: maxRune)])

    private static func canonical(_ rs: [RegexRuneRange]) -> [RegexRuneRange] {
        if rs.count <= 1 { return rs }
        let sorted = rs.sorted { $0.lo < $1.lo }
        var out: [RegexRuneRange] = []
        out.reserveCapacity(sorted.count)
        for r in sorted {
            if let last = out.last, r.lo <= last.hi + 1 {
                if r.hi > last.hi { out[out.count - 1].hi = r.hi }
            } else {
                out.append(r)
            }
        }
        return out
    }

    var isEmpty: Bool { ranges.isEmpty }

    /// Number of scalar values in the set (counting surrogates inside ranges).
    var count: Int {
        var n = 0
        for r in ranges { n += Int(r.hi - r.lo) + 1 }
        return n
    }

    /// The only member when the set has exactly one.
    var singleScalar: UInt32? {
        if ranges.count == 1, ranges[0].lo == ranges[0].hi { return ranges[0].lo }
        return nil
    }

    func contains(_ c: UInt32) -> Bool {
        var lo = 0
        var hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let r = ranges[mid]
            if c < r.lo {
                hi = mid
            } else if c > r.hi {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }

    func union(_ other: RegexCharSet) -> RegexCharSet {
        if other.ranges.isEmpty { return self }
        if ranges.isEmpty { return other }
        return RegexCharSet(ranges: ranges + other.ranges)
    }

    func inverted() -> RegexCharSet {
        var out: [RegexRuneRange] = []
        var next: UInt32 = 0
        for r in ranges {
            if r.lo > next { out.append(RegexRuneRange(lo: next, hi: r.lo - 1)) }
            next = r.hi + 1
        }
        if next <= RegexCharSet.maxRune { out.append(RegexRuneRange(lo: next, hi: RegexCharSet.maxRune)) }
        var s = RegexCharSet()
        s.ranges = out
        return s
    }

    /// Every member that can occur in a string (surrogates cannot), when there are at most
    /// `limit` members.
    func members(limit: Int) -> [UInt32]? {
        if count > limit { return nil }
        var out: [UInt32] = []
        for r in ranges {
            var c = r.lo
            while true {
                if c < 0xD800 || c > 0xDFFF { out.append(c) }
                if c == r.hi { break }
                c += 1
            }
        }
        return out
    }

    /// True when no member is a non-ASCII scalar.
    var isASCIIOnly: Bool { ranges.last.map { $0.hi < 0x80 } ?? true }
}

/// Zero-width assertions. Raw values are stored in compiled instructions.
enum RegexAssertion: Int32, Sendable {
    case beginLine, endLine, beginText, endText, wordBoundary, nonWordBoundary
}

/// The parsed pattern. Literals are single scalars (case folding already expanded into sets),
/// which keeps repetition binding (`ab*`) trivially right and the compiler small.
/// Only the cases that nest a single node are `indirect`, so literals (the bulk of a large
/// alternation) are stored inline rather than boxed.
enum RegexNode: Sendable, Equatable {
    case empty
    case literal(UInt32)
    case set(RegexCharSet)
    case anyChar
    case anyNotNewline
    case assertion(RegexAssertion)
    indirect case capture(Int, RegexNode)
    case concat([RegexNode])
    case alternate([RegexNode])
    /// `max == -1` means unbounded.
    indirect case repetition(RegexNode, min: Int, max: Int, greedy: Bool)

    /// Whether the node can match the empty string (assertions count as possibly empty).
    var nullable: Bool {
        switch self {
        case .empty, .assertion: return true
        case .literal, .set, .anyChar, .anyNotNewline: return false
        case .capture(_, let x): return x.nullable
        case .concat(let xs): return xs.allSatisfy { $0.nullable }
        case .alternate(let xs): return xs.contains { $0.nullable }
        case .repetition(let x, let min, _, _): return min == 0 || x.nullable
        }
    }

    /// Whether any assertion occurs anywhere in the node.
    var containsAssertion: Bool {
        switch self {
        case .assertion: return true
        case .empty, .literal, .set, .anyChar, .anyNotNewline: return false
        case .capture(_, let x): return x.containsAssertion
        case .concat(let xs), .alternate(let xs): return xs.contains { $0.containsAssertion }
        case .repetition(let x, _, _, _): return x.containsAssertion
        }
    }
}
