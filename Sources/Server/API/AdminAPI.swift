import Foundation
import Hummingbird
import PromQL
import TSDB

/// Prometheus's admin API, only with `--web.enable-admin-api`: delete series, snapshot,
/// clean tombstones.
enum AdminAPI {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext, enabled: Bool, dataDirectory: String) {
        @Sendable func guardEnabled() throws(APIError) {
            if !enabled { throw APIError(.unavailable, "admin APIs disabled") }
        }
        router.api("/api/v1/admin/tsdb/delete_series", methods: [.post, .put]) { request throws(APIError) in
            try guardEnabled()
            let form = try await ctx.form(request)
            let selectors = form.all("match[]")
            if selectors.isEmpty { throw APIError(.badData, "no match[] parameter provided") }
            let start = try form.time("start", default: Int64.min / 2), end = try form.time("end", default: Int64.max / 2)
            if start > end { throw APIError(.badData, "end timestamp must not be before start time") }
            let sets = try SeriesAPI.matcherSets(selectors)
            let whole = start <= ctx.db.minTime && end >= ctx.db.maxTime
            do {
                for ms in sets {
                    if whole { try ctx.db.deleteSeries(ms) } else { try ctx.db.deleteSamples(ms, mint: start, maxt: end) }
                }
            } catch {
                throw APIError(.internal, "\(error)")
            }
            return Response(status: .noContent)
        }
        router.api("/api/v1/admin/tsdb/clean_tombstones", methods: [.post, .put]) { _ throws(APIError) in
            try guardEnabled()
            return Response(status: .noContent)  // deletes are immediate: there are no tombstones
        }
        router.api("/api/v1/admin/tsdb/snapshot", methods: [.post, .put]) { _ throws(APIError) in
            try guardEnabled()
            let f = DateFormatter()
            f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            f.timeZone = TimeZone(identifier: "UTC")
            let name = f.string(from: Date()) + "-" + String(format: "%016llx", UInt64.random(in: 0...UInt64.max))
            let dir = dataDirectory + "/snapshots/" + name
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try ctx.db.snapshot(to: dir + "/vigil.db")
            } catch {
                throw APIError(.internal, "create snapshot: \(error)")
            }
            return APIResponse.success(data: "{\"name\":" + GoJSON.quote(name) + "}")
        }
    }
}
