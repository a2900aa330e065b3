import Foundation
import Logging
@testable import TSDB

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let path: String

    init(_ name: String = "tsdb") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-\(name)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

func ls(_ pairs: KeyValuePairs<String, String>) -> Labels {
    try! Labels(pairs.map { ($0.key, $0.value) })
}

func quietLogger() -> Logger {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}

func openDB(_ dir: TempDir, _ configure: (inout TSDBOptions) -> Void = { _ in }) throws -> TSDB {
    var o = TSDBOptions()
    o.retentionMilliseconds = 0
    configure(&o)
    return try TSDB.open(directory: dir.path, options: o, logger: quietLogger())
}

/// All samples of every series matching `matchers`, keyed by the series' text form.
func dump(_ db: TSDB, _ matchers: [Matcher], mint: Int64 = .min, maxt: Int64 = .max) throws -> [String: [(t: Int64, v: Double)]] {
    var out: [String: [(t: Int64, v: Double)]] = [:]
    for s in try db.querier(mint: mint, maxt: maxt).select(matchers) {
        out[s.labels.description] = s.samples()
    }
    return out
}

/// Bitwise comparison of sample lists (NaN payloads included).
func sameBits(_ a: [(t: Int64, v: Double)], _ b: [(t: Int64, v: Double)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.t == $1.t && $0.v.bitPattern == $1.v.bitPattern }
}
