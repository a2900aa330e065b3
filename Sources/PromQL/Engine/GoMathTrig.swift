/// Go 1.19's `math.Sin`, `math.Cos` and `math.Tan` (Cephes, with Payne-Hanek reduction for
/// |x| >= 2^29), bit for bit; see GoMath.swift.
extension GoMath {
    /// Pi/4 split into three parts for the extended-precision reduction.
    static let pi4A = 7.85398125648498535156e-1
    static let pi4B = 3.77489470793079817668e-8
    static let pi4C = 2.69515142907905952645e-15
    /// Go's `4/Pi`, folded exactly and rounded once.
    static let fourOverPi = 1.2732395447351628
    static let reduceThreshold = Double(1 << 29)

    static let sinCoef: [Double] = [
        1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
        -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1,
    ]
    static let cosCoef: [Double] = [
        -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
        2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2,
    ]

    /// The octant j (mod 8, even) and the remainder z of x / (Pi/4), for x >= 0.
    static func reduce(_ x: Double) -> (UInt64, Double) {
        if x >= reduceThreshold { return trigReduce(x) }
        var j = UInt64(x * fourOverPi)
        var y = Double(j)
        if j & 1 == 1 {  // map zeros to origin
            j += 1
            y += 1
        }
        j &= 7
        return (j, ((x - y * pi4A) - y * pi4B) - y * pi4C)
    }

    static func sinPoly(_ z: Double, _ zz: Double) -> Double {
        let s = sinCoef
        return z + z * zz * ((((((s[0] * zz) + s[1]) * zz + s[2]) * zz + s[3]) * zz + s[4]) * zz + s[5])
    }

    static func cosPoly(_ zz: Double) -> Double {
        let c = cosCoef
        return 1.0 - 0.5 * zz + zz * zz * ((((((c[0] * zz) + c[1]) * zz + c[2]) * zz + c[3]) * zz + c[4]) * zz + c[5])
    }

    static func sin(_ x: Double) -> Double {
        if x == 0 || x.isNaN { return x }
        if x.isInfinite { return .nan }
        var sign = x < 0
        var (j, z) = reduce(Swift.abs(x))
        if j > 3 {
            sign.toggle()
            j -= 4
        }
        let zz = z * z
        let y = j == 1 || j == 2 ? cosPoly(zz) : sinPoly(z, zz)
        return sign ? -y : y
    }

    static func cos(_ x: Double) -> Double {
        if x.isNaN || x.isInfinite { return .nan }
        var sign = false
        var (j, z) = reduce(Swift.abs(x))
        if j > 3 {
            j -= 4
            sign.toggle()
        }
        if j > 1 { sign.toggle() }
        let zz = z * z
        let y = j == 1 || j == 2 ? sinPoly(z, zz) : cosPoly(zz)
        return sign ? -y : y
    }

    static func tan(_ x: Double) -> Double {
        let p0 = -1.30936939181383777646e4, p1 = 1.15351664838587416140e6, p2 = -1.79565251976484877988e7
        let q1 = 1.36812963470692954678e4, q2 = -1.32089234440210967447e6
        let q3 = 2.50083801823357915839e7, q4 = -5.38695755929454629881e7
        if x == 0 || x.isNaN { return x }
        if x.isInfinite { return .nan }
        let (j, z) = reduce(Swift.abs(x))
        let zz = z * z
        var y = z
        if zz > 1e-14 {
            y = z + z * (zz * (((p0 * zz) + p1) * zz + p2) / ((((zz + q1) * zz + q2) * zz + q3) * zz + q4))
        }
        if j & 2 == 2 { y = -1 / y }
        return x < 0 ? -y : y
    }

    /// Payne-Hanek reduction by Pi/4 for x >= 2^29 (Go's trigReduce): the octant (mod 8) and
    /// the fraction times Pi/4, from 64-bit integer products with the bits of 4/Pi.
    static func trigReduce(_ x: Double) -> (UInt64, Double) {
        if x < pi4 { return (0, x) }
        var ix = x.bitPattern
        let exp = Int((ix >> 52) & 0x7FF) - 1023 - 52
        ix &= ~(UInt64(0x7FF) << 52)
        ix |= 1 << 52
        let digit = (exp + 61) / 64, bitshift = UInt64((exp + 61) % 64)
        let m = mPi4
        let z0 = (m[digit] << bitshift) | (m[digit + 1] >> (64 - bitshift))
        let z1 = (m[digit + 1] << bitshift) | (m[digit + 2] >> (64 - bitshift))
        let z2 = (m[digit + 2] << bitshift) | (m[digit + 3] >> (64 - bitshift))
        let z2hi = z2.multipliedFullWidth(by: ix).high
        let (z1hi, z1lo) = z1.multipliedFullWidth(by: ix)
        let z0lo = z0 &* ix
        let (lo, carry) = z1lo.addingReportingOverflow(z2hi)
        var hi = z0lo &+ z1hi &+ (carry ? 1 : 0)
        var j = hi >> 61
        hi = hi << 3 | lo >> 61
        let lz = UInt64(hi.leadingZeroBitCount)
        let e = UInt64(1023) &- (lz + 1)
        hi = (hi << (lz + 1)) | (lo >> (64 - (lz + 1)))
        hi >>= 64 - 52
        hi |= e << 52
        var z = Double(bitPattern: hi)
        if j & 1 == 1 {  // map zeros to origin
            j = (j + 1) & 7
            z -= 1
        }
        return (j, z * pi4)
    }

    /// The binary digits of 4/Pi: 4/Pi = Sum mPi4[i]*2^(-64*i).
    static let mPi4: [UInt64] = [
        0x0000_0000_0000_0001, 0x45F3_06DC_9C88_2A53, 0xF84E_AFA3_EA69_BB81, 0xB6C5_2B32_7887_2083,
        0xFCA2_C757_BD77_8AC3, 0x6E48_DC74_849B_A5C0, 0x0C92_5DD4_13A3_2439, 0xFC3B_D639_6253_4E7D,
        0xD104_6BEA_5D76_8909, 0xD338_E04D_68BE_FC82, 0x7323_AC73_06A6_73E9, 0x3908_BF17_7BF2_5076,
        0x3FF1_2FFF_BC0B_301F, 0xDE5E_2316_B414_DA3E, 0xDA6C_FD9E_4F96_136E, 0x9E8C_7ECD_3CBF_D45A,
        0xEA4F_758F_D7CB_E2F6, 0x7A0E_73EF_14A5_25D4, 0xD7F6_BF62_3F1A_BA10, 0xAC06_608D_F8F6_D757,
    ]
}
