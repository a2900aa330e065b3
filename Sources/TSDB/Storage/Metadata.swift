import SQLite

/// What a metric is, as exposition formats declare it (`# TYPE`, `# HELP`, `# UNIT`).
public struct MetricMetadata: Sendable, Equatable {
    public var type: String
    public var help: String
    public var unit: String

    public init(type: String, help: String, unit: String = "") {
        self.type = type
        self.help = help
        self.unit = unit
    }
}

extension TSDB {
    /// Records the metadata of a metric (kept across restarts; the latest wins).
    public func setMetadata(_ metadata: MetricMetadata, for metric: String) throws {
        guard !options.readOnly else { throw TSDBError.readOnly }
        try commitLock.withLock {
            try storage.writer.run(
                "INSERT OR REPLACE INTO metadata(metric, type, help, unit) VALUES(?1, ?2, ?3, ?4)",
                .text(metric), .text(metadata.type), .text(metadata.help), .text(metadata.unit))
        }
    }

    /// Metadata by metric name: all metrics, or just `metric`.
    public func metadata(metric: String? = nil) throws -> [String: MetricMetadata] {
        var out: [String: MetricMetadata] = [:]
        try storage.withReader { conn in
            let sql = metric == nil
                ? "SELECT metric, type, help, unit FROM metadata"
                : "SELECT metric, type, help, unit FROM metadata WHERE metric = ?1"
            let values: [SQLiteValue] = metric.map { [.text($0)] } ?? []
            let stmt = try conn.prepare(sql)
            defer { stmt.reset() }
            try stmt.bind(values)
            while try stmt.step() {
                out[stmt.text(0)] = MetricMetadata(type: stmt.text(1), help: stmt.text(2), unit: stmt.text(3))
            }
        }
        return out
    }
}
