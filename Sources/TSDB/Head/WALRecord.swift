/// The durable form of one append batch: a row of the `wal` table.
///
/// Layout: version byte, sample count (uvarint), then per sample the ref and the timestamp
/// as zigzag deltas from the previous sample and the value's 8 raw bytes (so every float
/// bit pattern survives), then a checksum of everything before it. One row per batch keeps
/// the cost at one SQLite write however many samples the batch holds.
enum WALRecord {
    static let version: UInt8 = 1

    struct Encoder {
        private var body = ByteWriter()
        private var prevRef: Int64 = 0
        private var prevT: Int64 = 0
        private(set) var count = 0

        init(expectedSamples: Int) {
            body = ByteWriter(capacity: 16 + expectedSamples * 13)
        }

        @inline(__always)
        mutating func add(ref: SeriesRef, t: Int64, v: Double) {
            let r = Int64(bitPattern: ref.raw)
            body.varint(r &- prevRef)
            body.varint(t &- prevT)
            body.u64(v.bitPattern)
            prevRef = r
            prevT = t
            count += 1
        }

        /// The finished record; the encoder should not be used afterwards.
        mutating func finish() -> [UInt8] {
            var out = ByteWriter(capacity: body.bytes.count + 20)
            out.u8(WALRecord.version)
            out.uvarint(UInt64(count))
            out.bytes.append(contentsOf: body.bytes)
            let sum = out.bytes.withUnsafeBytes { Checksum.of($0) }
            out.u64(sum)
            return out.bytes
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

    /// Calls `sample` for every sample of a record after verifying its checksum.
    static func decode(_ p: UnsafeRawBufferPointer, _ sample: (SeriesRef, Int64, Double) -> Void) throws(DecodeError) {
        guard p.count >= 10 else { throw .truncated }
        let body = UnsafeRawBufferPointer(rebasing: p[0..<(p.count - 8)])
        let stored = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: p.count - 8, as: UInt64.self))
        guard Checksum.of(body) == stored else { throw .checksum }
        var r = ByteReader(body)
        let v = r.u8()
        guard v == version else { throw .unknownVersion(v) }
        let n = r.uvarint()
        var ref: Int64 = 0, t: Int64 = 0
        for _ in 0..<n {
            ref &+= r.varint()
            t &+= r.varint()
            let bits = r.u64()
            if r.failed { throw .truncated }
            sample(SeriesRef(UInt64(bitPattern: ref)), t, Double(bitPattern: bits))
        }
    }
}
