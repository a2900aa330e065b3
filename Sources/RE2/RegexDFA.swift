// An eagerly built DFA for the boolean `matches` question.
//
// Built once at compile time (within a state budget) so that matching is a table walk with no
// allocation, no locking and no shared mutable cache — PromRegex stays immutable and can be
// used from any number of threads. Patterns whose DFA would exceed the budget fall back to the
// Pike VM.
//
// The alphabet is the set of scalar equivalence classes: scalars that every instruction of the
// program treats alike share a class, so ASCII maps through a 128-entry table and everything
// else through a short binary search (or not at all when all non-ASCII scalars are alike).
// Assertions are handled by folding "what came before" into the state (start of input, after a
// newline, after a word character) and "what comes next" into the class (newline / word / other).

struct RegexDFA: Sendable {
    let classCount: Int
    let asciiClass: [UInt16]
    /// Class of every non-ASCII scalar when they are all alike, else -1.
    let uniformHighClass: Int
    /// Starts of the non-ASCII class intervals (first is 0x80) and their classes.
    let highStarts: [UInt32]
    let highClasses: [UInt16]
    /// `transitions[s + k]` is the next state for state offset `s` on class `k`; states are
    /// stored premultiplied by `classCount`; -1 is the dead state.
    let transitions: [Int32]
    let accepting: [Bool]

    static let maxStates = 2_000
    static let maxCells = 1 << 16
    static let maxWork = 4_000_000
    static let maxClasses = 4_096

    private enum Context: UInt8 {
        case other = 0, newline = 1, word = 2
    }

    private struct StateKey: Hashable {
        let pcs: [Int32]
        /// Bit 0: at start of input; bit 1: previous scalar is a newline; bit 2: a word char.
        let flags: UInt8
        /// Precomputed, so dictionary probes hash one word instead of the whole pc list.
        let hash: UInt64

        init(pcs: [Int32], flags: UInt8) {
            self.pcs = pcs
            self.flags = flags
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(flags)
            for pc in pcs { h = (h ^ UInt64(UInt32(bitPattern: pc))) &* 0x0000_0100_0000_01B3 }
            hash = h
        }

