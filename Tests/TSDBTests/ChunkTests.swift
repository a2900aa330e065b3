import Testing

@testable import TSDB

// Property tests for the sample chunk encodings: seeded random chunks built from adversarial
// timestamps and float bit patterns must round-trip bit-exactly, resume identically, and fail
// cleanly (never trap) on damaged input.

/// SplitMix64: tiny, seedable, good enough to drive property tests reproducibly.
private struct TestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}

private let staleMarker: UInt64 = 0x7FF0_0000_0000_0002

/// Bit patterns that break naive float handling.
private let specialBits: [UInt64] = [
    staleMarker,
    0x7FF8_0000_0000_0000,  // quiet NaN
    0xFFF8_0000_0000_0000,  // negative quiet NaN
    0x7FF0_0000_0000_0001,  // signaling NaN
    0x7FF7_FFFF_FFFF_FFFF,  // signaling NaN, all payload bits
    0xFFFF_FFFF_FFFF_FFFF,  // negative NaN, all bits
    Double.infinity.bitPattern, (-Double.infinity).bitPattern,
    (0.0 as Double).bitPattern, (-0.0 as Double).bitPattern,
    Double.leastNonzeroMagnitude.bitPattern, (-Double.leastNonzeroMagnitude).bitPattern,
    0x000F_FFFF_FFFF_FFFF,  // largest subnormal
    Double.leastNormalMagnitude.bitPattern,
    Double.greatestFiniteMagnitude.bitPattern, (-Double.greatestFiniteMagnitude).bitPattern,
    (1.0 as Double).bitPattern, (0.1 as Double).bitPattern, 0x8000_0000_0000_0001, 1,
]

private func adversarialValues(_ n: Int, _ rng: inout TestRNG) -> [UInt64] {
    var out: [UInt64] = []
    out.reserveCapacity(n)
    let style = rng.below(4)  // mostly-random, mostly-repeats, alternating, smooth
    for i in 0..<n {
        let r = rng.below(12)
        var bits: UInt64
        switch r {
        case 0, 1: bits = rng.pick(specialBits)
        case 2:  // random NaN payload, either sign
            bits = 0x7FF0_0000_0000_0000 | (rng.next() & 0x000F_FFFF_FFFF_FFFF) | (rng.next() & (1 << 63))
            if bits & 0x000F_FFFF_FFFF_FFFF == 0 { bits |= 1 }
        case 3: bits = rng.next() & 0x800F_FFFF_FFFF_FFFF  // subnormal
        case 4, 5: bits = rng.next()
        case 6: bits = Double(Int64(bitPattern: rng.next()) >> Int64(rng.below(64))).bitPattern
        case 7: bits = (Double(rng.below(100_000)) / 100).bitPattern
        default:
            if i > 0 && (style == 1 || (style == 3 && r < 10)) {
                bits = out[i - 1]
            } else if i > 1 && style == 2 {
                bits = out[i - 2]
            } else if i > 0 && style == 3 {
                bits = (Double(bitPattern: out[i - 1]) + 1).bitPattern
            } else {
                bits = rng.next()
            }
        }
        out.append(bits)
    }
    return out
}

