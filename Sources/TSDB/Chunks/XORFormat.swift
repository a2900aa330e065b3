/// Why a chunk could not be decoded. Chunks come from disk and the network, so decoders report
/// damage as a value instead of trapping.
public enum ChunkError: Error, Sendable, Equatable {
    case corrupt(String)
    case unknownEncoding(UInt8)
}

/// The first byte of every encoded chunk, so readers can dispatch on stored bytes alone.
public enum ChunkEncoding: UInt8, Sendable {
    /// Gorilla-style bit stream: appendable, used by the head and for freshly cut chunks.
    case xor = 1
    /// Columnar, zstd-compressed block: immutable, used for compacted data.
    case compact = 2
}

/// Layout of the XOR chunk, shared by the appender and the iterator.
///
/// ```
/// byte 0      encoding id (1)
/// bytes 1-2   sample count, big-endian UInt16
/// bits ...    sample 0: t as zigzag varint,         value code (see XORValueState)
///             sample 1: t - t0 as uvarint,          value code
///             sample n: timestamp residual bucket,  value code
/// ```
/// Timestamps: the residual is `delta - nominal(previous delta)`, a delta-of-delta whose
/// prediction is snapped to the whole second when the previous delta is within ±50 ms of one.
/// Scrapes run on whole-second intervals and are stamped a few ms late, so this cancels the
/// previous sample's jitter instead of adding it back in (about 1 bit/sample less than plain
/// delta-of-delta); for other deltas it is plain delta-of-delta. Buckets (prefix, then a
/// two's-complement payload):
/// `0` = 0, `10` + 3 bits, `110` + 5 bits, `1110` + 8 bits, `11110` + 32 bits, `11111` + 64 bits.
/// Prometheus's 14-bit first bucket costs 16 bits for every jittered sample; these cost 5–8.
///
/// All timestamp arithmetic wraps modulo 2^64, so any strictly increasing Int64 sequence,
/// including jumps across the whole range, round-trips.
enum XORFormat {
    static let headerSize = 3
    /// Largest sample count the 16-bit header field can hold.
    static let maxSamples = Int(UInt16.max)

    /// Timestamp residual bucket payload widths (bucket 0 is residual == 0, the last is 64 bits).
    static let tsWidth1 = 3
    static let tsWidth2 = 5
    static let tsWidth3 = 8
    static let tsWidth4 = 32

    /// The delta the next delta is predicted to equal.
    @inline(__always)
    static func nominal(_ delta: UInt64) -> UInt64 {
        // Only deltas in 950 ms ... ~35 years are considered; the unsigned subtraction folds
        // "below 950" into "huge".
        if delta &- 950 > 1 << 40 { return delta }
        let rounded = (delta &+ 500) / 1000 &* 1000
        return delta &+ 50 &- rounded <= 100 ? rounded : delta
    }

    @inline(__always)
    static func zigzag(_ x: Int64) -> UInt64 {
        UInt64(bitPattern: (x &<< 1) ^ (x &>> 63))
    }

    @inline(__always)
    static func unzigzag(_ u: UInt64) -> Int64 {
        Int64(bitPattern: u &>> 1) ^ -Int64(bitPattern: u & 1)
    }

    /// Decodes a bucketed number (see `BitWriter.writeBucketed`); `p` is the peeked word starting
    /// at its prefix. Table lookups instead of a `switch`: jittered timestamps and noisy values
    /// pick buckets at random, which would make a jump table mispredict on most samples.
    @inline(__always)
    static func readBucketed(
        _ p: UInt64, _ r: inout BitReader, _ w1: Int, _ w2: Int, _ w3: Int, _ w4: Int
    ) -> Int64 {
        let ones = (~p).leadingZeroBitCount
        if ones < 5 {
            let packed = UInt64(w1) << 8 | UInt64(w2) << 16 | UInt64(w3) << 24 | UInt64(w4) << 32
            let w = Int(truncatingIfNeeded: (packed &>> UInt64(ones &* 8)) & 0xFF)
            r.skip(ones &+ 1 &+ w)
            let x = Int64(bitPattern: p &<< UInt64(ones &+ 1)) &>> Int64(64 &- w)
            // Bucket 0 has no payload (the shift above degenerates); mask it without a branch.
            return x & (0 &- Int64((w &+ 63) &>> 6))
        }
        r.skip(5)
        return Int64(bitPattern: r.read(64))
    }

