import Foundation
import Testing
import TSDB
@testable import PromQL

/// The engine gives bit-identical answers over the TSDB (series visited in place, chunks in
/// memory and in SQLite) and over `MemoryStorage` holding the same samples: counter resets,
/// stale markers, NaNs, float increments (so summation order shows), several chunks per series.
@Suite struct EngineTSDBParityTests {
    /// Deterministic samples: `c_total` counters (some reset, some go stale and come back,
    /// one holds a NaN) and `g` gauges, at 15 s for 100 minutes.
    static func samples() throws -> [(Labels, Int64, Double)] {
        var out: [(Labels, Int64, Double)] = []
        var seed: UInt64 = 42
        func rnd() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)
        var k = 0
        for job in ["a", "b"] {
            for inst in 1...6 {
                for status in ["200", "404", "500"] {
                    k += 1
                    let c = try Labels([("__name__", "c_total"), ("job", job), ("instance", "i\(inst)"), ("status", status)])
                    let g = try Labels([("__name__", "g"), ("job", job), ("instance", "i\(inst)"), ("status", status)])
                    var v = rnd() * 1000
                    for step in 0..<400 {
                        let t = Int64(step) * 15_000 + Int64(k % 3)
                        if k % 5 == 0 && (150..<170).contains(step) {
                            if step == 150 { out.append((c, t, staleNaN)) }
                            continue
                        }
                        v += k % 2 == 0 ? rnd() * 7.3 : Double(Int(rnd() * 20))
                        if k % 4 == 0 && step % 97 == 50 { v = rnd() * 3 }  // counter reset
                        out.append((c, t, k == 7 && step == 200 ? .nan : v))
                        out.append((g, t, (rnd() - 0.5) * 100))
                    }
                }
            }
        }
        return out
    }

    static let queries = [
        "sum(rate(c_total[1m]))",
        "sum(rate(c_total{status=~\"4..|5..\"}[5m]))",
        "sum by (job) (increase(c_total[5m]))",
        "avg without (instance) (rate(c_total[2m]))",
        "max by (status) (rate(c_total[1m]))",
        "stddev by (job) (delta(g[3m]))",
        "count(rate(c_total[30s]))",
        "sum(rate(c_total{status=~\"4..\"}[1m])) >= 10 and (sum(rate(c_total{status=~\"4..\"}[1m])) / sum(rate(c_total[1m])) * 100) >= 5",
        "rate(c_total[10m])",
        "c_total",
        "g offset 2m",
        "c_total @ 3000",
        "timestamp(c_total @ 2000 offset 1m)",
        "sum_over_time(g[7m])",
    ]

    static func bits(_ r: QueryResult) -> [String] {
        switch r {
        case .vector(let v): return v.map { "\($0.labels) \($0.t) \($0.v.isNaN ? 0 : $0.v.bitPattern)" }
        case .matrix(let m): return m.flatMap { s in s.points.map { "\(s.labels) \($0.t) \($0.v.isNaN ? 0 : $0.v.bitPattern)" } }
        case .scalar(let t, let v): return ["\(t) \(v.bitPattern)"]
        case .string(let t, let s): return ["\(t) \(s)"]
        }
    }

    /// Where two results first differ (nil when they are the same), kept short for the report.
    static func difference(_ a: QueryResult, _ b: QueryResult) -> String? {
        let x = bits(a), y = bits(b)
        if x == y { return nil }
        guard let i = (0..<min(x.count, y.count)).first(where: { x[$0] != y[$0] }) else { return "\(x.count) vs \(y.count) points" }
        return "point \(i): \(x[i]) vs \(y[i])"
    }

    static func check(_ db: TSDB, against mem: MemoryStorage, label: String) throws {
        let engine = Engine()
        for q in queries {
            for at: Int64 in [600_000, 1_800_001, 1_810_000, 2_260_000, 3_000_000, 5_999_000] {
                let a = try engine.instantQuery(q, at: at, storage: db)
                let b = try engine.instantQuery(q, at: at, storage: mem)
                #expect(difference(a, b) == nil, "\(label): \(q) at \(at)")
            }
            // One step that ends before the query's end: every sample of the window is read.
            let short = try engine.rangeQuery(q, start: 2_000_000, end: 2_010_000, step: 60_000, storage: db)
            #expect(difference(short, try engine.rangeQuery(q, start: 2_000_000, end: 2_010_000, step: 60_000, storage: mem)) == nil,
                    "\(label): \(q) one short step")
            for step: Int64 in [15_000, 45_000] {
                let a = try engine.rangeQuery(q, start: 0, end: 6_000_000, step: step, storage: db)
                let b = try engine.rangeQuery(q, start: 0, end: 6_000_000, step: step, storage: mem)
                #expect(difference(a, b) == nil, "\(label): \(q) step \(step)")
            }
        }
    }

    @Test func sameAnswersAsMemoryStorage() throws {
        let data = try Self.samples()
        var bySeries: [Labels: (ts: [Int64], vs: [Double])] = [:]
        for (l, t, v) in data {
            bySeries[l, default: ([], [])].ts.append(t)
            bySeries[l, default: ([], [])].vs.append(v)
        }
        let mem = MemoryStorage(bySeries.map { StoredSeries(labels: $0.key, timestamps: $0.value.ts, values: $0.value.vs) })
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-parity-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = TSDBOptions()
        options.backgroundMaintenance = false
        options.retentionMilliseconds = 0
        // Only the last 20 minutes stay in memory after a checkpoint: older windows read SQLite.
        options.recentChunksMilliseconds = 1_200_000
        let db = try TSDB.open(directory: dir, options: options)
        _ = try db.append(data)
        try Self.check(db, against: mem, label: "in memory")
        _ = try db.checkpoint()
        try Self.check(db, against: mem, label: "after checkpoint")
        try db.close()
        let reopened = try TSDB.open(directory: dir, options: options)
        defer { try? reopened.close() }
        try Self.check(reopened, against: mem, label: "reopened")
    }
}
