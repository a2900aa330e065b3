import Hummingbird
import PromQL
import TSDB

/// `/api/v1/query` and `/api/v1/query_range`, as Prometheus 2.42 answers them.
enum QueryAPI {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext) {
        router.api("/api/v1/query") { request throws(APIError) in
            let form = try await ctx.form(request)
            let t = try form.time("time", default: APIContext.now())
            let engine = try Self.engine(ctx, form)
            let expr = try Self.parse(form["query"])
            let run = { @Sendable () throws(APIError) -> QueryResult in
                do throws(QueryError) { return try engine.instantQuery(expr, at: t, storage: ctx.db) } catch { throw APIError(error) }
            }
            let result = try await QuerySize.isSmall(expr, spanMilliseconds: 0, ctx.db) ? run() : ctx.offload(run)
            return APIResponse.json(QueryResultJSON.encode(result), status: .ok)
        }

        router.api("/api/v1/query_range") { request throws(APIError) in
            let form = try await ctx.form(request)
            let start = try form.requiredTime("start")
            let end = try form.requiredTime("end")
            if end < start { throw .invalidParameter("end", "end timestamp must not be before start time") }
            let step: Int64
            do throws(APIErrorReason) { step = try APIParameters.duration(form["step"]) } catch { throw .invalidParameter("step", error.message) }
            if step <= 0 {
                throw .invalidParameter("step", "zero or negative query resolution step widths are not accepted. Try a positive integer")
            }
            if (end - start) / step > 11_000 {
                throw APIError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
            }
            let engine = try Self.engine(ctx, form)
            let expr = try Self.parse(form["query"])
            if let msg = PromQL.rangeQueryTypeError(expr) { throw .invalidParameter("query", msg) }
            let run = { @Sendable () throws(APIError) -> QueryResult in
                do throws(QueryError) { return try engine.rangeQuery(expr, start: start, end: end, step: step, storage: ctx.db) } catch {
                    throw APIError(error)
                }
            }
            let result = try await QuerySize.isSmall(expr, spanMilliseconds: end - start, ctx.db) ? run() : ctx.offload(run)
            return APIResponse.json(QueryResultJSON.encode(result), status: .ok)
        }
    }

    static func parse(_ q: String) throws(APIError) -> Expr {
        do { return try PromQL.parse(q) } catch { throw .invalidParameter("query", "\(error)") }
    }

    /// The engine, with the request's `timeout` when it is shorter than the configured one.
    static func engine(_ ctx: APIContext, _ form: FormValues) throws(APIError) -> Engine {
        var options = ctx.engineOptions
        if let to = form.first("timeout"), !to.isEmpty {
            let ms: Int64
            do throws(APIErrorReason) { ms = try APIParameters.duration(to) } catch { throw .invalidParameter("timeout", error.message) }
            options.timeout = min(options.timeout, .milliseconds(ms))
        }
        return Engine(options: options)
    }
}
