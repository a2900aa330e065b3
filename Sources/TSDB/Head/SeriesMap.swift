/// An open-addressing hash map from series ref to series, for one stripe of the head.
///
/// Swift's Dictionary hashes with seeded SipHash, which costs more than the rest of a
/// sample append; refs are already well-spread integers, so a multiplicative hash and linear
/// probing do. Deletion uses backward-shift, so there are no tombstones to clean up.
struct SeriesMap {
    /// Key and value side by side, so a lookup touches one cache line, not two arrays.
    private struct Slot {
        var key: UInt64
        var value: MemSeries?
    }

    private var slots: [Slot]
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 8) {
        var n = 8
        while n < capacity * 2 { n <<= 1 }
        slots = [Slot](repeating: Slot(key: 0, value: nil), count: n)
        mask = n - 1
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The series with `ref` (refs start at 1, so key 0 marks an empty slot).
    @inline(__always)
    subscript(ref: SeriesRef) -> MemSeries? {
        get {
            let key = ref.raw
            var i = slot(key)
            return slots.withUnsafeBufferPointer { p in
                while true {
                    let k = p[i].key
                    if k == key { return p[i].value }
                    if k == 0 { return nil }
                    i = (i + 1) & mask
                }
            }
        }
        set {
            if let newValue { insert(ref.raw, newValue) } else { remove(ref.raw) }
        }
    }

    private mutating func insert(_ key: UInt64, _ value: MemSeries) {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        var i = slot(key)
        while true {
            let k = slots[i].key
            if k == key { slots[i].value = value; return }
            if k == 0 {
                slots[i] = Slot(key: key, value: value)
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    private mutating func remove(_ key: UInt64) {
        var i = slot(key)
        while true {
            let k = slots[i].key
            if k == 0 { return }
            if k == key { break }
            i = (i + 1) & mask
        }
        // Backward-shift deletion: pull later entries of the probe run into the hole.
        var hole = i
        var j = (i + 1) & mask
        while slots[j].key != 0 {
            let home = slot(slots[j].key)
            // Move j into the hole unless its home lies cyclically in (hole, j].
            let inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !inRange {
                slots[hole] = slots[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        slots[hole] = Slot(key: 0, value: nil)
        count -= 1
    }

    private mutating func grow() {
        let old = slots
        let n = slots.count * 2
        slots = [Slot](repeating: Slot(key: 0, value: nil), count: n)
        mask = n - 1
        count = 0
        for s in old where s.key != 0 { insert(s.key, s.value!) }
    }

    /// Every series in the map.
    var all: [MemSeries] { slots.compactMap { $0.value } }
}
