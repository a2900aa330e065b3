/// Packs big-endian bit fields into a byte array for the Gorilla chunk.
///
/// Fields are gathered in a 64-bit register and reach the array in one `commit()` per sample:
/// array mutations cost a uniqueness check each, which would otherwise dominate appends. After
/// a commit the partially filled last byte lives inside `bytes` (unused low bits zero), so the
/// array is a complete encoding: the head can hand a growing chunk to a querier or to disk
/// without a flush step and without copying.
struct BitWriter: Sendable {
    /// The committed bits, MSB first; the last byte may be partial.
    private(set) var bytes: [UInt8]
    /// Bits not yet committed as whole bytes, left-aligned; they start at byte `committed`.
    private var acc: UInt64
    /// Number of valid bits in `acc` (0...63).
    private var accBits: Int
    /// Bytes of `bytes` that are final (the pending bits start after them).
    private var committed: Int

    init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
        acc = 0
        accBits = 0
        committed = 0
    }

    /// Continues writing after the first `bitCount` bits of `bytes`. Bits past `bitCount` are
    /// dropped, including the last byte's padding.
    init(resuming bytes: [UInt8], bitCount: Int, reservingCapacity capacity: Int) {
        precondition(bitCount >= 0 && bitCount <= bytes.count &* 8)
        var b = bytes
        let used = (bitCount + 7) >> 3
        if b.count > used { b.removeLast(b.count - used) }
        committed = bitCount >> 3
        accBits = bitCount & 7
        acc = 0
        if accBits != 0 {
            b[used - 1] &= ~(UInt8(0xFF) &>> UInt8(accBits))
            acc = UInt64(b[used - 1]) &<< 56
        }
        if b.capacity < capacity { b.reserveCapacity(capacity) }
        self.bytes = b
    }

    /// Bits written so far, committed or not.
    var bitCount: Int { committed &* 8 &+ accBits }

    /// Writes the low `n` bits of `value`, most significant first. `n` must be in 1...64 and
    /// `value` must have no bits set above bit `n - 1`. Visible in `bytes` after `commit()`.
    @inline(__always)
    mutating func write(_ value: UInt64, bits n: Int) {
        // Invariant: accBits < 64 between writes.
        let total = accBits &+ n
        if total < 64 {
            acc |= value &<< UInt64(64 &- total)
            accBits = total
            return
        }
        // Fill the register, move it to the array, keep the rest (0...63 bits).
        let rest = total &- 64
        acc |= value &>> UInt64(rest)
        spill()
        if rest > 0 {
            acc = value &<< UInt64(64 &- rest)
            accBits = rest
        }
    }

    /// Moves a full 64-bit register into the array.
    @inline(never)
    private mutating func spill() {
        appendPending(byteCount: 8)
        committed &+= 8
        acc = 0
        accBits = 0
    }

    /// Replaces everything after the final bytes with the first `byteCount` bytes of `acc`.
    @inline(__always)
    private mutating func appendPending(byteCount: Int) {
        if bytes.count > committed { bytes.removeLast(bytes.count &- committed) }
        var i = 0
        while i < byteCount {
            bytes.append(UInt8(truncatingIfNeeded: acc &>> UInt64(56 &- 8 &* i)))
            i &+= 1
        }
    }

    /// Makes every written bit visible in `bytes` and overwrites bytes 1-2 (the chunk header's
    /// sample count) with `count`. Requires at least 3 committed bytes.
    @inline(__always)
    mutating func commit(headerCount count: Int) {
        // `bytes` ends either at `committed` or one stale partial byte later.
        let stale = bytes.count &- committed
        let needed = (accBits &+ 7) &>> 3
        let first = UInt8(truncatingIfNeeded: acc &>> 56)
        let c = committed
        bytes.withUnsafeMutableBufferPointer { b in
            // Indices 1, 2 and c < b.count hold by construction (header committed at init).
            guard let p = b.baseAddress else { return }
            p[1] = UInt8(truncatingIfNeeded: count &>> 8)
            p[2] = UInt8(truncatingIfNeeded: count)
            if stale != 0 { p[c] = first }
        }
        // Usually 0-2 new bytes: single appends are far cheaper than append(contentsOf:).
        var i = stale
        while i < needed {
            bytes.append(UInt8(truncatingIfNeeded: acc &>> UInt64(56 &- 8 &* i)))
            i &+= 1
        }
        let whole = accBits &>> 3
        committed &+= whole
        acc = acc &<< UInt64(whole &* 8)
        accBits &= 7
    }

    /// Appends whole bytes directly (the chunk header, before any bit field).
    mutating func appendBytes(_ b: [UInt8]) {
        precondition(accBits == 0 && bytes.count == committed)
        bytes.append(contentsOf: b)
        committed &+= b.count
    }
}
