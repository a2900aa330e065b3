/// The timestamp column of a compact block.
///
/// ```
/// byte mode: bit 0 predictor (0 delta-of-delta, 1 grid), bit 1 packing (0 varints, 1 nibbles)
/// svarint t0, (grid only) uvarint D, then the residuals r_1 ... r_{n-1}:
///   delta-of-delta: r_i = delta_i - delta_{i-1}, delta_0 = 0
///   grid:           r_i = t_i - (g + D); g starts at t0, D at the median delta (snapped to
///                   the whole second like `XORFormat.nominal`); both then follow the
///                   samples (see `Grid.advance`)
///   varints: one zigzag varint per residual
///   nibbles: ceil((n-1)/2) bytes holding two zigzag residuals each (low nibble first); 15
///            means "too big", and those residuals follow as zigzag varints after the pairs
/// ```
/// Scrapers fire on a drift-free ticker and stamp samples a few ms late, so a timestamp is
/// "grid point + independent jitter". Delta-of-delta mixes three jitters into each residual;
/// the grid predictor leaves one (measured: 0.33 instead of 0.52 bytes/sample after zstd).
/// zstd's Huffman stage cannot spend less than a bit per byte, so when nearly all residuals are
/// tiny, pairing them per byte is smaller still. The encoder keeps the combination with the
/// smallest estimated size. All arithmetic wraps, so any Int64 sequence round-trips (order is
/// not required).
enum TimestampColumn {
    static func encode(_ ts: [Int64]) -> [UInt8] {
        var best: [UInt8] = []
        var bestCost = Double.infinity
        for grid in ts.count >= 3 ? [false, true] : [false] {
            var header = ByteSink(capacity: 24)
            header.byte(0)
            header.svarint(ts[0])
            let residuals: [Int64]
            if grid {
                // Snapped like the XOR chunk's prediction: a jittered median would drift.
                let step = XORFormat.nominal(medianDelta(ts))
                header.uvarint(step)
                residuals = gridResiduals(ts, step: step)
            } else {
                residuals = dodResiduals(ts)
            }
            for nibbles in [false, true] {
                var out = header
                out.bytes[0] = (grid ? 1 : 0) | (nibbles ? 2 : 0)
                if nibbles { appendNibbles(residuals, to: &out) } else { for r in residuals { out.svarint(r) } }
                let cost = estimatedEntropyBits(out.bytes)
                if cost < bestCost {
                    best = out.bytes
                    bestCost = cost
                }
            }
        }
        return best
    }

