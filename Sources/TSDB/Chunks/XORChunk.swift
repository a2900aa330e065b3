/// Appends samples to one growing chunk; `bytes` is a valid encoded chunk after every append.
///
/// A value type holding the encoded bytes plus a few words of predictor state, so the head can
/// keep one per series inline and resume it from disk without re-encoding. The format is
/// described in `XORFormat` and `XORValueState`.
public struct XORChunkAppender: Sendable {
    private var writer: BitWriter
    public private(set) var count: Int
    /// Int64.max when empty.
    public private(set) var minTime: Int64
    /// Int64.min when empty.
    public private(set) var maxTime: Int64
    /// Previous timestamp delta, modulo 2^64 (deltas can exceed Int64.max at the extremes).
    private var lastDelta: UInt64
    private var value: XORValueState

    /// The most samples one chunk can hold (the header stores the count in 16 bits).
    public static let maxSamples = XORFormat.maxSamples

    public init() {
        self.init(capacity: 192)
    }

    /// - Parameter capacity: initial byte capacity; ~1.5 bytes per expected sample avoids regrowth.
    public init(capacity: Int) {
        writer = BitWriter(reservingCapacity: Swift.max(capacity, 16))
        writer.appendBytes([ChunkEncoding.xor.rawValue, 0, 0])
        count = 0
        minTime = .max
        maxTime = .min
        lastDelta = 0
        value = XORValueState()
    }

    /// Re-creates the appender state (last t, delta, last v, leading/trailing) from an encoded chunk,
    /// so a chunk restored from disk can keep growing. Bytes after the last sample are dropped.
    public init(resuming bytes: [UInt8]) throws(ChunkError) {
        var it = XORChunkIterator(bytes)
        var first: Int64 = .max
        var sawFirst = false
        while it.next() {
            if !sawFirst {
                first = it.t
                sawFirst = true
            }
        }
        if let error = it.error { throw error }
        let state = it.resumeState
        writer = BitWriter(
            resuming: bytes, bitCount: state.bitPosition,
            reservingCapacity: Swift.max(bytes.count + 64, 192))
        count = state.count
        minTime = sawFirst ? first : .max
        maxTime = sawFirst ? state.t : .min
        lastDelta = state.delta
        value = state.value
    }

    /// The encoded chunk. Shares storage with the appender until the next append.
    public var bytes: [UInt8] { writer.bytes }

    /// Value of the latest sample (0 when empty), e.g. for detecting counter resets.
    public var lastValue: Double { Double(bitPattern: value.bits) }

    /// Whether the 16-bit sample count is exhausted and a new chunk must be cut.
    public var isFull: Bool { count >= XORFormat.maxSamples }

    /// Caller guarantees `t > maxTime` and `!isFull`. Inlined: the head calls it once per
    /// sample, and the call overhead is a measurable share of an append.
    @inline(__always)
    public mutating func append(_ t: Int64, _ v: Double) {
        precondition(count < XORFormat.maxSamples, "XOR chunk is full")
        if count >= 2 {
            let delta = UInt64(bitPattern: t &- maxTime)
            let residual = Int64(bitPattern: delta &- XORFormat.nominal(lastDelta))
            writer.writeBucketed(
                residual, XORFormat.tsWidth1, XORFormat.tsWidth2, XORFormat.tsWidth3, XORFormat.tsWidth4)
            lastDelta = delta
        } else if count == 0 {
            writer.writeVarint(XORFormat.zigzag(t))
            minTime = t
        } else {
            let delta = UInt64(bitPattern: t &- maxTime)
            writer.writeVarint(delta)
            lastDelta = delta
        }
        // Trying other decimal scales costs a few float divisions, so only every 8th sample
        // (a function of the count, so a resumed appender decides the same way).
        value.encode(v.bitPattern, into: &writer, searchScales: count & 7 == 0)
        maxTime = t
        count &+= 1
        writer.commit(headerCount: count)
    }
}
