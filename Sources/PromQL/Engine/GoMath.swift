/// Go 1.19's `math` package as Prometheus 2.42 runs it on amd64, bit for bit.
///
/// glibc's libm differs from Go in the last bit for many inputs, which shows in query results
/// (and in `count_values` labels), so PromQL evaluates these functions through the ports
/// below. Most are Go's pure-Go code (FreeBSD msun and Cephes); `exp` and `log` follow the
/// amd64 assembly Go 1.19 uses instead (exp_amd64.s, log_amd64.s). Go never fuses a multiply
/// and an add except where the assembly says so, and Go folds constant expressions exactly
/// before rounding: such constants are written as their correctly rounded literals.
/// Sin, Cos and Tan are in GoMathTrig.swift.
enum GoMath {
    static let pi2 = 1.5707963267948966  // Pi/2
    static let pi4 = 0.7853981633974483  // Pi/4
    static let ln2 = 6.93147180559945286227e-01
    static let ln2Hi = 6.93147180369123816490e-01
    static let ln2Lo = 1.90821492927058770002e-10
    /// Go's `1/Ln2` and `1/Ln10`, folded exactly and rounded once.
    static let invLn2 = 1.4426950408889634
    static let invLn10 = 0.4342944819032518

    // MARK: Exponential and logarithm

    /// `math.Exp` on amd64: exp_amd64.s (Shibata's method: reduction by k*ln2, a Taylor series
    /// of exp(r/16) - 1, squared four times), on the AVX2+FMA path every current x86-64 CPU
    /// takes (Go picks it at run time; without FMA the results may differ in the last bit).
    static func exp(_ x: Double) -> Double {
        let log2e = 1.4426950408889634073599246810018920
        let ln2U = 0.69314718055966295651160180568695068359375
        let ln2L = 0.28235290563031577122588448175013436025525412068e-12
        let c: [Double] = [
            2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3,
            8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0,
        ]
        if x.bitPattern & ~(1 << 63) >= 0x7FF0_0000_0000_0000 {
            return x == -.infinity ? 0 : x  // NaN or +Inf: x
        }
        if x > 7.09782712893384e+02 { return .infinity }
        let t = log2e * x
        // CVTSD2SL: round to nearest even; out of range gives the "integer indefinite" 0x80000000.
        let rounded = t.rounded(.toNearestOrEven)
        let k: Int32 = rounded >= -2_147_483_648 && rounded <= 2_147_483_647 ? Int32(rounded) : .min
        let kd = Double(k)
        var r = x.addingProduct(-kd, ln2U)
        r = r.addingProduct(-kd, ln2L)
        r *= 0.0625
        var p = c[0]
        for ci in c.dropFirst() { p = ci.addingProduct(p, r) }
        r *= p
        for _ in 0..<3 { r *= r + 2 }
        r = 1.0.addingProduct(r, r + 2)
        var biased = Int64(k) + 0x3FF
        if biased <= 0 {  // subnormal result: scale by 2^(k+1022), then by 2^-1022 (one rounding)
            if biased < -52 { return 0 }
            r *= Double(bitPattern: UInt64(biased + 0x3FE) << 52)
            biased = 1
        } else if biased >= 0x7FF {
            return .infinity
        }
        return r * Double(bitPattern: UInt64(biased) << 52)
    }