    /// The median delta (quickselect: a full sort was the encoder's biggest cost).
    private static func medianDelta(_ ts: [Int64]) -> UInt64 {
        var d = [UInt64]()
        d.reserveCapacity(ts.count &- 1)
        for i in 1..<ts.count { d.append(UInt64(bitPattern: ts[i] &- ts[i &- 1])) }
        let k = d.count / 2
        var lo = 0
        var hi = d.count &- 1
        while lo < hi {
            let pivot = d[lo &+ (hi &- lo) / 2]
            var i = lo
            var j = hi
            while i <= j {
                while d[i] < pivot { i &+= 1 }
                while d[j] > pivot { j &-= 1 }
                if i <= j {
                    d.swapAt(i, j)
                    i &+= 1
                    j &-= 1
                }
            }
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                break
            }
        }
        return d[k]
    }

    private static func dodResiduals(_ ts: [Int64]) -> [Int64] {
        var out = [Int64]()
        out.reserveCapacity(ts.count)
        var prevDelta: Int64 = 0
        for i in 1..<ts.count {
            let delta = ts[i] &- ts[i &- 1]
            out.append(delta &- prevDelta)
            prevDelta = delta
        }
        return out
    }

    private static func gridResiduals(_ ts: [Int64], step: UInt64) -> [Int64] {
        var out = [Int64]()
        out.reserveCapacity(ts.count)
        var grid = Grid(origin: UInt64(bitPattern: ts[0]), step: step)
        for i in 1..<ts.count {
            let t = UInt64(bitPattern: ts[i])
            let r = Int64(bitPattern: t &- grid.predicted)
            out.append(r)
            grid.advance(to: t, residual: r, previous: UInt64(bitPattern: ts[i &- 1]))
        }
        return out
    }

    /// State of the grid predictor, shared by encoder and decoder.
    struct Grid {
        /// Grid point of the last sample.
        var point: UInt64
        var step: UInt64
        /// The last sample was not one step on; a second such sample in a row means the
        /// interval or phase changed.
        var irregular = false

        init(origin: UInt64, step: UInt64) {
            point = origin
            self.step = step
        }

        var predicted: UInt64 { point &+ step }

        /// Moves to the grid point of the sample just coded. Within the jitter tolerance
        /// (50 ms, or a quarter step for short steps) the grid advances one step. A single
        /// irregular sample leaves the grid's phase alone: it lands a whole number of steps on
        /// after missed scrapes, or it is an outlier (a slow scrape). Two irregular samples in a
        /// row restart the grid at the second one: with the same step if the last delta matches
        /// it (the phase moved, e.g. a restart), else with the last delta, snapped to the whole
        /// second like the XOR chunk's prediction, as the new step.
        @inline(__always)
        mutating func advance(to t: UInt64, residual r: Int64, previous: UInt64) {
            let tolerance = Swift.min(Int64(bitPattern: step &>> 2), 50)
            if r >= -tolerance && r <= tolerance {
                point = point &+ step
                irregular = false
                return
            }
            if irregular {
                let delta = t &- previous
                let diff = Int64(bitPattern: delta &- step)
                if diff < -tolerance || diff > tolerance { step = XORFormat.nominal(delta) }
                point = t
                irregular = false
                return
            }
            irregular = true
            let ahead = t &- point
            if step != 0 && ahead < 1 << 62 {
                let k = (ahead &+ step / 2) / step
                let snapped = point &+ k &* step
                let rem = Int64(bitPattern: t &- snapped)
                if k > 0 && rem >= -tolerance && rem <= tolerance {
                    point = snapped
                    return
                }
            }
            point = point &+ step
        }
    }

    private static func appendNibbles(_ residuals: [Int64], to out: inout ByteSink) {
        var overflow = ByteSink(capacity: 16)
        var i = 0
        while i < residuals.count {
            var pair: UInt8 = 0
            for half in 0..<2 where i &+ half < residuals.count {
                let z = XORFormat.zigzag(residuals[i &+ half])
                if z < 15 {
                    pair |= UInt8(z) &<< UInt8(half &* 4)
                } else {
                    pair |= 15 &<< UInt8(half &* 4)
                    overflow.uvarint(z)
                }
            }
            out.byte(pair)
            i &+= 2
        }
        out.bytes.append(contentsOf: overflow.bytes)
    }

    static func decode(_ raw: [UInt8], count: Int) throws(ChunkError) -> [Int64] {
        // Every pair of timestamps takes at least one byte, so a larger count is damage (and
        // must not drive a huge allocation).
        guard raw.count >= (count &- 1) / 2 &+ 2 else { throw .corrupt("timestamp column too short") }
        return try raw.withUnsafeBufferPointer { (buf) throws(ChunkError) -> [Int64] in
            var src = ByteSource(buf)
            let mode = try src.byte()
            guard mode <= 3 else { throw .corrupt("unknown timestamp mode \(mode)") }
            let grid = mode & 1 != 0
            let nibbles = mode & 2 != 0
            var t = try src.svarint()
            var predictor = Grid(origin: UInt64(bitPattern: t), step: grid ? try src.uvarint() : 0)
            var delta: Int64 = 0
            var out = [Int64]()
            out.reserveCapacity(count)
            out.append(t)
            let m = count &- 1
            // Nibble packing: pairs at `src`, overflow varints after them.
            var overflow = src
            if nibbles {
                let pairBytes = (m &+ 1) / 2
                guard src.remaining >= pairBytes else { throw .corrupt("timestamp column too short") }
                overflow.pos = src.pos &+ pairBytes
            }
            var i = 0
            while i < m {
                let r: Int64
                if nibbles {
                    let nibble = (buf[src.pos &+ (i &>> 1)] &>> UInt8((i & 1) &* 4)) & 15
                    r = nibble == 15 ? try overflow.svarint() : XORFormat.unzigzag(UInt64(nibble))
                } else {
                    r = try src.svarint()
                }
                if grid {
                    let u = predictor.predicted &+ UInt64(bitPattern: r)
                    predictor.advance(to: u, residual: r, previous: UInt64(bitPattern: t))
                    t = Int64(bitPattern: u)
                } else {
                    delta &+= r
                    t &+= delta
                }
                out.append(t)
                i &+= 1
            }
            if nibbles {
                // A stray 15 in the unused high nibble of the last pair byte is damage too.
                if m & 1 == 1, buf[src.pos &+ (m &>> 1)] &>> 4 != 0 { throw .corrupt("bad timestamp padding") }
                src = overflow
            }
            guard src.isAtEnd else { throw .corrupt("trailing bytes in timestamp column") }
            return out
        }
    }
}

