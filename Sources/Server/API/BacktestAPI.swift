import Hummingbird
import PromQL
import Rules
import TSDB

/// `POST /api/v1/rules/backtest`: replays a rule file (or one rule) sent as the body over the
/// stored history and answers with when each alert would have been pending and firing.
/// Parameters: `start`, `end` (default: the last 6 hours), `for` (override), `interval`.
enum BacktestAPI {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext, defaultInterval: Int64) {
        router.api("/api/v1/rules/backtest", methods: [.post]) { request throws(APIError) in
            var req = request
            let body: String
            do { body = String(buffer: try await req.collectBody(upTo: 1 << 20)) } catch {
                throw APIError(.badData, "reading the body: \(error)")
            }
            var form = FormValues()
            if let q = request.uri.query { form.add(encoded: q) }
            let text: String
            if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
                let f = FormValues(encoded: body)
                text = f["rules"]
                form.append(contentsOf: f)
            } else {
                text = body
            }
            let now = APIContext.now()
            let end = try form.time("end", default: now)
            let start = try form.time("start", default: end - 6 * 3_600_000)
            if end < start { throw .invalidParameter("end", "end timestamp must not be before start time") }
            if (end - start) > 31 * 86_400_000 { throw .invalidParameter("start", "backtests cover at most 31 days") }
            var options = Backtest.Options(from: start, to: end)
            options.engine = ctx.engineOptions
            if let f = form.first("for"), !f.isEmpty {
                do throws(APIErrorReason) { options.forOverride = try APIParameters.duration(f) } catch {
                    throw .invalidParameter("for", error.message)
                }
            }
            let file = try parseRules(text)
            let replay = options
            let result = try await ctx.offload { () throws(APIError) in
                do {
                    return try Backtest.run([(file, "<backtest>")], history: ctx.db, options: replay, defaultInterval: defaultInterval)
                } catch {
                    throw APIError(.execution, "\(error)")
                }
            }
            return APIResponse.success(data: result.json)
        }
    }

    /// A rule file, or a single rule (a mapping with `alert:` or `record:`) wrapped in a group.
    static func parseRules(_ text: String) throws(APIError) -> RuleFile {
        var source = text
        let isFile = text.split(separator: "\n").contains { $0.hasPrefix("groups:") }
        if !isFile {
            let body = text.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated().map { $0.offset == 0 ? "      - " + $0.element : "        " + $0.element }
                .joined(separator: "\n")
            source = "groups:\n  - name: backtest\n    rules:\n" + body + "\n"
        }
        switch RuleFile.parse(source) {
        case .success(let f):
            if f.groups.isEmpty { throw APIError(.badData, "no rules given") }
            return f
        case .failure(let e): throw APIError(.badData, e.description)
        }
    }
}
