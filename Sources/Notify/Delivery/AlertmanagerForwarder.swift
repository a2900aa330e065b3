import Foundation

/// Sends alerts to external Alertmanagers (prometheus.yml's `alerting.alertmanagers`) over
/// their API v2, as Prometheus's notifier does: one POST of the batch to each target in
/// parallel, no retry (the rules engine re-sends firing alerts anyway), a failing target not
/// holding up the others. Targets that are Vigil itself are
/// dropped, so alerts are not notified twice.
public struct AlertmanagerForwarder: Sendable {
    public let targets: [String]
    let sender: HTTPSender
    let policy: RetryPolicy

    /// `targets` are base URLs (`http://am-1:9093`, with any path prefix); `ownAddress` is
    /// Vigil's `--web.listen-address`.
    public init(targets: [String], ownAddress: String?, sender: HTTPSender = HTTPSender(), policy: RetryPolicy = RetryPolicy(attemptTimeout: .seconds(10))) {
        self.targets = targets.filter { t in ownAddress.map { !AlertmanagerForwarder.isSelf(t, ownAddress: $0) } ?? true }
        self.sender = sender
        self.policy = policy
    }

    /// Whether `target` names the same listener as `ownAddress` (`host:port`): loopback
    /// names and the wildcard address count as the same host.
    public static func isSelf(_ target: String, ownAddress: String) -> Bool {
        func split(_ s: String) -> (host: String, port: String)? {
            var rest = Substring(s)
            if let r = rest.range(of: "://") { rest = rest[r.upperBound...] }
            rest = rest.prefix { $0 != "/" }
            guard let colon = rest.lastIndex(of: ":") else { return (String(rest), s.hasPrefix("https") ? "443" : "80") }
            return (String(rest[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), String(rest[rest.index(after: colon)...]))
        }
        guard let t = split(target), let o = split(ownAddress), t.port == o.port else { return false }
        let local: Set<String> = ["", "localhost", "127.0.0.1", "::1", "0.0.0.0", "::"]
        if t.host == o.host { return true }
        if local.contains(t.host) && local.contains(o.host) { return true }
        // Listening on all interfaces: this host's name reaches Vigil too.
        return (o.host.isEmpty || o.host == "0.0.0.0" || o.host == "::") && t.host == ProcessInfo.processInfo.hostName
    }

    /// The API v2 body: a JSON array of postable alerts.
    public static func body(_ alerts: [PostableAlert]) -> String {
        GoJSON.array(alerts.map { a in
            var fields: [(String, GoJSON)] = []
            if !a.annotations.isEmpty { fields.append(("annotations", .map(a.annotations))) }
            if let e = a.endsAt { fields.append(("endsAt", .time(e))) }
            if let s = a.startsAt { fields.append(("startsAt", .time(s))) }
            if !a.generatorURL.isEmpty { fields.append(("generatorURL", .string(a.generatorURL))) }
            fields.append(("labels", .map(a.labels)))
            return .object(fields)
        }).encoded
    }

    /// Posts the batch to every target; returns one result per target, in order.
    public func send(_ alerts: [PostableAlert]) async -> [DeliveryResult] {
        let body = Self.body(alerts)
        return await withTaskGroup(of: (Int, DeliveryResult).self) { group in
            for (i, t) in targets.enumerated() {
                let url = (t.hasSuffix("/") ? String(t.dropLast()) : t) + "/api/v2/alerts"
                group.addTask {
                    (i, await sender.post(url: url, body: body, headers: [], policy: policy, deadline: .now + policy.attemptTimeout, maxAttempts: 1))
                }
            }
            var out = [DeliveryResult?](repeating: nil, count: targets.count)
            for await (i, r) in group { out[i] = r }
            return out.compactMap { $0 }
        }
    }
}
