import Testing
@testable import TSDB

@Suite struct SeriesMapTests {
    /// Random inserts and removals agree with a Dictionary at every step.
    @Test func agreesWithDictionary() {
        var map = SeriesMap()
        var reference: [UInt64: MemSeries] = [:]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            // A small key space forces collisions, long probe runs and wrap-around.
            let key = UInt64.random(in: 1...3000, using: &rng)
            if Bool.random(using: &rng) {
                let s = MemSeries(ref: SeriesRef(key), symbols: [])
                map[SeriesRef(key)] = s
                reference[key] = s
            } else {
                map[SeriesRef(key)] = nil
                reference[key] = nil
            }
            #expect(map.count == reference.count)
        }
        for key in UInt64(1)...3000 {
            #expect(map[SeriesRef(key)] === reference[key], "key \(key)")
        }
        #expect(Set(map.all.map(\.ref.raw)) == Set(reference.keys))
    }
}
