import TSDB

/// `POST /api/v1/import/prometheus` (VictoriaMetrics' route name, which tools use): a text
/// format 0.0.4 body whose samples carry timestamps, imported in batches. The Server passes
/// the body as it streams in (`read` returns the next bytes, nil at the end) and answers
/// with `status`: 204 imported, 400 bad input (with what was stored before the error),
/// 500 storage failure.
public enum ImportEndpoint {
    public struct Response: Sendable {
        public var status: Int
        public var message: String
        public var summary: ImportSummary
    }

    public static func handle(db: TSDB, contentType: String? = nil, read: (Int) throws -> [UInt8]?) -> Response {
        let format = ExpositionFormat.from(contentType: contentType)
        let importer = BulkImporter(db: db, format: format, chunkSize: 1 << 20)
        do {
            let s = try importer.importStream(read)
            return Response(status: 204, message: "", summary: s)
        } catch {
            let storage = error.message.hasPrefix("appending:")
            return Response(status: storage ? 500 : 400, message: error.message, summary: error.summary)
        }
    }
}
