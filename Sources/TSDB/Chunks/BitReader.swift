/// Reads big-endian bit fields from a byte buffer by absolute bit position.
///
/// Decoding is the query hot path, so reads are branch-light: `peek` loads the next 8 bytes
/// unaligned and shifts, letting a decoder inspect a whole prefix code plus payload at once.
/// Reads past the end yield zero bits instead of touching memory, so callers decode a whole
/// sample optimistically and check `position <= end` once afterwards to detect truncation.
struct BitReader {
    let base: UnsafeBufferPointer<UInt8>
    /// Bits consumed so far (absolute, from the first byte of `base`).
    var position: Int
    /// Total number of bits in the buffer.
    let end: Int

    @inline(__always)
    init(_ base: UnsafeBufferPointer<UInt8>, position: Int) {
        self.base = base
        self.position = position
        self.end = base.count &* 8
    }

    /// True when every bit consumed so far came from the buffer (no zero padding was read).
    @inline(__always)
    var isWithinBounds: Bool { position <= end }

    /// The next 64 bits starting at `position`, left-aligned (bit 63 is the next bit). Only the
    /// top 57 bits are guaranteed to be meaningful; bits past the end of the buffer read as 0.
    @inline(__always)
    func peek() -> UInt64 {
        let i = position &>> 3
        if i &+ 8 <= base.count, let p = base.baseAddress {
            let raw = UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i, as: UInt64.self)
            return UInt64(bigEndian: raw) &<< UInt64(position & 7)
        }
        return peekNearEnd(i)
    }

    @inline(never)
    private func peekNearEnd(_ i: Int) -> UInt64 {
        let n = base.count
        if n >= 8 && i < n, let p = base.baseAddress {
            // Load the last 8 bytes and shift the ones before `i` out; zeros fill in from the right.
            let raw = UnsafeRawPointer(p).loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            let w = UInt64(bigEndian: raw) &<< UInt64((i &- (n &- 8)) &* 8)
            return w &<< UInt64(position & 7)
        }
        var w: UInt64 = 0
        var k = 0
        while k < 8 {
            let j = i &+ k
            w = w &<< 8
            if j >= 0 && j < base.count { w |= UInt64(base[j]) }
            k &+= 1
        }
        return w &<< UInt64(position & 7)
    }

    /// Consumes `n` bits without decoding them (after a `peek`).
    @inline(__always)
    mutating func skip(_ n: Int) { position &+= n }

    /// Reads `n` bits (0...64) as an unsigned integer.
    @inline(__always)
    mutating func read(_ n: Int) -> UInt64 {
        if n <= 56 {
            if n == 0 { return 0 }
            let w = peek()
            position &+= n
            return w &>> UInt64(64 &- n)
        }
        let hi = peek() &>> 32
        position &+= 32
        let lo = peek() &>> UInt64(64 &- (n &- 32))
        position &+= n &- 32
        return (hi &<< UInt64(n &- 32)) | lo
    }

    /// Reads a LEB128 unsigned varint of at most 10 bytes; nil when it is longer or overflows.
    mutating func readUVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            let b = read(8)
            if shift == 63 && b > 1 { return nil }
            result |= (b & 0x7F) &<< shift
            if b < 0x80 { return result }
            shift &+= 7
        }
        return nil
    }
}
