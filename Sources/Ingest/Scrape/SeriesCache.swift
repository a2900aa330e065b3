#if canImport(Glibc)
import Glibc
#endif
import TSDB

/// A target's series, found by the raw bytes a page writes them as (`name{a="b",...}`), so
/// a series seen before costs a hash of its bytes and one compare: no label strings are
/// built, no relabelling runs, no TSDB lookup happens (Prometheus's scrape cache does the
/// same). Entries remember the scrape generation they were last seen in, which is how
/// series that disappear are found for stale markers.
struct SeriesCache {
    struct Entry {
        var key: [UInt8]
        /// nil when metric relabelling dropped the series.
        var ref: SeriesRef?
        var lastSeen: UInt64
        /// Index of the next entry with the same hash, or -1.
        var next: Int32
    }

    private(set) var entries: [Entry] = []
    private var heads: [UInt64: Int32] = [:]

    var count: Int { entries.count }

    /// The index of the entry for `bytes[span]`, or nil.
    @inline(__always)
    func find(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ByteSpan, hash: UInt64) -> Int? {
        guard var i = heads[hash] else { return nil }
        let base = bytes.baseAddress! + span.start
        while i >= 0 {
            let e = entries[Int(i)]
            if e.key.count == span.count && e.key.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, span.count) == 0 }) {
                return Int(i)
            }
            i = e.next
        }
        return nil
    }

    mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ByteSpan, hash: UInt64, ref: SeriesRef?, seen: UInt64) -> Int {
        let key = Array(UnsafeBufferPointer(rebasing: bytes[span.start..<span.end]))
        let idx = Int32(entries.count)
        entries.append(Entry(key: key, ref: ref, lastSeen: seen, next: heads[hash] ?? -1))
        heads[hash] = idx
        return Int(idx)
    }

    @inline(__always)
    mutating func markSeen(_ i: Int, _ gen: UInt64) { entries[i].lastSeen = gen }

    /// Drops entries last seen before generation `gen` (series churn would otherwise grow
    /// the cache forever). Entry indices change: returns old index → new index (-1 when
    /// dropped), or nil when nothing was dropped.
    mutating func evict(olderThan gen: UInt64) -> [Int32]? {
        guard entries.contains(where: { $0.lastSeen < gen }) else { return nil }
        var map = [Int32](repeating: -1, count: entries.count)
        let old = entries
        entries = []
        heads = [:]
        for (i, var e) in old.enumerated() where e.lastSeen >= gen {
            let h = Self.hash(e.key)
            e.next = heads[h] ?? -1
            heads[h] = Int32(entries.count)
            map[i] = Int32(entries.count)
            entries.append(e)
        }
        return map
    }

    static func hash(_ key: [UInt8]) -> UInt64 {
        key.withUnsafeBufferPointer { hash($0, ByteSpan(start: 0, end: $0.count)) }
    }

    /// A fast 64-bit hash over 8-byte words (multiply-xorshift), good enough for a table
    /// whose entries are verified by comparing bytes.
    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>, _ s: ByteSpan) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(s.count)
        guard s.count > 0, b.baseAddress != nil else { return h }
        let raw = UnsafeRawPointer(b.baseAddress! + s.start)
        var i = 0
        let n = s.count
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(raw.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return h
    }
}
