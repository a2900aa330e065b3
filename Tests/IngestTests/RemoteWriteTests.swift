import Foundation
import Testing
import TSDB
@testable import Ingest

@Suite struct RemoteWriteTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/remote_write")

    func payload(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: Self.dir.appendingPathComponent(name))) }

    /// `req01.bin`, `req02.bin`: bodies Prometheus 2.42 (Debian) POSTed to a local sink while
    /// scraping itself; `prometheus_dump.txt`: `promtool tsdb dump` of that Prometheus's own
    /// storage afterwards (the samples' first seconds). Every decoded sample must be there.
    @Test func realPrometheusPayloadsDecodeToWhatPrometheusStored() throws {
        let dump = try String(contentsOf: Self.dir.appendingPathComponent("prometheus_dump.txt"), encoding: .utf8)
        var stored: [String: String] = [:]  // "labels ts" -> value text
        var maxT: Int64 = .min
        for line in dump.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let ts = parts[parts.count - 1], v = parts[parts.count - 2]
            let labels = parts[0..<(parts.count - 2)].joined(separator: " ")
            stored["\(labels) \(ts)"] = String(v)
            maxT = max(maxT, Int64(ts)!)
        }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        let rx = RemoteWriteReceiver(db: db)
        var total = 0, checked = 0
        for name in ["req01.bin", "req02.bin"] {
            let r = rx.handle(body: try payload(name), contentEncoding: "snappy", contentType: "application/x-protobuf",
                              protocolVersion: "0.1.0")
            #expect(r.status == 204, "\(r.message)")
            total += r.result.appended
        }
        #expect(total > 500)
        for s in try db.querier(mint: .min, maxt: .max).select([try Matcher(.regexMatch, "__name__", ".+")]) {
            let key = "{" + s.labels.map { "\($0.name)=\(Labels.quote($0.value))" }.joined(separator: ", ") + "}"
            for (t, v) in s.samples() where t <= maxT {
                guard let want = stored["\(key) \(t)"] else {
                    Issue.record("not in Prometheus's storage: \(key) \(t)")
                    continue
                }
                #expect(Double(want)?.bitPattern == v.bitPattern || (v.isNaN && want == "NaN"), "\(key) \(t)")
                checked += 1
            }
        }
        #expect(checked > 500)
    }

    @Test func malformedPayloadsAre400AndStoreNothing() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        let rx = RemoteWriteReceiver(db: db)
        #expect(rx.handle(body: Array("not snappy at all".utf8)).status == 400)
        #expect(rx.handle(body: []).status == 400)
        #expect(rx.handle(body: try payload("req01.bin"), contentEncoding: "gzip").status == 415)
        #expect(rx.handle(body: try payload("req01.bin"), protocolVersion: "2.0.0").status == 415)
        #expect(rx.handle(body: try payload("req01.bin"), contentType: "application/x-protobuf;proto=io.prometheus.write.v2.Request").status == 415)
        // Valid snappy around a truncated protobuf.
        let body = try payload("req01.bin")
        let raw = try body.withUnsafeBytes { (p) throws(Snappy.DecodeError) in try Snappy.decompress(p, limit: 1 << 26) }
        let truncated = rx.handle(body: Snappy.compress(Array(raw.prefix(raw.count - 3))))
        #expect(truncated.status == 400)
        #expect(truncated.message.hasPrefix("decoding WriteRequest: "))
        // Wrong wire type for timeseries; a label with an invalid name.
        #expect(rx.handle(body: Snappy.compress([0x08, 0x01])).status == 400)
        let badLabel = Self.writeRequest([([("__name__", "m"), ("1bad", "x")], [(1000, 1)])])
        let r = rx.handle(body: Snappy.compress(badLabel))
        #expect(r.status == 400)
        #expect(r.message.contains("invalid label name \"1bad\""))
        #expect(db.activeSeries == 0)
    }

    @Test func outOfOrderSamplesAreCountedTheRestKept() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        let rx = RemoteWriteReceiver(db: db)
        let a = [("__name__", "a"), ("job", "x")], b = [("__name__", "b")]
        var r = rx.handle(body: Snappy.compress(Self.writeRequest([(a, [(2000, 1), (3000, 2)])])))
        #expect(r.status == 204 && r.result.appended == 2)
        r = rx.handle(body: Snappy.compress(Self.writeRequest([(a, [(1000, 9), (4000, 3)]), (b, [(1000, 5)])])))
        #expect(r.status == 204)
        #expect(r.result.outOfOrder == 1 && r.result.appended == 2)
        let got = try dump(db, [.equal("__name__", "a")]).values.first?.map(\.v)
        #expect(got == [1, 2, 3])
        #expect(try dump(db, [.equal("__name__", "b")]).count == 1)
    }

    @Test func staleMarkersAndSpecialValuesSurvive() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        let rx = RemoteWriteReceiver(db: db)
        let r = rx.handle(body: Snappy.compress(Self.writeRequest([([("__name__", "m")], [(1, 1), (2, staleNaN), (3, -.infinity), (-5, 0)])])))
        #expect(r.status == 204 && r.result.outOfOrder == 1)
        let v = try dump(db, [.equal("__name__", "m")]).values.first ?? []
        #expect(v.count == 3 && isStale(v[1].v) && v[2].v == -.infinity)
    }

    // MARK: A minimal protobuf writer for test payloads.

    static func writeRequest(_ series: [([(String, String)], [(Int64, Double)])]) -> [UInt8] {
        var out: [UInt8] = []
        for (labels, samples) in series {
            var ts: [UInt8] = []
            for (n, v) in labels {
                var l: [UInt8] = []
                field(&l, 1, Array(n.utf8))
                field(&l, 2, Array(v.utf8))
                field(&ts, 1, l)
            }
            for (t, v) in samples {
                var s: [UInt8] = [0x09]
                withUnsafeBytes(of: v.bitPattern.littleEndian) { s += $0 }
                s.append(0x10)
                varint(&s, UInt64(bitPattern: t))
                field(&ts, 2, s)
            }
            field(&out, 1, ts)
        }
        return out
    }

    static func field(_ out: inout [UInt8], _ number: UInt64, _ bytes: [UInt8]) {
        varint(&out, number << 3 | 2)
        varint(&out, UInt64(bytes.count))
        out += bytes
    }

    static func varint(_ out: inout [UInt8], _ v: UInt64) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
