import Foundation
import Hummingbird
import Notify

/// Alertmanager's API v2 on Vigil's port, backed by the built-in Alertmanager, so amtool and
/// Grafana's Alertmanager data source work against `http://127.0.0.1:9090`.
enum AlertmanagerAPI {
    static func register(_ router: Router<BasicRequestContext>, _ am: BuiltinAlertmanager?, version: String) {
        @Sendable func dispatcher() throws(AMError) -> Dispatcher {
            guard let d = am?.dispatcher else {
                throw AMError(status: .notFound, "the built-in Alertmanager is not running (start vigil with --alertmanager.config)")
            }
            return d
        }
        func handle(_ body: @escaping @Sendable (Request) async throws(AMError) -> Response)
            -> @Sendable (Request, BasicRequestContext) async throws -> Response
        {
            { request, _ in
                do throws(AMError) { return try await body(request) } catch { return error.response }
            }
        }

        router.get("/api/v2/alerts", use: handle { request throws(AMError) in
            let d = try dispatcher()
            let q = FormValues(encoded: request.uri.query ?? "")
            let filter = try matchers(q.all("filter"))
            var list = await d.alertStatuses(filter: filter)
            let active = q.first("active") != "false", silenced = q.first("silenced") != "false"
            let inhibited = q.first("inhibited") != "false"
            list.removeAll { s in
                (!s.silencedBy.isEmpty && !silenced) || (!s.inhibitedBy.isEmpty && !inhibited)
                    || (s.state == .active && !active)
            }
            if let r = q.first("receiver"), !r.isEmpty {
                guard let re = try? NSRegularExpression(pattern: "^(?:" + r + ")$") else {
                    throw AMError(status: .badRequest, "failed to parse receiver param: \(r)")
                }
                list.removeAll { s in !s.receivers.contains { re.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil } }
            }
            return json(AlertmanagerAPIv2.alerts(list))
        })
        router.post("/api/v2/alerts", use: handle { request throws(AMError) in
            let d = try dispatcher()
            let body = try await read(request)
            let posted: [PostableAlert]
            do throws(AlertmanagerAPIv2.BadRequest) { posted = try AlertmanagerAPIv2.decodeAlerts(body) } catch {
                throw AMError(status: .badRequest, error.description)
            }
            let errors = await d.receive(posted)
            if !errors.isEmpty { throw AMError(status: .badRequest, errors.joined(separator: "; ")) }
            return json("", status: .ok)
        })
        router.get("/api/v2/alerts/groups", use: handle { _ throws(AMError) in
            json(AlertmanagerAPIv2.groups(try await dispatcher().groupStatuses()))
        })
        router.get("/api/v2/silences", use: handle { request throws(AMError) in
            let d = try dispatcher()
            let filter = try matchers(FormValues(encoded: request.uri.query ?? "").all("filter"))
            let list = d.silences.list().filter { s in
                filter.allSatisfy { f in s.matchers.contains { $0.name == f.name && $0.value == f.value && $0.type == f.type } }
            }
            return json(AlertmanagerAPIv2.silences(list, now: Date()))
        })
        router.post("/api/v2/silences", use: handle { request throws(AMError) in
            let d = try dispatcher()
            let body = try await read(request)
            let silence: Silence
            do throws(AlertmanagerAPIv2.BadRequest) { silence = try AlertmanagerAPIv2.decodeSilence(body) } catch {
                throw AMError(status: .badRequest, error.description)
            }
            do {
                let id = try d.silences.set(silence)
                return json("{\"silenceID\":\"\(id)\"}")
            } catch {
                throw AMError(status: .badRequest, "\(error)")
            }
        })
        router.get("/api/v2/silence/:id", use: handle { request throws(AMError) in
            let d = try dispatcher()
            let id = String(request.uri.path.split(separator: "/").last ?? "")
            guard let s = d.silences.get(id) else { throw AMError(status: .notFound, "silence \(id) not found") }
            return json(AlertmanagerAPIv2.silence(s, now: Date()).encoded)
        })
        router.delete("/api/v2/silence/:id", use: handle { request throws(AMError) in
            let d = try dispatcher()
            let id = String(request.uri.path.split(separator: "/").last ?? "")
            guard d.silences.get(id) != nil else { throw AMError(status: .notFound, "silence \(id) not found") }
            do { try d.silences.expire(id) } catch { throw AMError(status: .internalServerError, "\(error)") }
            return json("", status: .ok)
        })
        router.get("/api/v2/status", use: handle { _ throws(AMError) in
            _ = try dispatcher()
            return json(AlertmanagerAPIv2.status(configText: am?.configText ?? "", startedAt: am?.startedAt ?? Date(), version: version))
        })
        router.get("/api/v2/receivers", use: handle { _ throws(AMError) in
            json(AlertmanagerAPIv2.receivers(try dispatcher().config))
        })
    }

    static func matchers(_ filters: [String]) throws(AMError) -> [Matcher] {
        var out: [Matcher] = []
        for f in filters {
            do throws(MatcherError) { out += try MatcherParser.parseMatchers(f) } catch {
                throw AMError(status: .badRequest, "bad matcher format: \(f)")
            }
        }
        return out
    }

    static func read(_ request: Request) async throws(AMError) -> Data {
        var req = request
        do { return Data(try await req.collectBody(upTo: 4 << 20).readableBytesView) } catch {
            throw AMError(status: .badRequest, "reading the body: \(error)")
        }
    }

    static func json(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        APIResponse.json(body, status: status)
    }
}

/// An Alertmanager API error: its HTTP status and a JSON-quoted message, as Alertmanager answers.
struct AMError: Error {
    var status: HTTPResponse.Status
    var message: String
    init(status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }
    var response: Response { APIResponse.json(GoJSON.quote(message), status: status) }
}

/// `GET /api/v1/notifications`: the built-in Alertmanager's history (what was sent when to
/// which receiver, the outcome and the rendered body; secrets redacted), newest first.
enum NotificationHistoryAPI {
    static func register(_ router: Router<BasicRequestContext>, _ am: BuiltinAlertmanager?) {
        router.api("/api/v1/notifications", methods: [.get]) { request throws(APIError) in
            guard let d = am?.dispatcher else { return APIResponse.success(data: "[]") }
            let q = FormValues(encoded: request.uri.query ?? "")
            let limit = min(Int(q["limit"]) ?? 100, 10_000)
            let receiver = q.first("receiver").flatMap { $0.isEmpty ? nil : $0 }
            let records: [NotificationRecord]
            do { records = try d.history(receiver: receiver, limit: limit) } catch {
                throw APIError(.internal, "reading the notification history: \(error)")
            }
            let items = records.map { r in
                "{\"at\":" + GoJSON.time(milliseconds: Int64(r.at.timeIntervalSince1970 * 1000))
                    + ",\"receiver\":" + GoJSON.quote(r.receiver) + ",\"integration\":" + GoJSON.quote(r.integration)
                    + ",\"groupKey\":" + GoJSON.quote(r.groupKey) + ",\"status\":" + GoJSON.quote(r.status)
                    + ",\"firing\":\(r.numFiring),\"resolved\":\(r.numResolved),\"outcome\":" + GoJSON.quote(r.outcome.rawValue)
                    + ",\"attempts\":\(r.attempts),\"error\":" + GoJSON.quote(r.error) + ",\"body\":" + GoJSON.quote(r.body) + "}"
            }
            return APIResponse.success(data: "[" + items.joined(separator: ",") + "]")
        }
    }
}