/// The value column of a compact block; the encoder picks the mode per block.
///
/// ```
/// mode 0 (constant): u64 bits                         every value has the same bit pattern
/// mode 1 (scaled):   byte k, byte order (0 delta, 1 delta-of-delta), uvarint g,
///                    uvarint e, e × (uvarint index gap, u64 bits),
///                    svarint n_0, then svarint (delta or dod of n) / g for the other n
/// mode 2 (xor):      u64 first bits, (count-1) control bytes, then the middle bytes
/// ```
/// Exporters print decimals and Prometheus parses them, so most values are exactly
/// `Double(n) / 10^k` for a small k: counters and byte gauges with k = 0, cpu seconds with
/// k = 2. Such values become integer deltas (divided by their common factor, e.g. 4096 for
/// page-sized memory) that cost a byte or two. Values that do not round-trip at scale k (NaN
/// stale markers, -0.0, the odd computed float) are stored raw as exceptions so one of them
/// does not push the whole block to XOR. In XOR mode each control byte holds the XOR's leading
/// and trailing zero byte counts (high and low nibble; 0x80 means "same value") and only the
/// middle bytes are stored, in a separate stream so zstd sees runs of similar controls.
enum ValueColumn {
    enum Mode: UInt8 {
        case constant = 0
        case scaled = 1
        case xor = 2
    }

    /// 10^k, exact as a Double for every k used.
    static let powersOfTen: [Double] = {
        var p: [Double] = [1]
        for _ in 1...maxScale { p.append(p[p.count - 1] * 10) }
        return p
    }()
    static let maxScale = 15
    /// Scaled integers stay below this so deltas and delta-of-deltas cannot overflow Int64.
    static let integerLimit = Double(1 << 61)

    static func encode(_ vs: [Double]) -> [UInt8] {
        let first = vs[0].bitPattern
        if vs.allSatisfy({ $0.bitPattern == first }) {
            var out = ByteSink(capacity: 9)
            out.byte(Mode.constant.rawValue)
            out.u64(first)
            return out.bytes
        }
        var best = encodeXor(vs)
        var bestCost = estimatedEntropyBits(best)
        for k in candidateScales(vs) {
            for candidate in encodeScaled(vs, scale: k) {
                let cost = estimatedEntropyBits(candidate)
                if cost < bestCost {
                    best = candidate
                    bestCost = cost
                }
            }
        }
        return best
    }

    /// s rounded to an integer, for |s| < 2^61 (no libm call: baseline x86-64 lacks a rounding
    /// instruction). Any deterministic choice works; callers verify the round trip.
    @inline(__always)
    static func roundedInteger(_ s: Double) -> Int64 {
        if s.magnitude < 0x1p51 {
            let shifted = (s + 6_755_399_441_055_744.0).bitPattern  // 1.5 * 2^52
            return Int64(bitPattern: shifted & 0x000F_FFFF_FFFF_FFFF) &- (1 << 51)
        }
        return Int64(s)  // already integral or a half at this magnitude
    }

