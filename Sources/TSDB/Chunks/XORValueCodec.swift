/// Value predictor of the XOR chunk. The appender and the iterator run the same state machine,
/// which is what lets `XORChunkAppender(resuming:)` continue a chunk bit-exactly.
///
/// Each value is coded against the previous one (0.0 before the first) with one of:
/// ```
/// 0                          same bit pattern
/// 10   bucket(d)             scaled integer at the current scale k
/// 110  payload               XOR inside the current leading/trailing-zero window
/// 1110 lead:5 len:6 payload  XOR opening a new window (len 0 means 64)
/// 1111 k:2 bucket(d)         scaled integer at a new scale k
/// ```
/// Plain Gorilla XOR spends ~20 bits on every change of an integer counter and ~45 on a
/// decimal like 12345.67, because carries and binary fractions scatter the changed bits.
/// Exporters print decimals, so most values are exactly `Double(n) / 10^k` with k ≤ 3; for
/// those the integer n is predicted as `n_prev + (n_prev - n_prevprev)` and only the error d
/// is stored, in the buckets `0` = 0, `10` + 4, `110` + 8, `1110` + 13, `11110` + 24,
/// `11111` + 64 bits. The appender picks whichever code is shortest per value; XOR-friendly
/// series (random floats, page-aligned byte counts) pay 1–4% for the longer XOR prefixes. On
/// a realistic mix the chunk is half the size of Prometheus's.
///
/// `n_prev` comes from the previous integer-coded value when there is one, else from rounding
/// `previous value × 10^k` (the decoder does the same arithmetic, so the two always agree).
/// The prediction's slope is the last integer delta, reset to 0 after any other code.
struct XORValueState: Sendable {
    /// Bit pattern of the last value.
    var bits: UInt64 = 0
    /// Current XOR window; `leading == 0xFF` means none has been opened.
    var leading: UInt8 = 0xFF
    var trailing: UInt8 = 0
    /// Current decimal scale k (0...3).
    var scale: UInt8 = 0
    /// Whether `prevN` holds the last value as an integer at `scale`.
    var intValid = false
    var prevN: Int64 = 0
    /// Slope of the integer prediction: the last integer delta, or 0.
    var slope: Int64 = 0

    static let intWidth1 = 4
    static let intWidth2 = 8
    static let intWidth3 = 13
    static let intWidth4 = 24
    /// Scaled integers stay below 2^50 so rounding `value × 10^k` recovers them exactly.
    static let intLimit = Double(1 << 50)

    @inline(__always)
    static func powerOfTen(_ k: UInt8) -> Double {
        // Selects rather than a switch, which compiles to an indirect jump.
        let low: Double = k & 1 == 0 ? 1 : 10
        return k & 2 == 0 ? low : low * 100
    }

    /// Nearest integer (ties to even) for |s| < 2^51. Adding 1.5 × 2^52 rounds s to an integer
    /// held in the low mantissa bits, which avoids both a libm call (baseline x86-64 has no
    /// rounding instruction) and the range checks of Int64(Double). Encoder and decoder both use
    /// it, so only its determinism matters.
    @inline(__always)
    static func roundToInt(_ s: Double) -> Int64 {
        let shifted = (s + 6_755_399_441_055_744.0).bitPattern  // 1.5 * 2^52
        return Int64(bitPattern: shifted & 0x000F_FFFF_FFFF_FFFF) &- (1 << 51)
    }

    @inline(__always)
    static func intBucket(_ d: Int64) -> Int {
        XORFormat.bucket(d, intWidth1, intWidth2, intWidth3, intWidth4)
    }

    @inline(__always)
    static func intCost(bucket b: Int) -> Int {
        XORFormat.bucketCost(bucket: b, intWidth1, intWidth2, intWidth3, intWidth4)
    }

    /// The integer the previous value stands for at scale k, as the decoder will compute it.
    @inline(__always)
    private func base(at k: UInt8) -> Int64? {
        if k == scale && intValid { return prevN }
        let s = Double(bitPattern: bits) * Self.powerOfTen(k)
        guard s.magnitude < Self.intLimit else { return nil }  // also rejects NaN
        return Self.roundToInt(s)
    }

    /// n with Double(n) / 10^k bit-identical to the value, if there is one.
    @inline(__always)
    private static func scaled(_ newBits: UInt64, at k: UInt8) -> Int64? {
        let p = powerOfTen(k)
        let s = Double(bitPattern: newBits) * p
        guard s.magnitude < intLimit else { return nil }
        let n = roundToInt(s)
        let back = k == 0 ? Double(n) : Double(n) / p
        return back.bitPattern == newBits ? n : nil
    }

