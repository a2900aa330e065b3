/// An open-addressing hash map from series ref to series, for one stripe of the head.
///
/// Swift's Dictionary hashes with seeded SipHash, which costs more than the rest of a
/// sample append; refs are already well-spread integers, so a multiplicative hash and linear
/// probing do. Deletion uses backward-shift, so there are no tombstones to clean up.
struct SeriesMap {
    private var keys: [UInt64]
    private var values: [MemSeries?]
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 8) {
        var n = 8
        while n < capacity * 2 { n <<= 1 }
        keys = [UInt64](repeating: 0, count: n)
        values = [MemSeries?](repeating: nil, count: n)
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
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == 0 { return nil }
                i = (i + 1) & mask
            }
        }
        set {
            if let newValue { insert(ref.raw, newValue) } else { remove(ref.raw) }
        }
    }

    private mutating func insert(_ key: UInt64, _ value: MemSeries) {
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { values[i] = value; return }
            if k == 0 {
                keys[i] = key
                values[i] = value
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    private mutating func remove(_ key: UInt64) {
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == 0 { return }
            if k == key { break }
            i = (i + 1) & mask
        }
        // Backward-shift deletion: pull later entries of the probe run into the hole.
        var hole = i
        var j = (i + 1) & mask
        while keys[j] != 0 {
            let home = slot(keys[j])
            // Move j into the hole unless its home lies cyclically in (hole, j].
            let inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !inRange {
                keys[hole] = keys[j]
                values[hole] = values[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        keys[hole] = 0
        values[hole] = nil
        count -= 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let n = keys.count * 2
        keys = [UInt64](repeating: 0, count: n)
        values = [MemSeries?](repeating: nil, count: n)
        mask = n - 1
        count = 0
        for i in 0..<oldKeys.count where oldKeys[i] != 0 { insert(oldKeys[i], oldValues[i]!) }
    }

    /// Every series in the map.
    var all: [MemSeries] { values.compactMap { $0 } }
}