/// Strictly increasing timestamps from one of several hostile shapes.
private func adversarialTimestamps(_ n: Int, _ rng: inout TestRNG) -> [Int64] {
    let starts: [Int64] = [
        0, -1, 1_700_000_000_000, -1_700_000_000_000, .min, .min + 1, .max - Int64(n) * 2,
        Int64(bitPattern: rng.next()) / 2,
    ]
    var t = rng.pick(starts)
    if t > .max - Int64(n) { t = .max - Int64(n) }
    let shape = rng.below(7)
    let boundaryDods: [Int64] = [
        1, -1, 2, 15, 16, -16, -17, 255, 256, -256, -257, 8191, 8192, -8192, 32767, 32768, -32768,
        -32769, 65535, 1 << 31 - 1, 1 << 31, -(1 << 31), -(1 << 31) - 1, 1 << 40, -(1 << 40),
    ]
    var out: [Int64] = [t]
    var delta: Int64 = 1 + Int64(rng.below(100_000))
    for i in 1..<max(n, 1) {
        let remaining = Int64(n - i - 1)
        var step: UInt64
        switch shape {
        case 0: step = 15_000
        case 1: step = UInt64(15_000 + rng.below(21) - 10)
        case 2: step = rng.chance(0.1) ? rng.next() >> UInt64(rng.below(64)) : 1_000
        case 3:
            delta = max(1, delta &+ rng.pick(boundaryDods) * (rng.chance(0.5) ? 1 : -1))
            if delta < 1 << 41 { delta += 1 << 41 }
            step = UInt64(delta)
        case 4: step = rng.next() >> UInt64(rng.below(64))  // any size, up to the extremes
        case 5: step = UInt64(1 + rng.below(3))
        default: step = 1 + (rng.next() >> 1)  // huge deltas: the stream hits the ceiling fast
        }
        if step == 0 { step = 1 }
        // Keep room for the remaining samples to increase by at least 1.
        let room = UInt64(bitPattern: Int64.max &- t) &- UInt64(remaining)
        if step > room { step = max(1, room / UInt64(max(remaining, 1))) }
        if step == 0 { step = 1 }
        t = Int64(bitPattern: UInt64(bitPattern: t) &+ step)
        out.append(t)
    }
    return Array(out.prefix(n))
}

private func encodeXOR(_ ts: [Int64], _ vs: [UInt64]) -> XORChunkAppender {
    var app = XORChunkAppender()
    for i in ts.indices { app.append(ts[i], Double(bitPattern: vs[i])) }
    return app
}

private func decodeAll(_ bytes: [UInt8]) -> (ts: [Int64], vs: [UInt64], error: ChunkError?) {
    var it = XORChunkIterator(bytes)
    var ts: [Int64] = []
    var vs: [UInt64] = []
    while it.next() {
        ts.append(it.t)
        vs.append(it.v.bitPattern)
    }
    return (ts, vs, it.error)
}

