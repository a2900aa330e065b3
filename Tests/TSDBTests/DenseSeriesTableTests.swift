import Testing
@testable import TSDB

@Suite struct DenseSeriesTableTests {
    /// Random sets and clears over several pages (and refs far apart) agree with a
    /// Dictionary at every step; `forEachRef` lists exactly the refs that hold a series, in
    /// ascending order; objects are released when cleared or replaced.
    @Test func agreesWithDictionary() {
        let table = DenseSeriesTable()
        var reference: [UInt64: MemSeries] = [:]
        var rng = SystemRandomNumberGenerator()
        let far: [UInt64] = [0, 4095, 4096, 1 << 20, (1 << 30) + 7]
        for _ in 0..<50_000 {
            let key = Bool.random(using: &rng) ? UInt64.random(in: 1...9000, using: &rng) : far.randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                let s = MemSeries(ref: SeriesRef(key), symbols: [])
                table.set(SeriesRef(key), s)
                reference[key] = s
            } else {
                table.set(SeriesRef(key), nil)
                reference[key] = nil
            }
        }
        for key in Array(UInt64(0)...9000) + far {
            #expect(table[SeriesRef(key)] === reference[key], "key \(key)")
        }
        var listed: [UInt64] = []
        table.forEachRef { listed.append($0.raw) }
        #expect(listed == reference.keys.sorted())

        weak var dropped: MemSeries?
        do {
            let s = MemSeries(ref: SeriesRef(5), symbols: [])
            dropped = s
            table.set(SeriesRef(5), s)
        }
        #expect(dropped != nil)
        table.set(SeriesRef(5), MemSeries(ref: SeriesRef(5), symbols: []))
        #expect(dropped == nil)
    }

    /// Unknown refs (no page yet, or beyond the directory) are nil, and prefetching them is
    /// harmless.
    @Test func unknownRefs() {
        let table = DenseSeriesTable()
        for raw in [UInt64(1), 1 << 33, UInt64.max] {
            #expect(table[SeriesRef(raw)] == nil)
            table.prefetch(SeriesRef(raw))
            table.prefetchEntry(SeriesRef(raw))
        }
        table.set(SeriesRef(UInt64.max), nil)  // clearing an unknown ref is a no-op
    }
}
