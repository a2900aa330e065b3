import TSDB

/// The text promtool prints for query results (Prometheus client model's `String()`):
/// `up{job="x"} => 1 @[1700000000]`, matrices as `metric =>` followed by `value @[t]` lines.
public enum QueryResultText {
    public static func format(_ r: QueryResult) -> String {
        switch r {
        case .scalar(let t, let v):
            return "scalar: \(formatFloatF(v)) @[\(QueryResultJSON.formatTimestampText(t))]"
        case .string(let t, let s):
            return "\(GoFormat.quote(s)) @[\(QueryResultJSON.formatTimestampText(t))]"
        case .vector(let samples):
            return samples.map { "\($0.labels.description) => \(formatFloatF($0.v)) @[\(QueryResultJSON.formatTimestampText($0.t))]" }
                .joined(separator: "\n")
        case .matrix(let series):
            return series.map { s in
                "\(s.labels.description) =>\n" + s.points.map { "\(formatFloatF($0.v)) @[\(QueryResultJSON.formatTimestampText($0.t))]" }
                    .joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }
}

extension QueryResultJSON {
    /// model.Time's String(): seconds, shortest decimal.
    static func formatTimestampText(_ t: Int64) -> String { formatFloatF(Double(t) / 1000) }
}