@Suite("XOR chunk")
struct XORChunkTests {
    @Test("random chunks round-trip every timestamp and value bit pattern")
    func roundTrip() {
        var rng = TestRNG(seed: 1)
        for round in 0..<4000 {
            let n = round % 10 == 0 ? rng.below(4) : 1 + rng.below(round % 50 == 1 ? 2000 : 250)
            let ts = adversarialTimestamps(n, &rng)
            let vs = adversarialValues(n, &rng)
            let app = encodeXOR(ts, vs)
            #expect(app.count == n)
            #expect(app.minTime == (n == 0 ? .max : ts[0]))
            #expect(app.maxTime == (n == 0 ? .min : ts[n - 1]))
            if n > 0 { #expect(app.lastValue.bitPattern == vs[n - 1]) }
            let bytes = app.bytes
            #expect(bytes[0] == ChunkEncoding.xor.rawValue)
            #expect(Int(bytes[1]) << 8 | Int(bytes[2]) == n)
            let d = decodeAll(bytes)
            #expect(d.error == nil)
            #expect(d.ts == ts, "round \(round)")
            #expect(d.vs == vs, "round \(round)")
            if d.ts != ts || d.vs != vs { return }
        }
    }

    @Test("integer and decimal series round-trip through scale changes and limits")
    func scaledIntegers() {
        var rng = TestRNG(seed: 6)
        let limit = Double(1 << 50)
        for round in 0..<1500 {
            let n = 1 + rng.below(300)
            var ticks = Int64(bitPattern: rng.next()) >> Int64(rng.below(64))
            var scale = rng.below(5)
            let vs = (0..<n).map { _ -> UInt64 in
                if rng.chance(0.05) { scale = rng.below(5) }  // 4: beyond the codec's scales
                switch rng.below(20) {
                case 0: return rng.pick(specialBits)
                case 1: return rng.pick([limit, -limit, limit - 1, -(limit - 1), limit / 1000, limit + 2]).bitPattern
                case 2: ticks = Int64(bitPattern: rng.next()) >> Int64(rng.below(64))
                default: ticks &+= Int64(rng.below(2000)) - (round % 2 == 0 ? 0 : 1000)
                }
                return (Double(ticks) / [1, 10, 100, 1000, 10000][scale]).bitPattern
            }
            let ts = (0..<n).map { Int64($0) * 15_000 + Int64(rng.below(5)) }
            let d = decodeAll(encodeXOR(ts, vs).bytes)
            #expect(d.error == nil)
            #expect(d.ts == ts)
            #expect(d.vs == vs, "round \(round)")
            if d.vs != vs { return }
        }
    }

    @Test("timestamp deltas around the whole-second snapping thresholds round-trip")
    func snappingBoundaries() {
        var rng = TestRNG(seed: 7)
        let around: [Int64] = [949, 950, 951, 999, 1000, 1001, 1049, 1050, 1051, 1499, 1500, 1501, 14_950, 14_949, 15_050, 15_051]
        for _ in 0..<1500 {
            let n = 2 + rng.below(200)
            var t = Int64(bitPattern: rng.next()) >> 2
            var ts: [Int64] = [t]
            for _ in 1..<n {
                var step: Int64
                switch rng.below(4) {
                case 0: step = rng.pick(around)
                case 1: step = Int64(1 + rng.below(30)) * 1000 + Int64(rng.below(121)) - 60
                case 2: step = (1 << 40) + 950 + Int64(rng.below(3)) - 1  // the upper end of snapping
                default: step = Int64(1 + rng.below(2000))
                }
                t += max(step, 1)
                ts.append(t)
            }
            let vs = (0..<n).map { _ in rng.chance(0.5) ? (1.0).bitPattern : rng.next() }
            let d = decodeAll(encodeXOR(ts, vs).bytes)
            #expect(d.error == nil && d.ts == ts && d.vs == vs)
            if d.ts != ts { return }
        }
    }

    @Test("bytes are a complete chunk after every append")
    func validAfterEveryAppend() {
        var rng = TestRNG(seed: 2)
        for _ in 0..<150 {
            let n = 1 + rng.below(80)
            let ts = adversarialTimestamps(n, &rng)
            let vs = adversarialValues(n, &rng)
            var app = XORChunkAppender()
            for i in 0..<n {
                app.append(ts[i], Double(bitPattern: vs[i]))
                let d = decodeAll(app.bytes)
                #expect(d.error == nil)
                #expect(d.ts == Array(ts[0...i]))
                #expect(d.vs == Array(vs[0...i]))
            }
        }
    }

    @Test("a resumed appender produces the same chunk as one that never stopped")
    func resume() throws {
        var rng = TestRNG(seed: 3)
        for _ in 0..<1500 {
            let n = 1 + rng.below(200)
            let ts = adversarialTimestamps(n, &rng)
            let vs = adversarialValues(n, &rng)
            let whole = encodeXOR(ts, vs)
            let k = rng.below(n + 1)
            let prefix = encodeXOR(Array(ts[0..<k]), Array(vs[0..<k]))
            var resumed = try XORChunkAppender(resuming: prefix.bytes)
            #expect(resumed.count == k)
            #expect(resumed.minTime == prefix.minTime)
            #expect(resumed.maxTime == prefix.maxTime)
            #expect(resumed.lastValue.bitPattern == prefix.lastValue.bitPattern)
            for i in k..<n { resumed.append(ts[i], Double(bitPattern: vs[i])) }
            #expect(resumed.bytes == whole.bytes)
            let d = decodeAll(resumed.bytes)
            #expect(d.ts == ts && d.vs == vs)
        }
    }

    @Test("resuming ignores bytes after the last sample and rejects damage")
    func resumeEdgeCases() throws {
        let empty = XORChunkAppender()
        let fromEmpty = try XORChunkAppender(resuming: empty.bytes)
        #expect(fromEmpty.count == 0 && fromEmpty.minTime == .max && fromEmpty.maxTime == .min)

        var app = XORChunkAppender()
        app.append(1000, 1.5)
        app.append(2000, 2.5)
        var padded = app.bytes
        padded[padded.count - 1] |= 0x01  // garbage in padding bits
        padded.append(contentsOf: [0xFF, 0xFF])  // garbage after the chunk
        var resumed = try XORChunkAppender(resuming: padded)
        resumed.append(3000, 3.5)
        app.append(3000, 3.5)
        #expect(resumed.bytes == app.bytes)

        #expect(throws: ChunkError.self) { try XORChunkAppender(resuming: [1, 0]) }
        #expect(throws: ChunkError.unknownEncoding(9)) { try XORChunkAppender(resuming: [9, 0, 0]) }
        #expect(throws: ChunkError.self) { try XORChunkAppender(resuming: Array(app.bytes.dropLast())) }
    }

    @Test("truncated, bit-flipped and random input never traps and reports an error")
    func corruptInput() {
        var rng = TestRNG(seed: 4)
        for _ in 0..<600 {
            let n = 1 + rng.below(150)
            let ts = adversarialTimestamps(n, &rng)
            let vs = adversarialValues(n, &rng)
            let bytes = encodeXOR(ts, vs).bytes
            // Every truncation loses bits of the last sample, so it must be detected.
            for cut in 0..<bytes.count {
                let d = decodeAll(Array(bytes[0..<cut]))
                #expect(d.error != nil)
                #expect(d.ts.count < n)
                #expect(d.ts == Array(ts.prefix(d.ts.count)))
            }
            // Flipped bits: any outcome but a trap; an early stop must carry an error.
            for _ in 0..<8 {
                var damaged = bytes
                let i = 3 + rng.below(max(bytes.count - 3, 1))
                if i < damaged.count { damaged[i] ^= UInt8(1 << rng.below(8)) }
                let d = decodeAll(damaged)
                #expect(d.ts.count <= n)
                if d.ts.count < n { #expect(d.error != nil) }
            }
            // An inflated count runs into the end of the data (padding decodes at most 3 samples).
            var inflated = bytes
            let claimed = min(n + 1 + rng.below(1000), 65535)
            inflated[1] = UInt8(claimed >> 8)
            inflated[2] = UInt8(claimed & 0xFF)
            let d = decodeAll(inflated)
            #expect(d.ts.count <= n + 3)
            if d.ts.count < claimed { #expect(d.error != nil) }
        }
        for _ in 0..<3000 {
            var garbage = (0..<rng.below(64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if !garbage.isEmpty && rng.chance(0.8) { garbage[0] = 1 }
            let d = decodeAll(garbage)
            let claimed = garbage.count >= 3 ? Int(garbage[1]) << 8 | Int(garbage[2]) : 0
            if d.ts.count < claimed || garbage.count < 3 || garbage[0] != 1 { #expect(d.error != nil) }
        }
        var it = XORChunkIterator([])
        var advanced = it.next()
        #expect(!advanced && it.error != nil)
        it = XORChunkIterator([7, 0, 1])
        advanced = it.next()
        #expect(!advanced && it.error == .unknownEncoding(7))
    }

    @Test("seek lands on the first sample at or after the target and never moves back")
    func seek() {
        var rng = TestRNG(seed: 5)
        for _ in 0..<400 {
            let n = 1 + rng.below(200)
            var ts: [Int64] = []
            var t = Int64(rng.below(1000)) - 500
            for _ in 0..<n {
                t += 1 + Int64(rng.below(30))
                ts.append(t)
            }
            let vs = (0..<n).map { _ in rng.next() }
            let bytes = encodeXOR(ts, vs).bytes
            var it = XORChunkIterator(bytes)
            var sit = SampleIterator(bytes)
            var floor = Int64.min
            for _ in 0..<5 {
                let target = ts[0] - 10 + Int64(rng.below(Int(ts[n - 1] - ts[0]) + 40))
                let effective = max(target, floor)
                let expected = ts.firstIndex { $0 >= effective }
                let ok = it.seek(target)
                let sok = sit.seek(target)
                #expect(ok == (expected != nil))
                #expect(sok == ok)
                guard let e = expected, ok else { break }
                #expect(it.t == ts[e] && it.v.bitPattern == vs[e])
                #expect(sit.t == ts[e] && sit.v.bitPattern == vs[e])
                floor = ts[e]
            }
        }
        // Seeking past the end exhausts the iterator for good.
        let bytes = encodeXOR([10, 20, 30], [1, 2, 3]).bytes
        var it = XORChunkIterator(bytes)
        var results = [it.seek(31), it.seek(0), it.next()]
        #expect(results == [false, false, false])
        it = XORChunkIterator(bytes)
        var ok = it.seek(20)
        #expect(ok && it.t == 20)
        ok = it.seek(5)
        #expect(ok && it.t == 20)
        ok = it.next()
        #expect(ok && it.t == 30)
        results = [it.next(), it.seek(30)]
        #expect(results == [false, false])
    }

    @Test("a chunk holds samples up to the 16-bit count limit")
    func fullChunk() {
        var app = XORChunkAppender()
        for i in 0..<XORChunkAppender.maxSamples { app.append(Int64(i) * 15_000, Double(i % 7)) }
        #expect(app.isFull && app.count == 65535)
        let d = decodeAll(app.bytes)
        #expect(d.ts.count == 65535 && d.error == nil)
        #expect(d.ts.last == 65534 * 15_000 && d.vs.last == Double(65534 % 7).bitPattern)
    }
}

// MARK: - Compact codec

private func compactValueMode(_ block: [UInt8]) -> UInt8? {
    CompactCodec.columnModes(block)?.values
}

private func checkCompact(
    _ ts: [Int64], _ vs: [UInt64], level: Int32 = CompactCodec.defaultLevel, sourceLocation: SourceLocation = #_sourceLocation
) -> [UInt8] {
    let block = CompactCodec.encode(timestamps: ts, values: vs.map(Double.init(bitPattern:)), level: level)
    do {
        let d = try CompactCodec.decode(block)
        #expect(d.timestamps == ts, sourceLocation: sourceLocation)
        #expect(d.values.map(\.bitPattern) == vs, sourceLocation: sourceLocation)
        var it = SampleIterator(block)
        var n = 0
        while it.next() {
            if it.t != ts[n] || it.v.bitPattern != vs[n] { break }
            n += 1
        }
        #expect(n == ts.count && it.error == nil, sourceLocation: sourceLocation)
    } catch {
        Issue.record("decode failed: \(error)", sourceLocation: sourceLocation)
    }
    return block
}

private func jittered(_ n: Int, interval: Int64, _ rng: inout TestRNG) -> [Int64] {
    (0..<n).map { 1_700_000_000_000 + Int64($0) * interval + Int64(rng.below(6)) }
}

@Suite("Compact codec")
struct CompactCodecTests {
    @Test("adversarial blocks round-trip bit-exactly")
    func adversarial() {
        var rng = TestRNG(seed: 11)
        for round in 0..<1500 {
            let n = round % 10 == 0 ? rng.below(3) : 1 + rng.below(round % 40 == 1 ? 5000 : 400)
            var ts = adversarialTimestamps(n, &rng)
            // The codec does not require order: shuffle some blocks.
            if round % 7 == 3 { ts.shuffle(using: &rng) }
            let vs = adversarialValues(n, &rng)
            _ = checkCompact(ts, vs, level: round % 5 == 4 ? 0 : Int32(1 + rng.below(9)))
        }
    }

    @Test("integer counters use scaled integers, with a common factor")
    func integers() {
        var rng = TestRNG(seed: 12)
        for _ in 0..<200 {
            let n = 2 + rng.below(3000)
            let ts = jittered(n, interval: 15_000, &rng)
            let factor = Double(rng.pick([1, 4096, 10, 1000]))
            var x = Double(rng.below(1_000_000)) * factor
            let vs = (0..<n).map { _ -> UInt64 in
                x += Double(rng.below(300)) * factor
                return x.bitPattern
            }
            let block = checkCompact(ts, vs)
            #expect(compactValueMode(block) == ValueColumn.Mode.scaled.rawValue || Set(vs).count == 1)
        }
        // Extremes: integers at and beyond the scaled range, negative, -0.0.
        let big: [Double] = [0, 1, -1, 9_007_199_254_740_994, -4_611_686_018_427_387_904, 2.305843009213694e18, 1e300, -0.0, 3]
        _ = checkCompact((0..<big.count).map(Int64.init), big.map(\.bitPattern))
    }

    @Test("decimals with a few fraction digits use scaled integers")
    func decimals() {
        var rng = TestRNG(seed: 13)
        for digits in 1...6 {
            for _ in 0..<60 {
                let n = 2 + rng.below(2000)
                let ts = jittered(n, interval: 1000, &rng)
                let scale = ValueColumn.powersOfTen[digits]
                var ticks = Int64(rng.below(10_000_000)) - 5_000_000
                let vs = (0..<n).map { _ -> UInt64 in
                    ticks += Int64(rng.below(500)) - 200
                    return (Double(ticks) / scale).bitPattern
                }
                let block = checkCompact(ts, vs)
                #expect(compactValueMode(block) == ValueColumn.Mode.scaled.rawValue || Set(vs).count == 1)
            }
        }
    }

    @Test("stale markers and other odd values become exceptions, not a mode switch")
    func mixedWithExceptions() {
        var rng = TestRNG(seed: 14)
        for _ in 0..<300 {
            let n = 20 + rng.below(2000)
            let ts = jittered(n, interval: 15_000, &rng)
            var ticks: Int64 = 10_000
            let vs = (0..<n).map { _ -> UInt64 in
                if rng.chance(0.01) { return rng.pick(specialBits) }
                ticks += Int64(rng.below(20))
                return (Double(ticks) / 10).bitPattern
            }
            let block = checkCompact(ts, vs)
            #expect(compactValueMode(block) == ValueColumn.Mode.scaled.rawValue)
        }
    }

    @Test("full-precision floats fall back to byte-aligned XOR; constants to one word")
    func xorAndConstant() {
        var rng = TestRNG(seed: 15)
        for _ in 0..<200 {
            let n = 2 + rng.below(2000)
            let ts = jittered(n, interval: 15_000, &rng)
            var x = Double(rng.next() >> 11) / Double(1 << 53)
            let vs = (0..<n).map { _ -> UInt64 in
                if rng.chance(0.3) { x = Double(rng.next() >> 11) / Double(1 << 53) }
                return x.bitPattern
            }
            let block = checkCompact(ts, vs)
            #expect(compactValueMode(block) == ValueColumn.Mode.xor.rawValue || Set(vs).count == 1)
        }
        for bits in specialBits {
            let block = checkCompact(jittered(500, interval: 15_000, &rng), Array(repeating: bits, count: 500))
            #expect(compactValueMode(block) == ValueColumn.Mode.constant.rawValue)
        }
    }

    @Test("timestamps: scrape jitter uses the grid predictor; gaps, phase and interval changes round-trip")
    func timestampColumn() {
        var rng = TestRNG(seed: 19)
        for round in 0..<300 {
            let n = 3 + rng.below(3000)
            var interval = Int64(rng.pick([1000, 10_000, 15_000, 60_000]))
            var slot: Int64 = 1_700_000_000_000
            var ts: [Int64] = []
            for _ in 0..<n {
                if rng.chance(0.01) { slot += interval * Int64(1 + rng.below(5)) }  // missed scrapes
                if rng.chance(0.002) { interval = Int64(rng.pick([1000, 5000, 15_000, 30_000])) }
                if rng.chance(0.002) { slot += Int64(rng.below(10_000)) }  // phase change (restart)
                let jitter = rng.chance(0.02) ? Int64(rng.below(300)) : Int64(rng.below(5))
                ts.append(slot + jitter)
                slot += interval
            }
            let vs = (0..<n).map { _ in Double(rng.below(3)).bitPattern }
            let block = checkCompact(ts, vs)
            if round < 100 && n > 100 {
                #expect(CompactCodec.columnModes(block).map { $0.timestamps & 1 } == 1, "grid predictor expected")
            }
        }
        // Degenerate orders and extremes.
        _ = checkCompact([5, 5, 5, 5], [1, 2, 3, 4].map { Double($0).bitPattern })
        _ = checkCompact([.max, .min, 0, -1, .max], (0..<5).map { Double($0).bitPattern })
        _ = checkCompact([3, 2, 1, 0, -1, -2], (0..<6).map { Double($0).bitPattern })
    }

    @Test("damaged blocks throw and never trap")
    func corrupt() {
        var rng = TestRNG(seed: 16)
        for round in 0..<300 {
            let n = 1 + rng.below(300)
            let ts = adversarialTimestamps(n, &rng)
            let vs = round % 2 == 0 ? adversarialValues(n, &rng) : (0..<n).map { Double($0 * 3).bitPattern }
            let block = CompactCodec.encode(timestamps: ts, values: vs.map(Double.init(bitPattern:)), level: round % 3 == 0 ? 0 : 3)
            for cut in 0..<block.count {
                #expect(throws: ChunkError.self) { try CompactCodec.decode(Array(block[0..<cut])) }
                var it = SampleIterator(Array(block[0..<cut]))
                let advanced = it.next()
                #expect(!advanced && it.error != nil)
            }
            for _ in 0..<20 {
                var damaged = block
                damaged[rng.below(damaged.count)] ^= UInt8(1 << rng.below(8))
                if let d = try? CompactCodec.decode(damaged) {
                    #expect(d.timestamps.count == d.values.count)
                }
            }
        }
        for _ in 0..<3000 {
            var garbage = (0..<rng.below(80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if !garbage.isEmpty { garbage[0] = 2 }
            if let d = try? CompactCodec.decode(garbage) { #expect(d.timestamps.count == d.values.count) }
        }
        #expect(throws: ChunkError.unknownEncoding(1)) { try CompactCodec.decode([1, 0, 0]) }
        #expect(throws: ChunkError.self) { try CompactCodec.decode([]) }
        #expect(throws: ChunkError.self) { try CompactCodec.decode([2, 0, 0]) }  // trailing byte
    }

    @Test("seek on compact blocks matches a linear scan")
    func seek() {
        var rng = TestRNG(seed: 17)
        for _ in 0..<200 {
            let n = 1 + rng.below(500)
            var t: Int64 = -1000
            let ts = (0..<n).map { _ -> Int64 in
                t += 1 + Int64(rng.below(20))
                return t
            }
            let vs = (0..<n).map { _ in Double(rng.below(10)).bitPattern }
            let block = CompactCodec.encode(timestamps: ts, values: vs.map(Double.init(bitPattern:)))
            var it = SampleIterator(block)
            var floor = Int64.min
            if rng.chance(0.5) {
                let advanced = it.next()
                #expect(advanced && it.t == ts[0])
                floor = ts[0]
            }
            for _ in 0..<6 {
                let target = ts[0] - 5 + Int64(rng.below(Int(ts[n - 1] - ts[0]) + 10))
                let expected = ts.firstIndex { $0 >= max(target, floor) }
                let ok = it.seek(target)
                #expect(ok == (expected != nil))
                guard let e = expected, ok else { break }
                #expect(it.t == ts[e] && it.v.bitPattern == vs[e])
                floor = ts[e]
            }
        }
    }

    @Test("ChunkDecoder and SampleIterator treat both encodings alike")
    func uniformAccess() throws {
        var rng = TestRNG(seed: 18)
        for _ in 0..<200 {
            let n = rng.below(300)
            let ts = adversarialTimestamps(n, &rng)
            let vs = adversarialValues(n, &rng)
            let xor = encodeXOR(ts, vs).bytes
            let compact = CompactCodec.encode(timestamps: ts, values: vs.map(Double.init(bitPattern:)))
            #expect(ChunkDecoder.encoding(of: xor) == .xor)
            #expect(ChunkDecoder.encoding(of: compact) == .compact)
            for bytes in [xor, compact] {
                #expect(try ChunkDecoder.count(of: bytes) == n)
                let d = try ChunkDecoder.decode(bytes)
                #expect(d.timestamps == ts && d.values.map(\.bitPattern) == vs)
                var it = SampleIterator(bytes)
                var got: [UInt64] = []
                while it.next() { got.append(it.v.bitPattern) }
                #expect(got == vs && it.error == nil)
            }
        }
        #expect(throws: ChunkError.unknownEncoding(3)) { try ChunkDecoder.decode([3, 0, 0]) }
        var it = SampleIterator([3, 0, 0])
        let advanced = it.next()
        #expect(!advanced && it.error == .unknownEncoding(3))
    }
}
