// Static facts about a parsed pattern that let callers (and our own fast paths) avoid running
// an automaton: the finite set of strings it matches, its required literal prefix, and its
// shape as a sequence of literals and repeated character sets.

enum RegexAnalysis {
    /// Removes `^`/`$`/`\A`/`\z` at the very edges of the pattern: under full anchoring they are
    /// always true there, and without them far more patterns (`^foo$`, `^(a|b)$`) reach the
    /// literal fast paths.
    static func stripEdgeAnchors(_ n: RegexNode, atStart: Bool = true, atEnd: Bool = true) -> RegexNode {
        switch n {
        case .assertion(.beginText), .assertion(.beginLine):
            return atStart ? .empty : n
        case .assertion(.endText), .assertion(.endLine):
            return atEnd ? .empty : n
        case .capture(let i, let x):
            return .capture(i, stripEdgeAnchors(x, atStart: atStart, atEnd: atEnd))
        case .alternate(let xs):
            return .alternate(xs.map { stripEdgeAnchors($0, atStart: atStart, atEnd: atEnd) })
        case .concat(let xs):
            var out = xs
            let last = out.count - 1
            // Leading elements are at the start while everything before them stripped to empty.
            var firstKept = 0
            if atStart {
                while firstKept <= last {
                    out[firstKept] = stripEdgeAnchors(out[firstKept], atStart: true, atEnd: atEnd && firstKept == last)
                    if out[firstKept] != .empty { break }
                    firstKept += 1
                }
            }
            if atEnd {
                var j = last
                while j >= 0 {
                    out[j] = stripEdgeAnchors(out[j], atStart: atStart && j <= firstKept, atEnd: true)
                    if out[j] != .empty { break }
                    j -= 1
                }
            }
            let kept = out.filter { $0 != .empty }
            switch kept.count {
            case 0: return .empty
            case 1: return kept[0]
            default: return .concat(kept)
            }
        default:
            return n
        }
    }

    // MARK: Finite languages

    /// Every string the node matches, when that is a finite set of at most `limit` strings
    /// (order of first appearance, no duplicates). Sets wider than `maxSetSize` count as
    /// infinite, so a huge plain alternation can be expanded without `[0-9]{4}` exploding.
    static func literalStrings(_ n: RegexNode, limit: Int, maxSetSize: Int = 256) -> [[UInt32]]? {
        guard let raw = expand(n, limit: limit, maxSetSize: maxSetSize) else { return nil }
        var seen = Set<[UInt32]>()
        var out: [[UInt32]] = []
        for s in raw where seen.insert(s).inserted { out.append(s) }
        return out
    }

    private static func expand(_ n: RegexNode, limit: Int, maxSetSize: Int) -> [[UInt32]]? {
        switch n {
        case .empty:
            return [[]]
        case .literal(let c):
            return [[c]]
        case .set(let s):
            guard let ms = s.members(limit: min(limit, maxSetSize)) else { return nil }
            return ms.map { [$0] }
        case .anyChar, .anyNotNewline, .assertion:
            return nil
        case .capture(_, let x):
            return expand(x, limit: limit, maxSetSize: maxSetSize)
        case .concat(let xs):
            // The common case in big alternations: a plain run of literals.
            var run: [UInt32] = []
            run.reserveCapacity(xs.count)
            for x in xs {
                guard case .literal(let c) = x else { break }
                run.append(c)
            }
            if run.count == xs.count { return [run] }
            var acc: [[UInt32]] = [[]]
            for x in xs {
                guard let e = expand(x, limit: limit, maxSetSize: maxSetSize) else { return nil }
                if acc.count * e.count > limit { return nil }
                if e.count == 1 {
                    for i in acc.indices { acc[i].append(contentsOf: e[0]) }
                } else {
                    acc = acc.flatMap { a in e.map { a + $0 } }
                }
            }
            return acc
        case .alternate(let xs):
            var acc: [[UInt32]] = []
            for x in xs {
                guard let e = expand(x, limit: limit, maxSetSize: maxSetSize) else { return nil }
                acc.append(contentsOf: e)
                if acc.count > limit { return nil }
            }
            return acc
        case .repetition(let x, let mn, let mx, _):
            guard mx >= 0, let e = expand(x, limit: limit, maxSetSize: maxSetSize) else { return nil }
            var power: [[UInt32]] = [[]]
            var acc: [[UInt32]] = []
            for k in 0...mx {
                if k > 0 {
                    if power.count * e.count > limit { return nil }
                    power = power.flatMap { a in e.map { a + $0 } }
                }
                if k >= mn {
                    acc.append(contentsOf: power)
                    if acc.count > limit { return nil }
                }
            }
            return acc
        }
    }