    /// Smallest k for which `v` round-trips as Double(n) / 10^k, or -1.
    @inline(__always)
    static func minimalScale(_ v: Double) -> Int {
        if !v.isFinite || abs(v) >= integerLimit { return -1 }
        let bits = v.bitPattern
        for k in 0...maxScale {
            let p = powersOfTen[k]
            let s = v * p
            if abs(s) >= integerLimit { return -1 }
            // Compare what the decoder will compute: an Int64 has no -0.0.
            let n = roundedInteger(s)
            if (Double(n) / p).bitPattern == bits { return k }
        }
        return -1
    }

    /// Scales worth trying: the one covering every representable value, and those covering
    /// 99% and 90% (a few long decimals should not inflate every other value).
    private static func candidateScales(_ vs: [Double]) -> [Int] {
        var hist = [Int](repeating: 0, count: maxScale + 1)
        var representable = 0
        for v in vs {
            let k = minimalScale(v)
            if k >= 0 {
                hist[k] += 1
                representable += 1
            }
        }
        // Mostly unrepresentable values: the exceptions would cost more than XOR.
        if representable * 2 < vs.count { return [] }
        var out: [Int] = []
        var covered = 0
        var reached90 = false, reached99 = false
        for k in 0...maxScale {
            covered += hist[k]
            let fraction = Double(covered) / Double(vs.count)
            var take = false
            if !reached90 && fraction >= 0.9 { reached90 = true; take = true }
            if !reached99 && fraction >= 0.99 { reached99 = true; take = true }
            if covered == representable { take = true }
            if take && hist[k] > 0 { out.append(k) }
            if covered == representable { break }
        }
        return out
    }

    /// Both integer orders (delta and delta-of-delta) at scale k.
    private static func encodeScaled(_ vs: [Double], scale k: Int) -> [[UInt8]] {
        let p = powersOfTen[k]
        var ints = [Int64]()
        ints.reserveCapacity(vs.count)
        var exceptions: [(index: Int, bits: UInt64)] = []
        for (i, v) in vs.enumerated() {
            let s = v * p
            if v.isFinite && abs(s) < integerLimit {
                let n = roundedInteger(s)
                if (Double(n) / p).bitPattern == v.bitPattern {
                    ints.append(n)
                    continue
                }
            }
            exceptions.append((i, v.bitPattern))
        }
        var g: UInt64 = 0
        if ints.count > 1 {
            for i in 1..<ints.count { g = gcd(g, (ints[i] &- ints[i &- 1]).magnitude) }
        }
        if g == 0 { g = 1 }
        let divisor = Int64(bitPattern: g)
        var results: [[UInt8]] = []
        for order in [UInt8(0), 1] {
            var out = ByteSink(capacity: vs.count &* 2 &+ exceptions.count &* 10 &+ 16)
            out.byte(Mode.scaled.rawValue)
            out.byte(UInt8(k))
            out.byte(order)
            out.uvarint(g)
            out.uvarint(UInt64(exceptions.count))
            var prev = -1
            for e in exceptions {
                out.uvarint(UInt64(e.index &- prev &- 1))
                out.u64(e.bits)
                prev = e.index
            }
            if let n0 = ints.first {
                out.svarint(n0)
                var prevDelta: Int64 = 0
                for i in 1..<ints.count {
                    let delta = ints[i] &- ints[i &- 1]
                    out.svarint((order == 0 ? delta : delta &- prevDelta) / divisor)
                    prevDelta = delta
                }
            }
            results.append(out.bytes)
        }
        return results
    }

