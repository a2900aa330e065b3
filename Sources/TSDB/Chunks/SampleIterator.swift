/// Iterates the samples of any encoded chunk, so the querier treats head chunks, cut XOR chunks
/// and compacted blocks alike.
///
/// A concrete struct rather than a protocol existential keeps `next()` statically dispatched
/// and inlinable in query loops. XOR chunks are decoded lazily; compact blocks are decoded into
/// arrays once (they are columnar and compressed, so there is no cheaper partial decode).
public struct SampleIterator: Sendable {
    private enum Source: Sendable {
        case xor
        case arrays
    }

    private let source: Source
    private var xor: XORChunkIterator
    private let timestamps: [Int64]
    private let values: [Double]
    /// Position in `timestamps`/`values`; -1 before the first next().
    private var index: Int
    private var arrayError: ChunkError?

    public init(_ bytes: [UInt8]) {
        if let id = bytes.first, id == ChunkEncoding.compact.rawValue {
            source = .arrays
            xor = XORChunkIterator([])
            do throws(ChunkError) {
                (timestamps, values) = try CompactCodec.decode(bytes)
                arrayError = nil
            } catch {
                (timestamps, values) = ([], [])
                arrayError = error
            }
        } else {
            // XOR, or an unknown/empty input that the XOR iterator reports as an error.
            source = .xor
            xor = XORChunkIterator(bytes)
            timestamps = []
            values = []
            arrayError = nil
        }
        index = -1
    }

    /// Iterates already decoded samples (e.g. a merge of several chunks).
    public init(timestamps: [Int64], values: [Double]) {
        precondition(timestamps.count == values.count, "timestamps and values differ in length")
        source = .arrays
        xor = XORChunkIterator([])
        self.timestamps = timestamps
        self.values = values
        index = -1
        arrayError = nil
    }

    /// Advances; false at the end or on corrupt data (then `error` is set).
    @inline(__always)
    public mutating func next() -> Bool {
        switch source {
        case .xor:
            return xor.next()
        case .arrays:
            if index &+ 1 < timestamps.count {
                index &+= 1
                return true
            }
            index = timestamps.count
            return false
        }
    }

    public var t: Int64 {
        switch source {
        case .xor: xor.t
        case .arrays: index >= 0 && index < timestamps.count ? timestamps[index] : 0
        }
    }

    public var v: Double {
        switch source {
        case .xor: xor.v
        case .arrays: index >= 0 && index < values.count ? values[index] : 0
        }
    }

    /// Set when the input could not be decoded.
    public var error: ChunkError? {
        switch source {
        case .xor: xor.error
        case .arrays: arrayError
        }
    }

    /// Advances to the first sample with timestamp >= t; false if none. Does not move when the
    /// current sample already qualifies, and never moves backwards.
    public mutating func seek(_ target: Int64) -> Bool {
        switch source {
        case .xor:
            return xor.seek(target)
        case .arrays:
            if index >= timestamps.count { return false }
            if index >= 0 && timestamps[index] >= target { return true }
            // Binary search in the part not yet visited.
            var lo = Swift.max(index, 0)
            var hi = timestamps.count
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                if timestamps[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            index = lo
            return lo < timestamps.count
        }
    }
}

/// Whole-chunk decoding for callers that want arrays (compaction, tests, export).
public enum ChunkDecoder {
    /// The encoding named by the chunk's first byte, nil if unknown or empty.
    public static func encoding(of bytes: [UInt8]) -> ChunkEncoding? {
        bytes.first.flatMap(ChunkEncoding.init(rawValue:))
    }

    /// Sample count from the header alone.
    public static func count(of bytes: [UInt8]) throws(ChunkError) -> Int {
        guard let id = bytes.first else { throw .corrupt("empty chunk") }
        switch ChunkEncoding(rawValue: id) {
        case .xor:
            guard bytes.count >= XORFormat.headerSize else { throw .corrupt("XOR chunk shorter than its header") }
            return Int(bytes[1]) << 8 | Int(bytes[2])
        case .compact:
            return try CompactCodec.count(bytes)
        case nil:
            throw .unknownEncoding(id)
        }
    }

    /// Decodes a chunk of either encoding into arrays.
    public static func decode(_ bytes: [UInt8]) throws(ChunkError) -> (timestamps: [Int64], values: [Double]) {
        guard let id = bytes.first else { throw .corrupt("empty chunk") }
        switch ChunkEncoding(rawValue: id) {
        case .compact:
            return try CompactCodec.decode(bytes)
        case .xor:
            var it = XORChunkIterator(bytes)
            var ts = [Int64]()
            var vs = [Double]()
            ts.reserveCapacity(it.count)
            vs.reserveCapacity(it.count)
            while it.next() {
                ts.append(it.t)
                vs.append(it.v)
            }
            if let error = it.error { throw error }
            return (ts, vs)
        case nil:
            throw .unknownEncoding(id)
        }
    }
}