    /// Index of the bucket that holds x: 0 for x == 0, 1...4 for the widths, 5 for 64 bits.
    /// Branch-free: timestamp jitter and value noise make the bucket unpredictable.
    @inline(__always)
    static func bucket(_ x: Int64, _ w1: Int, _ w2: Int, _ w3: Int, _ w4: Int) -> Int {
        // Two's-complement width x needs (1 for 0 and -1).
        let m = UInt64(bitPattern: x ^ (x &>> 63))
        let need = 65 &- m.leadingZeroBitCount
        // Sign bits of differences instead of comparisons, which the compiler may turn into
        // branches.
        let u = UInt64(bitPattern: x)
        var b = Int(truncatingIfNeeded: (u | (0 &- u)) &>> 63)  // x != 0
        b &+= Int(truncatingIfNeeded: UInt(bitPattern: w1 &- need) &>> 63)
        b &+= Int(truncatingIfNeeded: UInt(bitPattern: w2 &- need) &>> 63)
        b &+= Int(truncatingIfNeeded: UInt(bitPattern: w3 &- need) &>> 63)
        b &+= Int(truncatingIfNeeded: UInt(bitPattern: w4 &- need) &>> 63)
        return b
    }

    /// Payload width of bucket b (0...4) packed as bytes.
    @inline(__always)
    static func bucketWidth(_ b: Int, _ w1: Int, _ w2: Int, _ w3: Int, _ w4: Int) -> Int {
        let packed = UInt64(w1) << 8 | UInt64(w2) << 16 | UInt64(w3) << 24 | UInt64(w4) << 32
        return Int(truncatingIfNeeded: (packed &>> UInt64(b &* 8)) & 0xFF)
    }

    /// Bits `writeBucketed` spends on a number in bucket b.
    @inline(__always)
    static func bucketCost(bucket b: Int, _ w1: Int, _ w2: Int, _ w3: Int, _ w4: Int) -> Int {
        if b == 5 { return 69 }
        return b &+ 1 &+ bucketWidth(b, w1, w2, w3, w4)
    }
}

extension BitWriter {
    /// Writes x with the prefix code described in `XORFormat` (widths w1 < w2 < w3 < w4 ≤ 51):
    /// a unary bucket index (`0`, `10`, ... `11110`, `11111`), then the low bits of x.
    @inline(__always)
    mutating func writeBucketed(_ x: Int64, _ w1: Int, _ w2: Int, _ w3: Int, _ w4: Int) {
        writeBucketed(x, bucket: XORFormat.bucket(x, w1, w2, w3, w4), w1, w2, w3, w4)
    }

    /// Same, with the bucket already computed by `XORFormat.bucket`.
    @inline(__always)
    mutating func writeBucketed(_ x: Int64, bucket b: Int, _ w1: Int, _ w2: Int, _ w3: Int, _ w4: Int) {
        let u = UInt64(bitPattern: x)
        if b < 5 {
            let w = XORFormat.bucketWidth(b, w1, w2, w3, w4)
            let prefix = (UInt64(1) &<< UInt64(b &+ 1)) &- 2  // b ones then a zero
            let payload = u & ((UInt64(1) &<< UInt64(w)) &- 1)
            write((prefix &<< UInt64(w)) | payload, bits: b &+ 1 &+ w)
        } else {
            write(0b11111, bits: 5)
            write(u, bits: 64)
        }
    }

    @inline(__always)
    mutating func writeVarint(_ x: UInt64) {
        var x = x
        while x >= 0x80 {
            write((x & 0x7F) | 0x80, bits: 8)
            x &>>= 7
        }
        write(x, bits: 8)
    }
}