        static func == (a: StateKey, b: StateKey) -> Bool {
            a.hash == b.hash && a.flags == b.flags && a.pcs == b.pcs
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    static func build(_ prog: RegexProgram) -> RegexDFA? {
        let insts = prog.insts
        let n = insts.count

        // 1. The distinct sets consumed by the program, plus the context sets assertions need.
        var sets: [RegexCharSet] = []
        var setIndex: [RegexCharSet: Int] = [:]
        func intern(_ s: RegexCharSet) -> Int {
            if let i = setIndex[s] { return i }
            sets.append(s)
            setIndex[s] = sets.count - 1
            return sets.count - 1
        }
        var instSet = [Int](repeating: -1, count: n)
        for (pc, inst) in insts.enumerated() {
            switch inst.op {
            case .rune: instSet[pc] = intern(RegexCharSet(scalar: UInt32(inst.arg)))
            case .set: instSet[pc] = intern(prog.sets[Int(inst.arg)])
            case .anyChar: instSet[pc] = intern(RegexCharSet.all)
            case .anyNotNewline: instSet[pc] = intern(RegexCharSet.allButNewline)
            default: break
            }
        }
        if prog.usesLineContext { _ = intern(RegexCharSet(scalar: 0x0A)) }
        if prog.usesWordContext { _ = intern(RegexUnicode.word) }

        // 2. Partition the scalar space into intervals, then intervals into classes by which
        //    sets contain them.
        var boundaries: [UInt32] = [0]
        for s in sets {
            for r in s.ranges {
                boundaries.append(r.lo)
                if r.hi < RegexCharSet.maxRune { boundaries.append(r.hi + 1) }
            }
        }
        boundaries.sort()
        var starts: [UInt32] = []
        starts.reserveCapacity(boundaries.count)
        for b in boundaries where starts.last != b { starts.append(b) }
        if starts.count > 8 * maxClasses { return nil }
        // Each interval's signature is the bitset of sets containing it.
        let words = (sets.count + 63) / 64
        var signature = [UInt64](repeating: 0, count: starts.count * words)
        for (si, s) in sets.enumerated() {
            let bit: UInt64 = 1 << UInt64(si % 64)
            for r in s.ranges {
                var i = lowerBound(starts, r.lo)
                while i < starts.count && starts[i] <= r.hi {
                    signature[i * words + si / 64] |= bit
                    i += 1
                }
            }
        }
        var classOfSignature: [ArraySlice<UInt64>: Int] = [:]
        var intervalClass = [Int](repeating: 0, count: starts.count)
        var representative: [UInt32] = []
        for i in 0..<starts.count {
            let sig = signature[(i * words)..<((i + 1) * words)]
            if let k = classOfSignature[sig] {
                intervalClass[i] = k
            } else {
                let k = representative.count
                classOfSignature[sig] = k
                intervalClass[i] = k
                representative.append(starts[i])
            }
        }
        let classCount = representative.count
        if classCount > maxClasses { return nil }
        var setClasses = [[Int]](repeating: [], count: sets.count)
        var seenIn = [Int](repeating: -1, count: classCount)
        for (si, s) in sets.enumerated() {
            for r in s.ranges {
                var i = lowerBound(starts, r.lo)
                while i < starts.count && starts[i] <= r.hi {
                    let k = intervalClass[i]
                    if seenIn[k] != si {
                        seenIn[k] = si
                        setClasses[si].append(k)
                    }
                    i += 1
                }
            }
        }
        let context: [Context] = representative.map { c in
            if prog.usesLineContext && c == 0x0A { return .newline }
            if prog.usesWordContext && regexIsWordScalar(Int32(c)) { return .word }
            return .other
        }
        let contextsPresent = Set(context).sorted { $0.rawValue < $1.rawValue }

        // 3. Subset construction.
        var mark = [UInt32](repeating: 0, count: n)
        var generation: UInt32 = 0
        var work = 0
        var stack: [Int32] = []
        var consuming: [Int32] = []
        /// Follows non-consuming instructions from `pcs`, collecting consuming ones; returns
        /// whether `match` is reachable.
        func closure(_ key: StateKey, atEnd: Bool, next: Context) -> Bool {
            generation &+= 1
            consuming.removeAll(keepingCapacity: true)
            stack.removeAll(keepingCapacity: true)
            stack.append(contentsOf: key.pcs)
            let atStart = key.flags & 1 != 0
            let prev: Int32 = atStart ? -1 : key.flags & 2 != 0 ? 0x0A : key.flags & 4 != 0 ? 0x61 : 0x20
            let nextScalar: Int32 = atEnd ? -1 : next == .newline ? 0x0A : next == .word ? 0x61 : 0x20
            var matched = false
            while let pc = stack.popLast() {
                let p = Int(pc)
                if mark[p] == generation { continue }
                mark[p] = generation
                work += 1
                let inst = insts[p]
                switch inst.op {
                case .jump, .save: stack.append(inst.out)
                case .split:
                    stack.append(inst.arg)
                    stack.append(inst.out)
                case .assert:
                    if regexAssertionHolds(inst.arg, prev: prev, next: nextScalar) { stack.append(inst.out) }
                case .match: matched = true
                case .fail: break
                case .rune, .set, .anyChar, .anyNotNewline: consuming.append(pc)
                }
            }
            return matched
        }

        var keys: [StateKey] = [StateKey(pcs: [0], flags: 1)]
        var stateIndex: [StateKey: Int32] = [keys[0]: 0]
        var transitions: [Int32] = []
        var accepting: [Bool] = []
        var next = [[Int32]](repeating: [], count: classCount)
        var s = 0
        while s < keys.count {
            let key = keys[s]
            accepting.append(closure(key, atEnd: true, next: .other))
            for k in 0..<classCount { next[k].removeAll(keepingCapacity: true) }
            for ctx in contextsPresent {
                _ = closure(key, atEnd: false, next: ctx)
                for pc in consuming {
                    let out = insts[Int(pc)].out
                    for k in setClasses[instSet[Int(pc)]] where context[k] == ctx { next[k].append(out) }
                }
            }
            var previous: (pcs: [Int32], flags: UInt8, target: Int32)? = nil
            for k in 0..<classCount {
                if next[k].isEmpty {
                    transitions.append(-1)
                    continue
                }
                if next[k].count > 1 {
                    next[k].sort()
                    var w = 1
                    for i in 1..<next[k].count where next[k][i] != next[k][w - 1] {
                        next[k][w] = next[k][i]
                        w += 1
                    }
                    next[k].removeLast(next[k].count - w)
                }
                var flags: UInt8 = 0
                if prog.usesLineContext && context[k] == .newline { flags |= 2 }
                if prog.usesWordContext && context[k] == .word { flags |= 4 }
                // Neighbouring classes (letters of one range) usually lead to the same state.
                if let p = previous, p.flags == flags, p.pcs == next[k] {
                    transitions.append(p.target)
                    continue
                }
                let nk = StateKey(pcs: next[k], flags: flags)
                let id: Int32
                if let known = stateIndex[nk] {
                    id = known
                } else {
                    id = Int32(keys.count)
                    keys.append(nk)
                    stateIndex[nk] = id
                }
                transitions.append(id * Int32(classCount))
                previous = (next[k], flags, id * Int32(classCount))
            }
            if keys.count > maxStates || keys.count * classCount > maxCells || work > maxWork { return nil }
            s += 1
        }

        // 4. Lookup tables for the matcher.
        var ascii = [UInt16](repeating: 0, count: 128)
        var highStarts: [UInt32] = []
        var highClasses: [UInt16] = []
        var iv = 0
        for b in 0..<128 {
            while iv + 1 < starts.count && starts[iv + 1] <= UInt32(b) { iv += 1 }
            ascii[b] = UInt16(intervalClass[iv])
        }
        while iv + 1 < starts.count && starts[iv + 1] <= 0x80 { iv += 1 }
        highStarts.append(0x80)
        highClasses.append(UInt16(intervalClass[iv]))
        for i in (iv + 1)..<max(iv + 1, starts.count) {
            if UInt16(intervalClass[i]) != highClasses.last! {
                highStarts.append(starts[i])
                highClasses.append(UInt16(intervalClass[i]))
            }
        }
        return RegexDFA(
            classCount: classCount, asciiClass: ascii,
            uniformHighClass: highClasses.count == 1 ? Int(highClasses[0]) : -1,
            highStarts: highStarts, highClasses: highClasses,
            transitions: transitions, accepting: accepting)
    }

    private static func lowerBound(_ a: [UInt32], _ v: UInt32) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    @inline(__always)
    private func highClass(_ c: UInt32) -> Int {
        // Last interval starting at or before c.
        var lo = 0, hi = highStarts.count
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if highStarts[mid] <= c { lo = mid } else { hi = mid }
        }
        return Int(highClasses[lo])
    }

    func matches(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let nc = classCount
        let uniform = uniformHighClass
        return transitions.withUnsafeBufferPointer { t -> Bool in
            asciiClass.withUnsafeBufferPointer { ascii -> Bool in
                var state = 0
                var i = 0
                let n = p.count
                while i < n {
                    let b = p[i]
                    let k: Int
                    if b < 0x80 {
                        k = Int(ascii[Int(b)])
                        i += 1
                    } else if uniform >= 0 {
                        k = uniform
                        i += regexDecodeScalar(p, i).width
                    } else {
                        let d = regexDecodeScalar(p, i)
                        k = highClass(d.scalar)
                        i += d.width
                    }
                    let nx = t[state + k]
                    if nx < 0 { return false }
                    state = Int(nx)
                }
                return accepting[state / nc]
            }
        }
    }
}
