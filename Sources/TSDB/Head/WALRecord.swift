/// The durable form of one append batch: a row of the `wal` table.
///
/// Layout: version byte, sample count (4 bytes LE, so the header is written up front and the
/// body never moves), then per sample the ref and the timestamp as zigzag varint deltas from
/// the previous sample and the value's 8 raw bytes (so every float bit pattern survives), then
/// a checksum of everything before it. One row per batch keeps the cost at one SQLite write
/// however many samples the batch holds.
enum WALRecord {
    static let version: UInt8 = 2
    static let headerSize = 5

    /// Encodes into a raw buffer that grows by doubling; the finished bytes are handed to
    /// SQLite without an intermediate array.
    struct Encoder: ~Copyable {
        private var base: UnsafeMutableRawPointer
        private var capacity: Int
        private var size: Int
        private var prevRef: Int64 = 0
        private var prevT: Int64 = 0
        private(set) var count = 0

        init(expectedSamples: Int) {
            capacity = Swift.max(64, WALRecord.headerSize + 8 + expectedSamples * 14)
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            base.storeBytes(of: WALRecord.version, as: UInt8.self)
            size = WALRecord.headerSize
        }

        deinit { base.deallocate() }

        @inline(__always)
        private mutating func reserve(_ n: Int) {
            if size + n <= capacity { return }
            var c = capacity * 2
            while c < size + n { c *= 2 }
            let b = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 8)
            b.copyMemory(from: base, byteCount: size)
            base.deallocate()
            base = b
            capacity = c
        }

        @inline(__always)
        private mutating func varint(_ x: Int64) {
            var u = UInt64(bitPattern: (x << 1) ^ (x >> 63))
            while u >= 0x80 {
                base.storeBytes(of: UInt8(truncatingIfNeeded: u) | 0x80, toByteOffset: size, as: UInt8.self)
                size &+= 1
                u >>= 7
            }
            base.storeBytes(of: UInt8(u), toByteOffset: size, as: UInt8.self)
            size &+= 1
        }

        @inline(__always)
        mutating func add(ref: SeriesRef, t: Int64, v: Double) {
            reserve(28)  // two 10-byte varints and 8 value bytes at most
            let r = Int64(bitPattern: ref.raw)
            varint(r &- prevRef)
            varint(t &- prevT)
            base.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: size, as: UInt64.self)
            size &+= 8
            prevRef = r
            prevT = t
            count &+= 1
        }

        /// Finishes the record (count and checksum) and lends its bytes to `body`.
        mutating func withFinishedBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
            reserve(8)
            base.storeBytes(of: UInt32(truncatingIfNeeded: count).littleEndian, toByteOffset: 1, as: UInt32.self)
            let sum = Checksum.of(UnsafeRawBufferPointer(start: base, count: size))
            base.storeBytes(of: sum.littleEndian, toByteOffset: size, as: UInt64.self)
            return try body(UnsafeRawBufferPointer(start: base, count: size + 8))
        }
    }

    enum DecodeError: Error, CustomStringConvertible {
        case checksum, truncated, unknownVersion(UInt8)

        var description: String {
            switch self {
            case .checksum: return "checksum mismatch"
            case .truncated: return "truncated record"
            case .unknownVersion(let v): return "unknown record version \(v)"
            }
        }
    }

    /// Reads a record sample by sample, after verifying its checksum: a plain loop for replay,
    /// with no closure call per sample.
    struct Reader {
        private var r: ByteReader
        private var left: UInt32
        private var refAcc: Int64 = 0
        private(set) var ref = SeriesRef(0)
        private(set) var t: Int64 = 0
        private(set) var v: Double = 0
        private(set) var failed = false

        init(_ p: UnsafeRawBufferPointer) throws(DecodeError) {
            guard p.count >= headerSize + 8 else { throw .truncated }
            let body = UnsafeRawBufferPointer(rebasing: p[0..<(p.count - 8)])
            let stored = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: p.count - 8, as: UInt64.self))
            guard Checksum.of(body) == stored else { throw .checksum }
            guard p[0] == version else { throw .unknownVersion(p[0]) }
            left = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 1, as: UInt32.self))
            r = ByteReader(body)
            r.offset = headerSize
        }

        @inline(__always)
        mutating func next() -> Bool {
            guard left > 0 else { return false }
            left &-= 1
            refAcc &+= r.varint()
            t &+= r.varint()
            let bits = r.u64()
            if r.failed { failed = true; return false }
            ref = SeriesRef(UInt64(bitPattern: refAcc))
            v = Double(bitPattern: bits)
            return true
        }
    }
}