    /// `math.Log` on amd64: log_amd64.s, FreeBSD's e_log algorithm. It takes the exponent
    /// straight from the bits (no normalization of subnormals) and halves f1 when f1 <= √2/2.
    static func log(_ x: Double) -> Double {
        let l1 = 6.666666666666735130e-01, l2 = 3.999999999940941908e-01
        let l3 = 2.857142874366239149e-01, l4 = 2.222219843214978396e-01
        let l5 = 1.818357216161805012e-01, l6 = 1.531383769920937332e-01
        let l7 = 1.479819860511658591e-01
        let bits = x.bitPattern
        if bits & ~(1 << 63) == 0 { return -.infinity }
        if Int64(bitPattern: bits) < 0 { return .nan }
        if bits >= 0x7FF0_0000_0000_0000 { return x }
        var f1 = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000)
        var k = Double(Int64((bits >> 52) & 0x7FF) - 0x3FE)
        if !(7.07106781186547524401e-01 < f1) {
            k -= 1
            f1 *= 2
        }
        let f = f1 - 1
        let s = f / (2 + f)
        let s2 = s * s
        let s4 = s2 * s2
        let t1 = s2 * (l1 + s4 * (l3 + s4 * (l5 + s4 * l7)))
        let t2 = s4 * (l2 + s4 * (l4 + s4 * l6))
        let rr = t1 + t2
        let hfsq = 0.5 * f * f
        return k * ln2Hi - ((hfsq - (s * (hfsq + rr) + k * ln2Lo)) - f)
    }

    /// `math.Log1p` (FreeBSD s_log1p).
    static func log1p(_ x: Double) -> Double {
        let sqrt2M1 = 4.142135623730950488017e-01, sqrt2HalfM1 = -2.928932188134524755992e-01
        let small = 1.0 / Double(1 << 29), tiny = 1.0 / Double(1 << 54), two53 = Double(1 << 53)
        let lp1 = 6.666666666666735130e-01, lp2 = 3.999999999940941908e-01
        let lp3 = 2.857142874366239149e-01, lp4 = 2.222219843214978396e-01
        let lp5 = 1.818357216161805012e-01, lp6 = 1.531383769920937332e-01
        let lp7 = 1.479819860511658591e-01
        if x < -1 || x.isNaN { return .nan }
        if x == -1 { return -.infinity }
        if x == .infinity { return .infinity }
        let absx = Swift.abs(x)
        var f = 0.0
        var iu: UInt64 = 0
        var k = 1
        if absx < sqrt2M1 {
            if absx < small { return absx < tiny ? x : x - x * x * 0.5 }
            if x > sqrt2HalfM1 {
                k = 0
                f = x
                iu = 1
            }
        }
        var c = 0.0
        if k != 0 {
            var u: Double
            if absx < two53 {
                u = 1.0 + x
                iu = u.bitPattern
                k = Int(iu >> 52) - 1023
                c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0)
                c /= u
            } else {
                u = x
                iu = u.bitPattern
                k = Int(iu >> 52) - 1023
                c = 0
            }
            iu &= 0x000F_FFFF_FFFF_FFFF
            if iu < 0x0006_A09E_667F_3BCD {
                u = Double(bitPattern: iu | 0x3FF0_0000_0000_0000)
            } else {
                k += 1
                u = Double(bitPattern: iu | 0x3FE0_0000_0000_0000)
                iu = (0x0010_0000_0000_0000 - iu) >> 2
            }
            f = u - 1.0
        }
        let hfsq = 0.5 * f * f
        let fk = Double(k)
        if iu == 0 {
            if f == 0 {
                if k == 0 { return 0 }
                c += fk * ln2Lo
                return fk * ln2Hi + c
            }
            let rr = hfsq * (1.0 - 0.66666666666666666 * f)
            if k == 0 { return f - rr }
            return fk * ln2Hi - ((rr - (fk * ln2Lo + c)) - f)
        }
        let s = f / (2.0 + f)
        let z = s * s
        let rr = z * (lp1 + z * (lp2 + z * (lp3 + z * (lp4 + z * (lp5 + z * (lp6 + z * lp7))))))
        if k == 0 { return f - (hfsq - s * (hfsq + rr)) }
        return fk * ln2Hi - ((hfsq - (s * (hfsq + rr) + (fk * ln2Lo + c))) - f)
    }

    /// `math.Log2`: exact for powers of two, otherwise Log(frac)*(1/Ln2) + exp.
    static func log2(_ x: Double) -> Double {
        let (frac, e) = frexp(x)
        if frac == 0.5 { return Double(e - 1) }
        return log(frac) * invLn2 + Double(e)
    }

    /// `math.Log10`: Log(x) * (1/Ln10).
    static func log10(_ x: Double) -> Double { log(x) * invLn10 }

    // MARK: Frexp, Ldexp, Modf, Mod, Pow

    /// `math.Frexp`: frac in [0.5, 1) and exp with x = frac * 2^exp; (x, 0) for ±0, ±Inf, NaN.
    static func frexp(_ x: Double) -> (Double, Int) {
        if x == 0 || x.isInfinite || x.isNaN { return (x, 0) }
        var x = x
        var e = 0
        if Swift.abs(x) < Double.leastNormalMagnitude {
            x *= Double(1 << 52)
            e = -52
        }
        var bits = x.bitPattern
        e += Int((bits >> 52) & 0x7FF) - 1023 + 1
        bits &= ~(UInt64(0x7FF) << 52)
        bits |= UInt64(1022) << 52
        return (Double(bitPattern: bits), e)
    }

    /// `math.Ldexp`: frac * 2^exp, rounded once.
    static func ldexp(_ frac: Double, _ exp: Int) -> Double {
        if frac == 0 || frac.isInfinite || frac.isNaN { return frac }
        var frac = frac
        var exp = exp
        if Swift.abs(frac) < Double.leastNormalMagnitude {
            frac *= Double(1 << 52)
            exp -= 52
        }
        var bits = frac.bitPattern
        exp += Int((bits >> 52) & 0x7FF) - 1023
        if exp < -1075 { return frac < 0 ? -0.0 : 0 }
        if exp > 1023 { return frac < 0 ? -.infinity : .infinity }
        var m = 1.0
        if exp < -1022 {
            exp += 53
            m = 1.0 / Double(1 << 53)
        }
        bits &= ~(UInt64(0x7FF) << 52)
        bits |= UInt64(exp + 1023) << 52
        return m * Double(bitPattern: bits)
    }

    /// `math.Modf` for the finite arguments Pow passes: integer and fractional parts.
    static func modf(_ f: Double) -> (Double, Double) {
        let i = f.rounded(.towardZero)
        return (i, f - i)
    }

    static func isOddInt(_ x: Double) -> Bool {
        if x.isNaN || x.isInfinite { return false }
        let (xi, xf) = modf(x)
        return xf == 0 && goInt64(xi) & 1 == 1
    }

    /// `math.Mod`: the exact remainder with the sign of x (x - n*y, n = trunc(x/y)).
    static func mod(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x.isInfinite || x.isNaN || y.isNaN { return .nan }
        let y = Swift.abs(y)
        let (yfr, yexp) = frexp(y)
        var r = x < 0 ? -x : x
        while r >= y {
            var (rfr, rexp) = frexp(r)
            if rfr < yfr { rexp -= 1 }
            r = r - ldexp(y, rexp - yexp)
        }
        return x < 0 ? -r : r
    }

    /// `math.Pow` (Go 1.19: no fast path for small integer exponents, which later Go versions
    /// added): special cases, then Exp(yf*Log(x)) for the fractional part of |y| and squarings
    /// of Frexp(x) for the integer part, scaled back with Ldexp.
    static func pow(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x == 1 { return 1 }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 {
            if y < 0 { return isOddInt(y) ? (x.sign == .minus ? -.infinity : .infinity) : .infinity }
            if y > 0 { return isOddInt(y) ? x : 0 }
        }
        if y.isInfinite {
            if x == -1 { return 1 }
            return (Swift.abs(x) < 1) == (y > 0) ? 0 : .infinity
        }
        if x.isInfinite {
            if x < 0 { return pow(1 / x, -y) }  // Pow(-0, -y)
            return y < 0 ? 0 : .infinity
        }
        if y == 0.5 { return x.squareRoot() }
        if y == -0.5 { return 1 / x.squareRoot() }
        var (yi, yf) = modf(Swift.abs(y))
        if yf != 0 && x < 0 { return .nan }
        if yi >= 9.223372036854775808e18 {
            if x == -1 { return 1 }
            return (Swift.abs(x) < 1) == (y > 0) ? 0 : .infinity
        }
        var a1 = 1.0
        var ae = 0
        if yf != 0 {
            if yf > 0.5 {
                yf -= 1
                yi += 1
            }
            a1 = exp(yf * log(x))
        }
        var (x1, xe) = frexp(x)
        var i = Int64(yi)
        while i != 0 {
            if xe < -(1 << 12) || (1 << 12) < xe {
                ae += xe
                break
            }
            if i & 1 == 1 {
                a1 *= x1
                ae += xe
            }
            x1 *= x1
            xe <<= 1
            if x1 < 0.5 {
                x1 += x1
                xe -= 1
            }
            i >>= 1
        }
        if y < 0 {
            a1 = 1 / a1
            ae = -ae
        }
        return ldexp(a1, ae)
    }

    // MARK: Hyperbolic functions

    /// `math.Sinh` (Hart & Cheney coefficients for |x| <= 0.5).
    static func sinh(_ x: Double) -> Double {
        let p0 = -0.6307673640497716991184787251e+6, p1 = -0.8991272022039509355398013511e+5
        let p2 = -0.2894211355989563807284660366e+4, p3 = -0.2630563213397497062819489000e+2
        let q0 = -0.6307673640497716991212077277e+6, q1 = 0.1521517378790019070696485176e+5
        let q2 = -0.173678953558233699533450911e+3
        let sign = x < 0
        let x = sign ? -x : x
        var temp: Double
        if x > 21 {
            temp = exp(x) * 0.5
        } else if x > 0.5 {
            let ex = exp(x)
            temp = (ex - 1 / ex) * 0.5
        } else {
            let sq = x * x
            temp = (((p3 * sq + p2) * sq + p1) * sq + p0) * x
            temp = temp / (((sq + q2) * sq + q1) * sq + q0)
        }
        return sign ? -temp : temp
    }

    /// `math.Cosh`.
    static func cosh(_ x: Double) -> Double {
        let x = Swift.abs(x)
        if x > 21 { return exp(x) * 0.5 }
        let ex = exp(x)
        return (ex + 1 / ex) * 0.5
    }

    /// `math.Tanh` (Cephes).
    static func tanh(_ x: Double) -> Double {
        let maxLog = 8.8029691931113054295988e+01
        var z = Swift.abs(x)
        if z > 0.5 * maxLog { return x < 0 ? -1 : 1 }
        if z >= 0.625 {
            let s = exp(2 * z)
            z = 1 - 2 / (s + 1)
            return x < 0 ? -z : z
        }
        if x == 0 { return x }
        let s = x * x
        let num = x * s * ((-9.64399179425052238628E-1 * s + -9.92877231001918586564E1) * s + -1.61468768441708447952E3)
        return x + num / (((s + 1.12811678491632931402E2) * s + 2.23548839060100448583E3) * s + 4.84406305325125486048E3)
    }

    /// `math.Asinh` (FreeBSD s_asinh).
    static func asinh(_ x: Double) -> Double {
        if x.isNaN || x.isInfinite { return x }
        let sign = x < 0
        let x = sign ? -x : x
        let temp: Double
        if x > Double(1 << 28) {
            temp = log(x) + ln2
        } else if x > 2 {
            temp = log(2 * x + 1 / ((x * x + 1).squareRoot() + x))
        } else if x < 1.0 / Double(1 << 28) {
            temp = x
        } else {
            temp = log1p(x + x * x / (1 + (1 + x * x).squareRoot()))
        }
        return sign ? -temp : temp
    }

    /// `math.Acosh` (FreeBSD e_acosh).
    static func acosh(_ x: Double) -> Double {
        if x < 1 || x.isNaN { return .nan }
        if x == 1 { return 0 }
        if x >= Double(1 << 28) { return log(x) + ln2 }
        if x > 2 { return log(2 * x - 1 / (x + (x * x - 1).squareRoot())) }
        let t = x - 1
        return log1p(t + (2 * t + t * t).squareRoot())
    }

    /// `math.Atanh` (FreeBSD e_atanh).
    static func atanh(_ x: Double) -> Double {
        if x < -1 || x > 1 || x.isNaN { return .nan }
        if x == 1 { return .infinity }
        if x == -1 { return -.infinity }
        let sign = x < 0
        let x = sign ? -x : x
        var temp: Double
        if x < 1.0 / Double(1 << 28) {
            temp = x
        } else if x < 0.5 {
            temp = x + x
            temp = 0.5 * log1p(temp + temp * x / (1 - x))
        } else {
            temp = 0.5 * log1p((x + x) / (1 - x))
        }
        return sign ? -temp : temp
    }

    // MARK: Inverse circular functions

    /// Cephes xatan: a series valid in [0, 0.66].
    static func xatan(_ x: Double) -> Double {
        let p0 = -8.750608600031904122785e-01, p1 = -1.615753718733365076637e+01
        let p2 = -7.500855792314704667340e+01, p3 = -1.228866684490136173410e+02
        let p4 = -6.485021904942025371773e+01
        let q0 = +2.485846490142306297962e+01, q1 = +1.650270098316988542046e+02
        let q2 = +4.328810604912902668951e+02, q3 = +4.853903996359136964868e+02
        let q4 = +1.945506571482613964425e+02
        var z = x * x
        z = z * ((((p0 * z + p1) * z + p2) * z + p3) * z + p4) / (((((z + q0) * z + q1) * z + q2) * z + q3) * z + q4)
        return x * z + x
    }

    /// Cephes satan: reduces a positive argument to [0, 0.66] for xatan.
    static func satan(_ x: Double) -> Double {
        let morebits = 6.123233995736765886130e-17  // Pi/2 = PIO2 + Morebits
        let tan3pio8 = 2.41421356237309504880
        if x <= 0.66 { return xatan(x) }
        if x > tan3pio8 { return pi2 - xatan(1 / x) + morebits }
        return pi4 + xatan((x - 1) / (x + 1)) + 0.5 * morebits
    }

    static func atan(_ x: Double) -> Double {
        if x == 0 { return x }
        return x > 0 ? satan(x) : -satan(-x)
    }

    static func asin(_ x: Double) -> Double {
        if x == 0 { return x }
        let sign = x < 0
        let x = sign ? -x : x
        if x > 1 { return .nan }
        var temp = (1 - x * x).squareRoot()
        temp = x > 0.7 ? pi2 - satan(temp / x) : satan(x / temp)
        return sign ? -temp : temp
    }

    static func acos(_ x: Double) -> Double { pi2 - asin(x) }

    static func atan2(_ y: Double, _ x: Double) -> Double {
        let pi = Double.pi
        if y.isNaN || x.isNaN { return .nan }
        if y == 0 {
            return x >= 0 && x.sign == .plus ? copysign(0, y) : copysign(pi, y)
        }
        if x == 0 { return copysign(pi2, y) }
        if x.isInfinite {
            if x > 0 { return y.isInfinite ? copysign(pi4, y) : copysign(0, y) }
            return y.isInfinite ? copysign(2.356194490192345, y) : copysign(pi, y)  // 3*Pi/4
        }
        if y.isInfinite { return copysign(pi2, y) }
        let q = atan(y / x)
        if x < 0 { return q <= 0 ? q + pi : q - pi }
        return q
    }

    @inline(__always) static func copysign(_ m: Double, _ s: Double) -> Double {
        Double(sign: s.sign, exponentBitPattern: m.exponentBitPattern, significandBitPattern: m.significandBitPattern)
    }
}