    // MARK: Required prefix

    /// The literal every match starts with. `complete` means the node matches exactly that
    /// literal, so what follows it in a concatenation extends the prefix.
    static func requiredPrefix(_ n: RegexNode) -> (prefix: [UInt32], complete: Bool) {
        switch n {
        case .empty, .assertion:
            return ([], true)
        case .literal(let c):
            return ([c], true)
        case .set(let s):
            if let c = s.singleScalar { return ([c], true) }
            return ([], false)
        case .anyChar, .anyNotNewline:
            return ([], false)
        case .capture(_, let x):
            return requiredPrefix(x)
        case .concat(let xs):
            var acc: [UInt32] = []
            for x in xs {
                let (p, complete) = requiredPrefix(x)
                acc.append(contentsOf: p)
                if !complete { return (acc, false) }
            }
            return (acc, true)
        case .alternate(let xs):
            let infos = xs.map(requiredPrefix)
            guard var common = infos.first?.prefix else { return ([], true) }
            var allSame = infos[0].complete
            for info in infos.dropFirst() {
                if !info.complete || info.prefix != common { allSame = false }
                var k = 0
                while k < common.count && k < info.prefix.count && common[k] == info.prefix[k] { k += 1 }
                common.removeLast(common.count - k)
            }
            return (common, allSame)
        case .repetition(let x, let mn, let mx, _):
            if mn == 0 { return ([], mx == 0) }
            let (p, complete) = requiredPrefix(x)
            if !complete { return (p, false) }
            var rep: [UInt32] = []
            for _ in 0..<mn { rep.append(contentsOf: p) }
            return (rep, mn == mx || p.isEmpty)
        }
    }

    // MARK: Linear shape

    /// A pattern flattened into literals and repeated single-scalar sets.
    enum Piece: Equatable {
        case literal([UInt32])
        case set(RegexCharSet, min: Int, max: Int)
    }

    /// The node as a sequence of pieces, or nil when it has alternation, assertions or
    /// repetition of anything longer than one scalar. Captures are ignored (this is for
    /// boolean matching) and adjacent repeats of the same set are merged (`.*.+` → `.+`).
    static func pieces(_ n: RegexNode) -> [Piece]? {
        var out: [Piece] = []
        func addLiteral(_ c: UInt32, times: Int = 1) {
            if case .literal(var s)? = out.last {
                for _ in 0..<times { s.append(c) }
                out[out.count - 1] = .literal(s)
            } else {
                out.append(.literal([UInt32](repeating: c, count: times)))
            }
        }
        func addSet(_ s: RegexCharSet, _ mn: Int, _ mx: Int) {
            if case .set(let t, let a, let b)? = out.last, t == s {
                out[out.count - 1] = .set(s, min: a + mn, max: (b < 0 || mx < 0) ? -1 : b + mx)
            } else {
                out.append(.set(s, min: mn, max: mx))
            }
        }
        func walk(_ n: RegexNode) -> Bool {
            switch n {
            case .empty:
                return true
            case .capture(_, let x):
                return walk(x)
            case .concat(let xs):
                for x in xs where !walk(x) { return false }
                return true
            case .repetition(let x, let mn, let mx, _):
                guard let s = singleScalarSet(x) else { return false }
                if mx == 0 { return true }
                if let c = s.singleScalar, mn == mx {
                    addLiteral(c, times: mn)
                } else {
                    addSet(s, mn, mx)
                }
                return true
            case .assertion:
                return false
            default:
                guard let s = singleScalarSet(n) else { return false }
                if let c = s.singleScalar { addLiteral(c) } else { addSet(s, 1, 1) }
                return true
            }
        }
        return walk(n) ? out : nil
    }

    /// The set of scalars a node matching exactly one scalar accepts.
    private static func singleScalarSet(_ n: RegexNode) -> RegexCharSet? {
        switch n {
        case .literal(let c): return RegexCharSet(scalar: c)
        case .set(let s): return s
        case .anyChar: return RegexCharSet.all
        case .anyNotNewline: return RegexCharSet.allButNewline
        case .capture(_, let x): return singleScalarSet(x)
        case .concat(let xs) where xs.count == 1: return singleScalarSet(xs[0])
        case .alternate(let xs):
            // (a|b|[cd]) is one scalar from a union.
            var u = RegexCharSet()
            for x in xs {
                guard let s = singleScalarSet(x) else { return nil }
                u = u.union(s)
            }
            return u
        default: return nil
        }
    }
}