    /// Appends the code for `newBits`. `searchScales` lets the appender try other scales
    /// (costly, so it does that only every few samples).
    @inline(__always)
    mutating func encode(_ newBits: UInt64, into w: inout BitWriter, searchScales: Bool) {
        let x = newBits ^ bits
        if x == 0 {
            w.write(0, bits: 1)
            slope = 0
            return
        }
        // 0: new window, 1: reuse window, 2: integer at current scale, 3: integer at new scale
        var choice = 2
        var cost = Int.max
        var intN: Int64 = 0
        var intBase: Int64 = 0
        var intD: Int64 = 0
        var intBucket = 0
        var intScale = scale
        if let n = Self.scaled(newBits, at: scale), let b = base(at: scale) {
            let d = n &- b &- slope
            intBucket = Self.intBucket(d)
            cost = 2 &+ Self.intCost(bucket: intBucket)
            (intN, intBase, intD) = (n, b, d)
        }
        // An XOR code costs at least 3 + the window width (reuse) or 16 bits (new window); when
        // the integer code is no longer, skip the XOR analysis altogether (counters, mostly).
        let windowBits = 64 &- Int(leading) &- Int(trailing)
        let xorFloor = leading == 0xFF ? 16 : Swift.min(3 &+ windowBits, 16)
        var lead: UInt8 = 0
        var trail: UInt8 = 0
        var sig = 0
        if cost > xorFloor {
            lead = UInt8(truncatingIfNeeded: x.leadingZeroBitCount)
            if lead > 31 { lead = 31 }
            trail = UInt8(truncatingIfNeeded: x.trailingZeroBitCount)
            sig = 64 &- Int(lead) &- Int(trail)
            if 15 &+ sig < cost {
                choice = 0
                cost = 15 &+ sig
            }
            if leading != 0xFF && lead >= leading && trail >= trailing && 3 &+ windowBits <= cost {
                choice = 1
                cost = 3 &+ windowBits
            }
        }
        if searchScales && cost > 8 {
            var k: UInt8 = 0
            while k < 4 {
                if k != scale, let n = Self.scaled(newBits, at: k), let b = base(at: k) {
                    let d = n &- b  // a new scale starts without slope
                    let bucket = Self.intBucket(d)
                    let c = 6 &+ Self.intCost(bucket: bucket)
                    if c < cost {
                        choice = 3
                        cost = c
                        (intN, intBase, intD, intBucket, intScale) = (n, b, d, bucket, k)
                    }
                }
                k &+= 1
            }
        }
        switch choice {
        case 1:
            let payload = x &>> UInt64(trailing)
            if windowBits <= 61 {
                w.write((0b110 &<< UInt64(windowBits)) | payload, bits: 3 &+ windowBits)
            } else {
                w.write(0b110, bits: 3)
                w.write(payload, bits: windowBits)
            }
            intValid = false
            slope = 0
        case 0:
            leading = lead
            trailing = trail
            let header = (UInt64(0b1110) &<< 11) | (UInt64(lead) &<< 6) | UInt64(sig & 63)
            let payload = x &>> UInt64(trail)
            if sig <= 49 {
                w.write((header &<< UInt64(sig)) | payload, bits: 15 &+ sig)
            } else {
                w.write(header, bits: 15)
                w.write(payload, bits: sig)
            }
            intValid = false
            slope = 0
        default:
            if choice == 2 {
                w.write(0b10, bits: 2)
            } else {
                w.write(0b1111_00 | UInt64(intScale), bits: 6)
                scale = intScale
            }
            w.writeBucketed(intD, bucket: intBucket, Self.intWidth1, Self.intWidth2, Self.intWidth3, Self.intWidth4)
            prevN = intN
            intValid = true
            slope = intN &- intBase
        }
        bits = newBits
    }

    /// Decodes one value code; false on an impossible code (damaged input).
    ///
    /// `q` holds the next `valid` bits (left-aligned) when the caller already peeked them, which
    /// keeps a memory load off the decoder's serial bit-position chain.
    @inline(__always)
    mutating func decode(_ r: inout BitReader, lookahead q: UInt64, valid: Int) -> Bool {
        // Compare the prefix directly: cheaper than counting ones, and conditional branches
        // predict better than a jump table.
        if q < 0b1 &<< 63 {  // 0: same value
            r.skip(1)
            slope = 0
            return true
        }
        if q < 0b11 &<< 62 {  // 10: integer at the current scale
            r.skip(2)
            // 2 + the widest non-64-bit bucket (5 + 24) bits.
            return decodeInteger(&r, scale: scale, lookahead: valid >= 31 ? q &<< 2 : r.peek())
        }
        if q < 0b111 &<< 61 {  // 110: XOR in the current window
            if leading == 0xFF { return false }
            let sig = 64 &- Int(leading) &- Int(trailing)
            let x: UInt64
            if 3 &+ sig <= valid {
                r.skip(3 &+ sig)
                x = (q &<< 3) &>> UInt64(64 &- sig)
            } else {
                r.skip(3)
                x = r.read(sig)
            }
            bits ^= x &<< UInt64(trailing)
            intValid = false
            slope = 0
            return true
        }
        if q < 0b1111 &<< 60 {  // 1110: XOR with a new window
            let l = Int((q &>> 55) & 31)
            var sig = Int((q &>> 49) & 63)
            if sig == 0 { sig = 64 }
            if l &+ sig > 64 { return false }
            let tr = 64 &- l &- sig
            let x: UInt64
            if 15 &+ sig <= valid {
                r.skip(15 &+ sig)
                x = (q &<< 15) &>> UInt64(64 &- sig)
            } else {
                r.skip(15)
                x = r.read(sig)
            }
            leading = UInt8(truncatingIfNeeded: l)
            trailing = UInt8(truncatingIfNeeded: tr)
            bits ^= x &<< UInt64(tr)
            intValid = false
            slope = 0
            return true
        }
        // 1111: integer at a new scale.
        let k = UInt8(truncatingIfNeeded: (q &>> 58) & 3)
        r.skip(6)
        if k != scale {
            intValid = false
            slope = 0
            scale = k
        }
        return decodeInteger(&r, scale: k, lookahead: valid >= 35 ? q &<< 6 : r.peek())
    }

    @inline(__always)
    private mutating func decodeInteger(_ r: inout BitReader, scale k: UInt8, lookahead p: UInt64) -> Bool {
        guard let b = base(at: k) else { return false }
        let d = XORFormat.readBucketed(p, &r, Self.intWidth1, Self.intWidth2, Self.intWidth3, Self.intWidth4)
        let n = b &+ slope &+ d
        bits = (k == 0 ? Double(n) : Double(n) / Self.powerOfTen(k)).bitPattern
        prevN = n
        intValid = true
        slope = n &- b
        return true
    }
}
