import Foundation
import Hummingbird
import PromQL
import TSDB

/// `/api/v1/status/*`, `/-/healthy`, `/-/ready`.
enum StatusAPI {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext, version: String) {
        router.api("/api/v1/status/buildinfo", methods: [.get]) { _ throws(APIError) in
            APIResponse.success(data: GoJSON.stringObject([
                ("version", version), ("revision", ""), ("branch", ""), ("buildUser", ""), ("buildDate", ""),
                ("goVersion", "swift"),
            ]))
        }
        router.api("/api/v1/status/flags", methods: [.get]) { _ throws(APIError) in
            APIResponse.success(data: GoJSON.stringObject(ctx.flags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
        router.api("/api/v1/status/runtimeinfo", methods: [.get]) { _ throws(APIError) in
            let s = ctx.db.stats
            var out = "{\"startTime\":" + GoJSON.time(milliseconds: ctx.startTime)
            out += ",\"CWD\":" + GoJSON.quote(FileManager.default.currentDirectoryPath)
            out += ",\"reloadConfigSuccess\":true,\"lastConfigTime\":" + GoJSON.time(milliseconds: ctx.startTime)
            out += ",\"corruptionCount\":0,\"goroutineCount\":0"
            out += ",\"GOMAXPROCS\":\(ProcessInfo.processInfo.activeProcessorCount),\"GOGC\":\"\",\"GODEBUG\":\"\""
            out += ",\"storageRetention\":" + GoJSON.quote(ctx.flags["storage.tsdb.retention.time"] ?? "")
            out += ",\"activeSeries\":\(s.activeSeries)}"
            return APIResponse.success(data: out)
        }
        router.api("/api/v1/status/tsdb", methods: [.get]) { _ throws(APIError) in
            let q = ctx.db.querier(mint: Int64.min / 2, maxt: Int64.max / 2)
            let names = q.labelValues(Labels.metricName)
            var byMetric: [(String, Int)] = []
            for n in names {
                guard let m = try? Matcher(.equal, Labels.metricName, n) else { continue }
                byMetric.append((n, q.series([m]).count))
            }
            byMetric.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            var byLabel: [(String, Int)] = q.labelNames().map { ($0, q.labelValues($0).count) }
            byLabel.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            func list(_ xs: [(String, Int)]) -> String {
                "[" + xs.prefix(10).map { "{\"name\":" + GoJSON.quote($0.0) + ",\"value\":\($0.1)}" }.joined(separator: ",") + "]"
            }
            let s = ctx.db.stats
            var out = "{\"headStats\":{\"numSeries\":\(s.activeSeries),\"numLabelPairs\":0,\"chunkCount\":0"
            out += ",\"minTime\":\(ctx.db.minTime),\"maxTime\":\(ctx.db.maxTime)}"
            out += ",\"seriesCountByMetricName\":" + list(byMetric)
            out += ",\"labelValueCountByLabelName\":" + list(byLabel)
            out += ",\"memoryInBytesByLabelName\":[],\"seriesCountByLabelValuePair\":[]}"
            return APIResponse.success(data: out)
        }
        router.get("/-/healthy") { _, _ in APIResponse.text("Vigil is Healthy.\n") }
        router.get("/-/ready") { _, _ in APIResponse.text("Vigil is Ready.\n") }
    }
}
