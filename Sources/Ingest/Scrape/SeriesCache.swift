#if canImport(Glibc)
import Glibc
#endif
import TSDB

/// A target's series, found by the raw bytes a page writes them as (`name{a="b",...}`), so
/// a series seen before costs a hash of its bytes and one compare: no label strings are
/// built, no relabelling runs, no TSDB lookup happens (Prometheus's scrape cache does the
/// same). Entries remember the scrape generation they were last seen in, which is how
/// series that disappear are found for stale markers.
///
/// Layout, for a lookup per sample without reference counting or a dictionary: every key's
/// bytes live in one arena, entries are plain values, and an open-addressing table of entry
/// indices (linear probing, at most half full) is probed by the hash's low bits, the full
/// hash compared before any byte.
struct SeriesCache {
    struct Entry {
        /// The key's bytes: `arena[keyStart ..< keyStart + keyCount]`.
        var keyStart: Int
        var keyCount: Int
        var hash: UInt64
        /// nil when metric relabelling dropped the series.
        var ref: SeriesRef?
        var lastSeen: UInt64
    }

    private(set) var entries: [Entry] = []
    private var arena: [UInt8] = []
    /// Entry index + 1 per slot; 0 is empty. The count is a power of two.
    private var slots: [Int32] = []

    var count: Int { entries.count }

    /// The index of the entry for `bytes[span]`, or nil.
    @inline(__always)
    func find(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ByteSpan, hash: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        let base = bytes.baseAddress! + span.start
        return slots.withUnsafeBufferPointer { table in
            entries.withUnsafeBufferPointer { es in
                arena.withUnsafeBufferPointer { keys in
                    let mask = table.count - 1
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let v = Int(table[slot])
                        if v == 0 { return nil }
                        let e = es[v - 1]
                        if e.hash == hash && e.keyCount == span.count
                            && memcmp(keys.baseAddress! + e.keyStart, base, span.count) == 0 {
                            return v - 1
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, _ span: ByteSpan, hash: UInt64, ref: SeriesRef?, seen: UInt64) -> Int {
        let idx = entries.count
        entries.append(Entry(keyStart: arena.count, keyCount: span.count, hash: hash, ref: ref, lastSeen: seen))
        arena.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[span.start..<span.end]))
        if entries.count * 2 > slots.count {
            rebuildSlots()
        } else {
            place(idx)
        }
        return idx
    }

    @inline(__always)
    mutating func markSeen(_ i: Int, _ gen: UInt64) { entries[i].lastSeen = gen }

    /// Drops entries last seen before generation `gen` (series churn would otherwise grow
    /// the cache forever). Entry indices change: returns old index → new index (-1 when
    /// dropped), or nil when nothing was dropped.
    mutating func evict(olderThan gen: UInt64) -> [Int32]? {
        guard entries.contains(where: { $0.lastSeen < gen }) else { return nil }
        var map = [Int32](repeating: -1, count: entries.count)
        let oldEntries = entries, oldArena = arena
        entries = []
        arena = []
        for (i, var e) in oldEntries.enumerated() where e.lastSeen >= gen {
            map[i] = Int32(entries.count)
            let start = arena.count
            arena.append(contentsOf: oldArena[e.keyStart..<(e.keyStart + e.keyCount)])
            e.keyStart = start
            entries.append(e)
        }
        rebuildSlots()
        return map
    }

    /// A table at least twice the entries (at least 64 slots), every entry placed again.
    private mutating func rebuildSlots() {
        var n = 64
        while n < entries.count * 2 { n <<= 1 }
        slots = [Int32](repeating: 0, count: n)
        for i in entries.indices { place(i) }
    }

    private mutating func place(_ i: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: entries[i].hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(i + 1)
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
