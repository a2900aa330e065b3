import Foundation

/// Alertmanager's API v2 bodies (what amtool and Grafana read and write), built from and
/// into Notify's values. The Server maps routes to these; the shapes and key orders are
/// Alertmanager 0.25's, times in milliseconds as its `strfmt.DateTime` writes them.
public enum AlertmanagerAPIv2 {
    public struct BadRequest: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    // MARK: Encoding

    public static func alerts(_ list: [AlertStatus]) -> String {
        GoJSON.array(list.map(alert)).encoded
    }

    public static func groups(_ list: [AlertGroupStatus]) -> String {
        GoJSON.array(list.map { g in
            .object([("alerts", .array(g.alerts.map(alert))), ("labels", .map(g.labels)), ("receiver", .object([("name", .string(g.receiver))]))])
        }).encoded
    }

    public static func silences(_ list: [Silence], now: Date) -> String {
        GoJSON.array(list.map { silence($0, now: now) }).encoded
    }

    public static func silence(_ s: Silence, now: Date) -> GoJSON {
        .object([
            ("id", .string(s.id)),
            ("status", .object([("state", .string(s.state(at: now).rawValue))])),
            ("updatedAt", .string(millis(s.updatedAt))),
            ("comment", .string(s.comment)),
            ("createdBy", .string(s.createdBy)),
            ("endsAt", .string(millis(s.endsAt))),
            ("matchers", .array(s.matchers.map { m in
                .object([
                    ("isEqual", .bool(m.type == .equal || m.type == .regexp)),
                    ("isRegex", .bool(m.type == .regexp || m.type == .notRegexp)),
                    ("name", .string(m.name)),
                    ("value", .string(m.value)),
                ])
            })),
            ("startsAt", .string(millis(s.startsAt))),
        ])
    }

    public static func receivers(_ config: AlertmanagerConfig) -> String {
        GoJSON.array(config.receivers.map { .object([("name", .string($0.name))]) }).encoded
    }

    static func alert(_ s: AlertStatus) -> GoJSON {
        let a = s.alert
        var fields: [(String, GoJSON)] = [
            ("annotations", .map(a.annotations)),
            ("endsAt", .string(millis(a.endsAt))),
            ("fingerprint", .string(a.fingerprint.description)),
            ("receivers", .array(s.receivers.map { .object([("name", .string($0))]) })),
            ("startsAt", .string(millis(a.startsAt))),
            ("status", .object([
                ("inhibitedBy", .array(s.inhibitedBy.map { .string($0) })),
                ("silencedBy", .array(s.silencedBy.map { .string($0) })),
                ("state", .string(s.state.rawValue)),
            ])),
            ("updatedAt", .string(millis(a.updatedAt))),
        ]
        if !a.generatorURL.isEmpty { fields.append(("generatorURL", .string(a.generatorURL))) }
        fields.append(("labels", .map(a.labels)))
        return .object(fields)
    }

    /// RFC 3339 with exactly three fractional digits, UTC.
    static func millis(_ d: Date) -> String {
        let s = GoJSON.rfc3339Nano(Date(timeIntervalSince1970: (d.timeIntervalSince1970 * 1000).rounded(.down) / 1000))
        guard s.hasSuffix("Z") else { return s }
        let body = s.dropLast()
        if let dot = body.firstIndex(of: ".") {
            let frac = body[body.index(after: dot)...]
            return String(body[..<dot]) + "." + String((frac + "000").prefix(3)) + "Z"
        }
        return body + ".000Z"
    }

    // MARK: Decoding

    /// POST /api/v2/alerts: a JSON array of postable alerts.
    public static func decodeAlerts(_ body: Data) throws(BadRequest) -> [PostableAlert] {
        guard let list = try? JSONSerialization.jsonObject(with: body) as? [[String: Any]] else {
            throw BadRequest(description: "body must be a JSON array of alerts")
        }
        var out: [PostableAlert] = []
        for item in list {
            guard let labels = item["labels"] as? [String: String] else { throw BadRequest(description: "labels in body is required") }
            var a = PostableAlert(labels: labels, annotations: item["annotations"] as? [String: String] ?? [:])
            a.generatorURL = item["generatorURL"] as? String ?? ""
            a.startsAt = try time(item["startsAt"], "startsAt")
            a.endsAt = try time(item["endsAt"], "endsAt")
            out.append(a)
        }
        return out
    }

    /// POST /api/v2/silences: a postable silence (an `id` updates that silence).
    public static func decodeSilence(_ body: Data) throws(BadRequest) -> Silence {
        guard let o = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw BadRequest(description: "body must be a JSON silence")
        }
        guard let raw = o["matchers"] as? [[String: Any]] else { throw BadRequest(description: "matchers in body is required") }
        var matchers: [Matcher] = []
        for m in raw {
            guard let name = m["name"] as? String, let value = m["value"] as? String, let isRegex = m["isRegex"] as? Bool else {
                throw BadRequest(description: "matchers need name, value and isRegex")
            }
            let isEqual = m["isEqual"] as? Bool ?? true
            let type: Matcher.MatchType = isRegex ? (isEqual ? .regexp : .notRegexp) : (isEqual ? .equal : .notEqual)
            do { matchers.append(try Matcher(type, name, value)) } catch { throw BadRequest(description: error.message) }
        }
        guard let starts = try time(o["startsAt"], "startsAt") else { throw BadRequest(description: "startsAt in body is required") }
        guard let ends = try time(o["endsAt"], "endsAt") else { throw BadRequest(description: "endsAt in body is required") }
        return Silence(
            id: o["id"] as? String ?? "", matchers: matchers, startsAt: starts, endsAt: ends,
            createdBy: o["createdBy"] as? String ?? "", comment: o["comment"] as? String ?? "")
    }

    static func time(_ v: Any?, _ field: String) throws(BadRequest) -> Date? {
        guard let s = v as? String, !s.isEmpty else { return nil }
        if let d = parseRFC3339(s) { return d }
        throw BadRequest(description: "\(field) in body must be of type date-time: \(GoQuote.quote(s))")
    }

    /// RFC 3339 with or without fractional seconds, any offset.
    public static func parseRFC3339(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return d }
        // More than millisecond precision: parse the whole seconds and add the fraction.
        guard let dot = s.firstIndex(of: "."),
              let end = s[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }),
              let base = f.date(from: String(s[..<dot]) + String(s[end...])),
              let frac = Double("0" + s[dot..<end])
        else { return nil }
        return base.addingTimeInterval(frac)
    }
}
