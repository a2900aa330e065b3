import Foundation
import Testing
import TSDB
@testable import PromQL

/// The engine over a real database in a temporary directory.
@Suite struct EngineTSDBTests {
    static func withDB(_ body: (TSDB) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-engine-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try TSDB.open(directory: dir)
        defer { try? db.close() }
        try body(db)
    }

    @Test func instantAndRangeOverTSDB() throws {
        try Self.withDB { db in
            var samples: [(Labels, Int64, Double)] = []
            for j in ["a", "b"] {
                let l = try Labels([("__name__", "http_requests_total"), ("job", j)])
                for k in 0...20 { samples.append((l, Int64(k) * 15_000, Double(k) * (j == "a" ? 10 : 3))) }
            }
            let stale = try Labels([("__name__", "gone"), ("job", "a")])
            samples.append((stale, 0, 1))
            samples.append((stale, 60_000, Double(bitPattern: 0x7ff0_0000_0000_0002)))
            _ = try db.append(samples)
            let engine = Engine()

            let r = try engine.instantQuery("sum(rate(http_requests_total[1m]))", at: 300_000, storage: db)
            guard case .vector(let v) = r else { Issue.record("not a vector"); return }
            #expect(v.count == 1)
            #expect(Swift.abs(v[0].v - (10.0 + 3.0) / 15) < 1e-9)

            let g = try engine.instantQuery("gone", at: 30_000, storage: db)
            guard case .vector(let gv) = g else { Issue.record("not a vector"); return }
            #expect(gv.count == 1)
            let g2 = try engine.instantQuery("gone", at: 90_000, storage: db)
            guard case .vector(let gv2) = g2 else { Issue.record("not a vector"); return }
            #expect(gv2.isEmpty)

            let m = try engine.rangeQuery("http_requests_total{job=\"b\"} * 2", start: 0, end: 300_000, step: 60_000, storage: db)
            guard case .matrix(let series) = m else { Issue.record("not a matrix"); return }
            #expect(series.count == 1)
            #expect(series[0].points.map(\.v) == [0, 24, 48, 72, 96, 120])
            #expect(series[0].labels == (try Labels([("job", "b")])))
        }
    }

    @Test func json() throws {
        let l = try Labels([("__name__", "up"), ("job", "x")])
        #expect(QueryResultJSON.encode(.vector([Sample(labels: l, t: 1500, v: 1)]))
            == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"x"},"value":[1.500,"1"]}]}}"#)
        #expect(QueryResultJSON.encode(.scalar(t: 1_700_000_000_000, v: .infinity))
            == #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"+Inf"]}}"#)
        #expect(QueryResultJSON.encode(.matrix([SeriesResult(labels: .empty, points: [QueryPoint(t: 1, v: .nan), QueryPoint(t: 2010, v: 1e21)])]))
            == #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[0.001,"NaN"],[2.010,"1e+21"]]}]}}"#)
        #expect(QueryResultJSON.formatValue(0.1) == "0.1")
        #expect(QueryResultJSON.formatValue(1e-7) == "1e-07")
        #expect(QueryResultJSON.formatValue(-2.5) == "-2.5")
        #expect(QueryResultJSON.formatValue(123456789) == "123456789")
        #expect(QueryResultJSON.encode(QueryError(kind: .execution, message: "x \"y\""))
            == #"{"status":"error","errorType":"execution","error":"x \"y\""}"#)
        #expect(QueryResultText.format(.vector([Sample(labels: l, t: 1_700_000_000_000, v: 1)])) == #"up{job="x"} => 1 @[1700000000]"#)
    }
}