    private static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var a = a, b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    private static func encodeXor(_ vs: [Double]) -> [UInt8] {
        var controls = [UInt8]()
        controls.reserveCapacity(vs.count)
        var middles = [UInt8]()
        middles.reserveCapacity(vs.count &* 4)
        var prev = vs[0].bitPattern
        for v in vs.dropFirst() {
            let bits = v.bitPattern
            let x = bits ^ prev
            prev = bits
            if x == 0 {
                controls.append(0x80)
                continue
            }
            let lead = x.leadingZeroBitCount >> 3
            let trail = x.trailingZeroBitCount >> 3
            controls.append(UInt8(lead << 4 | trail))
            var shift = 56 - lead * 8
            while shift >= trail * 8 {
                middles.append(UInt8(truncatingIfNeeded: x >> UInt64(shift)))
                shift -= 8
            }
        }
        var out = ByteSink(capacity: 9 + controls.count + middles.count)
        out.byte(Mode.xor.rawValue)
        out.u64(vs[0].bitPattern)
        out.bytes.append(contentsOf: controls)
        out.bytes.append(contentsOf: middles)
        return out.bytes
    }

    static func decode(_ raw: [UInt8], count: Int) throws(ChunkError) -> [Double] {
        try raw.withUnsafeBufferPointer { (buf) throws(ChunkError) -> [Double] in
            var src = ByteSource(buf)
            let mode = try src.byte()
            let out: [Double]
            switch Mode(rawValue: mode) {
            case .constant:
                let bits = try src.u64()
                out = [Double](repeating: Double(bitPattern: bits), count: count)
            case .scaled:
                out = try decodeScaled(&src, count: count)
            case .xor:
                out = try decodeXor(&src, count: count)
            case nil:
                throw .corrupt("unknown value mode \(mode)")
            }
            guard src.isAtEnd else { throw .corrupt("trailing bytes in value column") }
            return out
        }
    }

    private static func decodeScaled(_ src: inout ByteSource, count: Int) throws(ChunkError) -> [Double] {
        let k = Int(try src.byte())
        guard k <= maxScale else { throw .corrupt("value scale out of range") }
        let order = try src.byte()
        guard order <= 1 else { throw .corrupt("unknown integer order") }
        let g = Int64(bitPattern: try src.uvarint())
        let exceptionCount = try src.length(max: count)
        // Each remaining integer takes at least one byte.
        guard src.remaining >= (count &- exceptionCount) else { throw .corrupt("value column too short") }
        let p = powersOfTen[k]
        var out = [Double](repeating: 0, count: count)
        try out.withUnsafeMutableBufferPointer { (dst) throws(ChunkError) in
            // Mark exception slots first; the integers fill the rest in order.
            var isException = [Bool](repeating: false, count: count)
            var index = -1
            for _ in 0..<exceptionCount {
                let gap = try src.length(max: count)
                index &+= gap &+ 1
                guard index < count else { throw .corrupt("exception index out of range") }
                dst[index] = Double(bitPattern: try src.u64())
                isException[index] = true
            }
            var n: Int64 = 0
            var delta: Int64 = 0
            var first = true
            for i in 0..<count where !isException[i] {
                if first {
                    n = try src.svarint()
                    first = false
                } else if order == 0 {
                    n &+= (try src.svarint()) &* g
                } else {
                    delta &+= (try src.svarint()) &* g
                    n &+= delta
                }
                dst[i] = Double(n) / p
            }
        }
        return out
    }

    private static func decodeXor(_ src: inout ByteSource, count: Int) throws(ChunkError) -> [Double] {
        var prev = try src.u64()
        guard src.remaining >= count &- 1 else { throw .corrupt("value column too short") }
        var out = [Double]()
        out.reserveCapacity(count)
        out.append(Double(bitPattern: prev))
        var c = src.pos
        var m = src.pos &+ count &- 1
        let buf = src.buf
        for _ in 1..<count {
            let control = buf[c]
            c &+= 1
            if control != 0x80 {
                let lead = Int(control >> 4)
                let trail = Int(control & 0x0F)
                let width = 8 &- lead &- trail
                guard lead + trail < 8, width <= buf.count &- m else {
                    throw .corrupt("bad XOR control byte or truncated value column")
                }
                var x: UInt64 = 0
                for j in 0..<width { x = x &<< 8 | UInt64(buf[m &+ j]) }
                m &+= width
                prev ^= x &<< UInt64(trail &* 8)
            }
            out.append(Double(bitPattern: prev))
        }
        src.pos = m
        return out
    }
}
