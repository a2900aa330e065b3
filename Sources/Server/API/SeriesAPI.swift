import Hummingbird
import PromQL
import TSDB

/// `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/<name>/values`.
enum SeriesAPI {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext) {
        router.api("/api/v1/series") { request throws(APIError) in
            let form = try await ctx.form(request)
            let selectors = form.all("match[]")
            if selectors.isEmpty { throw APIError(.badData, "no match[] parameter provided") }
            let (start, end) = try range(form)
            let sets = try matcherSets(selectors)
            let q = ctx.db.querier(mint: start, maxt: end)
            var seen = Set<Labels>()
            var all: [Labels] = []
            for ms in sets {
                for l in q.series(ms) where seen.insert(l).inserted { all.append(l) }
            }
            if sets.count > 1 { all.sort { $0.lexicographicallyPrecedes($1) } }
            var out = "["
            for (i, l) in all.enumerated() {
                if i > 0 { out += "," }
                QueryResultJSON.appendLabels(l, to: &out)
            }
            return APIResponse.success(data: out + "]")
        }

        router.api("/api/v1/labels") { request throws(APIError) in
            let form = try await ctx.form(request)
            let (start, end) = try range(form)
            let sets = try matcherSets(form.all("match[]"))
            let q = ctx.db.querier(mint: start, maxt: end)
            return APIResponse.success(data: GoJSON.stringArray(union(sets, all: q.labelNames(), each: q.labelNames)))
        }

        router.api("/api/v1/label/:name/values", methods: [.get]) { request throws(APIError) in
            let form = try await ctx.form(request)
            let name = String(request.uri.path.split(separator: "/").dropLast().last ?? "")
            guard Labels.isValidName(name) else { throw APIError(.badData, "invalid label name: \(GoJSON.quote(name))") }
            let (start, end) = try range(form)
            let sets = try matcherSets(form.all("match[]"))
            let q = ctx.db.querier(mint: start, maxt: end)
            return APIResponse.success(data: GoJSON.stringArray(union(sets, all: q.labelValues(name), each: { q.labelValues(name, $0) })))
        }
    }

    /// Without selectors, `all()`; with some, the sorted union of `each` over them.
    static func union(_ sets: [[Matcher]], all: @autoclosure () -> [String], each: ([Matcher]) -> [String]) -> [String] {
        if sets.isEmpty { return all() }
        var set = Set<String>()
        for ms in sets { set.formUnion(each(ms)) }
        return set.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func range(_ form: FormValues) throws(APIError) -> (Int64, Int64) {
        (try form.time("start", default: Int64.min / 2), try form.time("end", default: Int64.max / 2))
    }

    /// Parses `match[]` selectors; each needs a matcher that does not match the empty string.
    static func matcherSets(_ selectors: [String]) throws(APIError) -> [[Matcher]] {
        var sets: [[Matcher]] = []
        for s in selectors {
            let ms: [Matcher]
            do { ms = try PromQL.parseMetricSelector(s) } catch { throw .invalidParameter("match[]", "\(error)") }
            if !ms.contains(where: { !$0.matches("") }) {
                throw .invalidParameter("match[]", "match[] must contain at least one non-empty matcher")
            }
            sets.append(ms)
        }
        return sets
    }
}
