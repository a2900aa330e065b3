import Foundation
import Testing
import TSDB
@testable import Ingest

@Suite struct ImportTests {
    /// Feeds `text` in pieces of `piece` bytes, so series and lines straddle chunk ends.
    func run(_ text: String, _ format: ExpositionFormat, piece: Int, chunk: Int = 16, db: TSDB) throws(ImportError) -> ImportSummary {
        let bytes = Array(text.utf8)
        var off = 0
        let importer = BulkImporter(db: db, format: format, batchSize: 3, chunkSize: chunk)
        return try importer.importStream { _ in
            guard off < bytes.count else { return nil }
            let n = min(piece, bytes.count - off)
            defer { off += n }
            return Array(bytes[off..<(off + n)])
        }
    }

    @Test(arguments: [1, 5, 64, 4096])
    func openMetricsStreamsInChunks(piece: Int) throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        var text = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n"
        for i in 0..<50 {
            text += "http_requests_total{code=\"200\",path=\"/a b\"} \(i * 10) \(1_700_000_000 + i * 15)\n"
            text += "http_requests_total{code=\"500\",path=\"/a b\"} \(i) \(1_700_000_000 + i * 15).5\n"
        }
        text += "# EOF\n"
        let s = try run(text, .openMetrics, piece: piece, db: db)
        #expect(s.samples == 100 && s.appended == 100 && s.outOfOrder == 0)
        let ok = try dump(db, [.equal("code", "200")]).values.first ?? []
        #expect(ok.count == 50 && ok[49].t == (1_700_000_000 + 49 * 15) * 1000 && ok[49].v == 490)
        let err = try dump(db, [.equal("code", "500")]).values.first ?? []
        #expect(err.first?.t == 1_700_000_000_500)
    }

    @Test func outOfOrderSamplesAreCountedAndSkipped() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        let s = try run("a 1 3000\na 2 1000\na 3 4000\nb 1 1000\n", .prometheusText, piece: 7, db: db)
        #expect(s.samples == 4 && s.appended == 3 && s.outOfOrder == 1)
    }

    @Test func errorsNameTheLineAndKeepEarlierBatches() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        do {
            _ = try run("a 1 1000\na 2 2000\na 3 3000\na 4 4000\nb 5\n", .prometheusText, piece: 3, db: db)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "line 5: expected a timestamp for b")
            #expect(error.summary.appended == 3)
        }
        #expect(throws: ImportError.self) { try run("x 1 1\n", .openMetrics, piece: 100, db: db) }  // no # EOF
        #expect(throws: ImportError.self) { try run("x 1 2\n# EOF\nx 2 3\n", .openMetrics, piece: 2, db: db) }
        do {
            _ = try run("ok 1 1\nok 2 2\nbad{ 1 1\n", .prometheusText, piece: 4, db: db)
        } catch {
            #expect(error.message == "line 3: invalid label name in metric bad")
        }
    }

    @Test func importEndpointAnswers() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        var body: [UInt8]? = Array("m{a=\"1\"} 1 1000\nm{a=\"1\"} 2 2000\n".utf8)
        let r = ImportEndpoint.handle(db: db) { _ in defer { body = nil }; return body }
        #expect(r.status == 204 && r.summary.appended == 2)
        var bad: [UInt8]? = Array("m 1\n".utf8)
        let r2 = ImportEndpoint.handle(db: db) { _ in defer { bad = nil }; return bad }
        #expect(r2.status == 400 && r2.message.contains("expected a timestamp"))
    }
}
