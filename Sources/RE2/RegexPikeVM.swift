// Pike VM: simulates the NFA over all threads at once, carrying capture slots per thread.
// Linear in input length × program size, never backtracks, and — because threads are kept in
// priority order and a lower-priority thread reaching an already-claimed instruction is dropped —
// reports the same submatches a Perl-style backtracker would (RE2's leftmost-first rule).

/// Decodes one scalar of UTF-8 at `i` (which must be < p.count). Invalid or truncated sequences
/// decode as U+FFFD of width 1, as Go does, so arbitrary bytes never read out of bounds.
@inline(__always)
func regexDecodeScalar(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (scalar: UInt32, width: Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    let n = p.count
    @inline(__always) func cont(_ j: Int) -> UInt32? {
        guard j < n else { return nil }
        let b = UInt32(p[j])
        return b & 0xC0 == 0x80 ? b & 0x3F : nil
    }
    if b0 >= 0xC2 && b0 < 0xE0 {
        if let b1 = cont(i + 1) { return ((b0 & 0x1F) << 6 | b1, 2) }
    } else if b0 >= 0xE0 && b0 < 0xF0 {
        if let b1 = cont(i + 1), let b2 = cont(i + 2) {
            let c = (b0 & 0x0F) << 12 | b1 << 6 | b2
            if c >= 0x800 && !(c >= 0xD800 && c <= 0xDFFF) { return (c, 3) }
        }
    } else if b0 >= 0xF0 && b0 < 0xF5 {
        if let b1 = cont(i + 1), let b2 = cont(i + 2), let b3 = cont(i + 3) {
            let c = (b0 & 0x07) << 18 | b1 << 12 | b2 << 6 | b3
            if c >= 0x10000 && c <= 0x10FFFF { return (c, 4) }
        }
    }
    return (0xFFFD, 1)
}

@inline(__always)
func regexIsWordScalar(_ c: Int32) -> Bool {
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
}

/// Whether assertion `a` holds between `prev` and `next` (-1 for the start / end of input).
@inline(__always)
func regexAssertionHolds(_ a: Int32, prev: Int32, next: Int32) -> Bool {
    switch RegexAssertion(rawValue: a) {
    case .beginLine: return prev < 0 || prev == 0x0A
    case .endLine: return next < 0 || next == 0x0A
    case .beginText: return prev < 0
    case .endText: return next < 0
    case .wordBoundary: return regexIsWordScalar(prev) != regexIsWordScalar(next)
    case .nonWordBoundary: return regexIsWordScalar(prev) == regexIsWordScalar(next)
    case nil: return false
    }
}

enum RegexPikeVM {
    /// Runs the anchored match. When `slots` is non-empty (2 per group, group 0 first) it
    /// receives the winning thread's byte offsets, -1 for groups that did not participate.
    static func run(_ prog: RegexProgram, _ text: UnsafeBufferPointer<UInt8>, slots: UnsafeMutableBufferPointer<Int>) -> Bool {
        let n = prog.insts.count
        let ns = slots.count
        // Two sparse sets (sparse + dense arrays), two slot tables, the current slots and a
        // stack of (pc or restore-slot, value) pairs; a pc is pushed at most twice per closure.
        let total = 4 * n + 2 * n * ns + ns + 4 * n + 4
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: total) { buf -> Bool in
            let base = buf.baseAddress!
            base.initialize(repeating: 0, count: 4 * n)
            let cur = base + 4 * n + 2 * n * ns
            let stack = cur + ns
            for j in 0..<ns { cur[j] = -1 }
            return prog.insts.withUnsafeBufferPointer { insts -> Bool in
                let m = Machine(insts: insts, sets: prog.sets, ns: ns, cur: cur, stack: stack)
                var clist = ThreadList(sparse: base, dense: base + n, slots: base + 4 * n)
                var nlist = ThreadList(sparse: base + 2 * n, dense: base + 3 * n, slots: base + 4 * n + n * ns)
                let len = text.count
                var pos = 0
                var prev: Int32 = -1
                var (c, w): (Int32, Int) = (-1, 0)
                if len > 0 {
                    let d = regexDecodeScalar(text, 0)
                    (c, w) = (Int32(d.scalar), d.width)
                }
                m.addThread(&clist, 0, pos: 0, prev: prev, next: c)
                while pos < len {
                    if clist.count == 0 { return false }
                    let nextPos = pos + w
                    var (c2, w2): (Int32, Int) = (-1, 0)
                    if nextPos < len {
                        let d = regexDecodeScalar(text, nextPos)
                        (c2, w2) = (Int32(d.scalar), d.width)
                    }
                    nlist.count = 0
                    for i in 0..<clist.count {
                        let pc = clist.dense[i]
                        let inst = insts[pc]
                        let ok: Bool
                        switch inst.op {
                        case .rune: ok = inst.arg == c
                        case .set: ok = m.sets[Int(inst.arg)].contains(UInt32(c))
                        case .anyChar: ok = true
                        case .anyNotNewline: ok = c != 0x0A
                        default: ok = false
                        }
                        if ok {
                            if ns > 0 { cur.update(from: clist.slots + pc * ns, count: ns) }
                            m.addThread(&nlist, Int(inst.out), pos: nextPos, prev: c, next: c2)
                        }
                    }
                    swap(&clist, &nlist)
                    pos = nextPos
                    prev = c
                    (c, w) = (c2, w2)
                }
                // Threads are in priority order; the first to reach `match` wins.
                for i in 0..<clist.count {
                    let pc = clist.dense[i]
                    if insts[pc].op == .match {
                        if ns > 0 { slots.baseAddress!.update(from: clist.slots + pc * ns, count: ns) }
                        return true
                    }
                }
                return false
            }
        }
    }

    private struct ThreadList {
        let sparse: UnsafeMutablePointer<Int>
        let dense: UnsafeMutablePointer<Int>
        /// Capture slots of the thread at pc p live at `slots + p * ns`.
        let slots: UnsafeMutablePointer<Int>
        var count = 0

        @inline(__always) func contains(_ pc: Int) -> Bool {
            let i = sparse[pc]
            return i < count && dense[i] == pc
        }

        @inline(__always) mutating func insert(_ pc: Int) {
            sparse[pc] = count
            dense[count] = pc
            count += 1
        }
    }

    private struct Machine {
        let insts: UnsafeBufferPointer<RegexInst>
        let sets: [RegexCharSet]
        let ns: Int
        let cur: UnsafeMutablePointer<Int>
        let stack: UnsafeMutablePointer<Int>

        /// Adds the thread at `pc0` and everything reachable from it without consuming input,
        /// depth-first in priority order. Save instructions update `cur` and push an undo
        /// entry, so `cur` is unchanged when this returns.
        func addThread(_ list: inout ThreadList, _ pc0: Int, pos: Int, prev: Int32, next: Int32) {
            var sp = 0
            @inline(__always) func push(_ a: Int, _ b: Int) {
                stack[sp] = a
                stack[sp + 1] = b
                sp += 2
            }
            push(pc0, 0)
            while sp > 0 {
                sp -= 2
                let x = stack[sp]
                if x < 0 {
                    cur[-x - 1] = stack[sp + 1]
                    continue
                }
                let pc = x
                if list.contains(pc) { continue }
                list.insert(pc)
                let inst = insts[pc]
                switch inst.op {
                case .jump:
                    push(Int(inst.out), 0)
                case .split:
                    push(Int(inst.arg), 0)
                    push(Int(inst.out), 0)
                case .save:
                    let slot = Int(inst.arg)
                    if slot < ns {
                        push(-slot - 1, cur[slot])
                        cur[slot] = pos
                    }
                    push(Int(inst.out), 0)
                case .assert:
                    if regexAssertionHolds(inst.arg, prev: prev, next: next) { push(Int(inst.out), 0) }
                case .fail:
                    break
                case .rune, .set, .anyChar, .anyNotNewline, .match:
                    if ns > 0 { (list.slots + pc * ns).update(from: cur, count: ns) }
                }
            }
        }
    }
}
