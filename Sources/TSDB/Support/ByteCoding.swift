/// Appends varints and fixed-width integers to a byte array (record and row encodings).
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func uvarint(_ x: UInt64) {
        var x = x
        while x >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    @inline(__always)
    mutating func varint(_ x: Int64) {
        uvarint(UInt64(bitPattern: (x << 1) ^ (x >> 63)))
    }

    @inline(__always)
    mutating func u64(_ x: UInt64) {
        withUnsafeBytes(of: x.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func u8(_ x: UInt8) { bytes.append(x) }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and fails softly on garbage.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset = 0
    var failed = false

    init(_ base: UnsafeRawBufferPointer) { self.base = base }

    var isAtEnd: Bool { offset >= base.count }
    var remaining: Int { base.count - offset }

    @inline(__always)
    mutating func uvarint() -> UInt64 {
        var x: UInt64 = 0
        var shift: UInt64 = 0
        while offset < base.count {
            let b = base[offset]
            offset += 1
            if shift == 63 && b > 1 { failed = true; return 0 }
            x |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return x }
            shift += 7
            if shift > 63 { failed = true; return 0 }
        }
        failed = true
        return 0
    }

    @inline(__always)
    mutating func varint() -> Int64 {
        let u = uvarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    @inline(__always)
    mutating func u64() -> UInt64 {
        guard offset + 8 <= base.count else { failed = true; offset = base.count; return 0 }
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: v)
    }

    @inline(__always)
    mutating func u8() -> UInt8 {
        guard offset < base.count else { failed = true; return 0 }
        defer { offset += 1 }
        return base[offset]
    }
}

/// A fast 64-bit checksum over whole words, to detect damaged records (not cryptographic).
enum Checksum {
    static func of(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(p.count)
        var i = 0
        let n = p.count
        while i + 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 32
        return h
    }
}
