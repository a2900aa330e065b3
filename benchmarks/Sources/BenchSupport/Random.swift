/// A small, fast, seedable generator so every run produces the same data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }

    /// Uniform in [0, 1).
    @inline(__always)
    public mutating func unit() -> Double {
        Double(next() &>> 11) * 0x1.0p-53
    }

    /// Uniform in [lo, hi).
    @inline(__always)
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * unit()
    }

    /// Log-uniform in [lo, hi): as many series around 0.01 as around 100.
    public mutating func logUniform(_ lo: Double, _ hi: Double) -> Double {
        let a = lo.ln, b = hi.ln
        return (a + (b - a) * unit()).exp
    }

    /// Standard normal (Box-Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return (-2 * u1.ln).squareRoot() * (2 * Double.pi * u2).cosine
    }

    /// Poisson-distributed count with mean `lambda` (Knuth below 30, normal approximation above).
    public mutating func poisson(_ lambda: Double) -> Int {
        if lambda <= 0 { return 0 }
        if lambda < 30 {
            let l = (-lambda).exp
            var k = 0
            var p = 1.0
            repeat {
                k += 1
                p *= unit()
            } while p > l
            return k - 1
        }
        return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded()))
    }

    public mutating func int(_ range: Range<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }
}

// Elementary functions without Foundation (Glibc's libm through the stdlib's math shims).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Double {
    @inline(__always) var ln: Double { log(self) }
    @inline(__always) var exp: Double { Foundation_exp(self) }
    @inline(__always) var cosine: Double { cos(self) }
    @inline(__always) var sine: Double { sin(self) }
}

@inline(__always) private func Foundation_exp(_ x: Double) -> Double { exp(x) }
