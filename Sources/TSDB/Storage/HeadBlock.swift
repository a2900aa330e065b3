/// The persisted state of the head for a block of 1024 consecutive series refs: one row of
/// the `head_blocks` table.
///
/// One blob per block instead of one row per series makes a checkpoint of a million series a
/// thousand sequential writes rather than a million b-tree upserts, and recovery a thousand
/// reads. Per series: ref (delta), first time, persisted max time, last value bits, and the
/// open chunk's bytes.
enum HeadBlock {
    static let shift: UInt64 = 10

    static func block(of ref: SeriesRef) -> Int64 { Int64(bitPattern: ref.raw >> shift) }

    struct Entry {
        var ref: SeriesRef
        var firstTime: Int64
        var persistedMaxTime: Int64
        var lastValueBits: UInt64
        var open: [UInt8]
    }

    static func encode(_ entries: [Entry]) -> [UInt8] {
        var w = ByteWriter(capacity: 8 + entries.reduce(0) { $0 + 32 + $1.open.count })
        w.uvarint(UInt64(entries.count))
        var prev: UInt64 = 0
        for e in entries {
            w.uvarint(e.ref.raw &- prev)
            prev = e.ref.raw
            w.varint(e.firstTime)
            w.varint(e.persistedMaxTime)
            w.u64(e.lastValueBits)
            w.uvarint(UInt64(e.open.count))
            w.bytes.append(contentsOf: e.open)
        }
        let sum = w.bytes.withUnsafeBytes { Checksum.of($0) }
        w.u64(sum)
        return w.bytes
    }

    /// Decodes a block; nil when it is damaged (checksum or structure).
    static func decode(_ p: UnsafeRawBufferPointer, _ entry: (Entry) -> Void) -> Bool {
        guard p.count >= 9 else { return false }
        let body = UnsafeRawBufferPointer(rebasing: p[0..<(p.count - 8)])
        let stored = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: p.count - 8, as: UInt64.self))
        guard Checksum.of(body) == stored else { return false }
        var r = ByteReader(body)
        let n = r.uvarint()
        var ref: UInt64 = 0
        for _ in 0..<n {
            ref &+= r.uvarint()
            let first = r.varint(), persisted = r.varint()
            let bits = r.u64()
            let len = Int(truncatingIfNeeded: r.uvarint())
            guard !r.failed, len >= 0, len <= r.remaining else { return false }
            let open = Array(UnsafeRawBufferPointer(rebasing: body[r.offset..<(r.offset + len)]))
            r.offset += len
            entry(Entry(ref: SeriesRef(ref), firstTime: first, persistedMaxTime: persisted, lastValueBits: bits, open: open))
        }
        return !r.failed
    }
}
