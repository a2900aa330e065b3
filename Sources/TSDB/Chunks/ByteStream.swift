/// Byte-aligned varint output for the compact codec's columns.
///
/// Columns are byte-aligned (unlike the XOR chunk) because zstd's entropy stage models bytes:
/// aligned varints of small residuals compress far better than the same values bit-packed.
struct ByteSink {
    var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always)
    mutating func uvarint(_ x: UInt64) {
        var x = x
        while x >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x &>>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: x))
    }

    @inline(__always)
    mutating func svarint(_ x: Int64) { uvarint(XORFormat.zigzag(x)) }

    mutating func u64(_ x: UInt64) {
        var x = x
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: x))
            x &>>= 8
        }
    }
}

/// Bounds-checked reader over a byte buffer; every read throws instead of running past the end.
struct ByteSource {
    let buf: UnsafeBufferPointer<UInt8>
    var pos: Int

    init(_ buf: UnsafeBufferPointer<UInt8>, at pos: Int = 0) {
        self.buf = buf
        self.pos = pos
    }

    var remaining: Int { buf.count &- pos }
    var isAtEnd: Bool { pos >= buf.count }

    @inline(__always)
    mutating func byte() throws(ChunkError) -> UInt8 {
        guard pos < buf.count else { throw .corrupt("compact block truncated") }
        let b = buf[pos]
        pos &+= 1
        return b
    }

    @inline(__always)
    mutating func uvarint() throws(ChunkError) -> UInt64 {
        // Fast path: a one-byte varint, the common case for residual streams.
        if pos < buf.count {
            let b = buf[pos]
            if b < 0x80 {
                pos &+= 1
                return UInt64(b)
            }
        }
        return try uvarintSlow()
    }

    private mutating func uvarintSlow() throws(ChunkError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < buf.count else { throw .corrupt("compact block truncated") }
            let b = buf[pos]
            pos &+= 1
            if shift == 63 && b > 1 { throw .corrupt("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) &<< shift
            if b < 0x80 { return result }
            shift &+= 7
            if shift > 63 { throw .corrupt("varint longer than 10 bytes") }
        }
    }

    @inline(__always)
    mutating func svarint() throws(ChunkError) -> Int64 { XORFormat.unzigzag(try uvarint()) }

    mutating func u64() throws(ChunkError) -> UInt64 {
        guard remaining >= 8 else { throw .corrupt("compact block truncated") }
        var x: UInt64 = 0
        for k in 0..<8 { x |= UInt64(buf[pos &+ k]) &<< UInt64(8 &* k) }
        pos &+= 8
        return x
    }

    /// A length read from the stream, rejected when it exceeds `limit`.
    mutating func length(max limit: Int) throws(ChunkError) -> Int {
        let n = try uvarint()
        guard n <= UInt64(limit) else { throw .corrupt("length out of range") }
        return Int(n)
    }
}

/// Estimated size in bits of `bytes` after an order-0 entropy coder (zstd's literal stage).
/// Cheap enough to compare several candidate encodings of a column before compressing one.
func estimatedEntropyBits(_ bytes: [UInt8]) -> Double {
    if bytes.isEmpty { return 0 }
    var hist = [Int](repeating: 0, count: 256)
    bytes.withUnsafeBufferPointer { b in
        hist.withUnsafeMutableBufferPointer { h in
            for x in b { h[Int(x)] &+= 1 }
        }
    }
    let n = Double(bytes.count)
    var bits = 0.0
    for c in hist where c > 0 {
        let cd = Double(c)
        bits += cd * log2Approx(n / cd)
    }
    return bits
}

/// log2 without Foundation, accurate to ~1e-4 (enough for ranking encodings).
@inline(__always)
func log2Approx(_ x: Double) -> Double {
    // Split x = m * 2^e with m in [1, 2), then a series for log2(m).
    let e = Double(x.exponent)
    let m = x.significand
    let y = (m - 1) / (m + 1)
    let y2 = y * y
    let ln = 2 * y * (1 + y2 * (1.0 / 3 + y2 * (1.0 / 5 + y2 * (1.0 / 7 + y2 / 9))))
    return e + ln * 1.4426950408889634
}
