import Foundation
import Testing
import TSDB
@testable import PromQL

/// Throughput figures (not assertions): run with
/// `VIGIL_ENGINE_PERF=1 swift test -c release --filter EnginePerfTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VIGIL_ENGINE_PERF"] != nil))
struct EnginePerfTests {
    static func data(series: Int, samples: Int, interval: Int64) -> MemoryStorage {
        var out: [StoredSeries] = []
        out.reserveCapacity(series + 1000)
        let ts = (0..<samples).map { Int64($0) * interval }
        for i in 0..<series {
            let l = try! Labels([("__name__", "m"), ("x", String(i % 100)), ("i", String(i))])
            var v = Double(i % 7)
            var vs: [Double] = []
            vs.reserveCapacity(samples)
            for k in 0..<samples {
                v += Double((k * 31 + i) % 11)
                vs.append(v)
            }
            out.append(StoredSeries(labels: l, timestamps: ts, values: vs))
        }
        let les = ["0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "10", "+Inf"]
        for i in 0..<(series / 100) {
            for (k, le) in les.enumerated() {
                let l = try! Labels([("__name__", "b"), ("le", le), ("i", String(i))])
                out.append(StoredSeries(labels: l, timestamps: ts, values: (0..<samples).map { Double($0 * (k + 1)) }))
            }
        }
        return MemoryStorage(out)
    }

    static func time(_ name: String, samples: Int, _ f: () throws -> Void) rethrows {
        let clock = ContinuousClock()
        let d = try clock.measure(f)
        let secs = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        print("\(name): \(String(format: "%.1f", secs * 1000)) ms, \(String(format: "%.1f", Double(samples) / secs / 1e6)) M samples/s")
    }

    @Test(arguments: [10_000])
    func throughput(series: Int) throws {
        let interval: Int64 = 15_000
        let n = 480  // 2h of 15s samples
        let st = Self.data(series: series, samples: n, interval: interval)
        let engine = Engine()
        let end = Int64(n - 1) * interval
        let start = end - 3_600_000
        let total = series * n
        for q in ["sum by (x) (rate(m[5m]))", "topk(5, rate(m[5m]))", "histogram_quantile(0.9, sum by (le) (rate(b[5m])))",
                  "m / on(i) group_left m", "avg_over_time(m[10m]) > 100", "max_over_time(sum by (x) (m)[30m:1m])"] {
            try Self.time("instant \(q) [\(series) series]", samples: total / 24) {
                _ = try engine.instantQuery(q, at: end, storage: st)
            }
            try Self.time("range 1h/15s \(q) [\(series) series]", samples: total / 2) {
                _ = try engine.rangeQuery(q, start: start, end: end, step: 15_000, storage: st)
            }
        }
    }

    @Test func throughputOverTSDB() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-engine-perf-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try TSDB.open(directory: dir)
        defer { try? db.close() }
        let series = 10_000, n = 240
        let interval: Int64 = 15_000
        var refs: [SeriesRef] = []
        for i in 0..<series {
            refs.append(try db.seriesRef(for: try Labels([("__name__", "m"), ("x", String(i % 100)), ("i", String(i))])))
        }
        for k in 0..<n {
            var b = AppendBatch(capacity: series)
            for (i, r) in refs.enumerated() { b.add(r, Int64(k) * interval, Double(k * (i % 13 + 1))) }
            _ = try db.append(b)
        }
        let engine = Engine()
        let end = Int64(n - 1) * interval
        for q in ["sum by (x) (rate(m[5m]))", "m", "max_over_time(m[10m])"] {
            try Self.time("tsdb instant \(q) [\(series) series]", samples: series * 20) {
                _ = try engine.instantQuery(q, at: end, storage: db)
            }
            try Self.time("tsdb range 1h/15s \(q) [\(series) series]", samples: series * n) {
                _ = try engine.rangeQuery(q, start: 0, end: end, step: 15_000, storage: db)
            }
        }
    }
}
