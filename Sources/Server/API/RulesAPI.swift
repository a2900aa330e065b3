import Hummingbird
import PromQL
import Rules
import TSDB

/// `/api/v1/rules` and `/api/v1/alerts`, field for field as Prometheus 2.42 writes them.
enum RulesAPI {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext) {
        router.api("/api/v1/rules", methods: [.get]) { request throws(APIError) in
            let form = try await ctx.form(request)
            let type = form["type"].lowercased()
            guard type == "" || type == "alert" || type == "record" else {
                throw .invalidParameter("type", "not supported value \(GoJSON.quote(type))")
            }
            return APIResponse.success(data: rulesJSON(ctx.rules.groups, alerts: type != "record", recording: type != "alert"))
        }
        router.api("/api/v1/alerts", methods: [.get]) { _ throws(APIError) in
            var out = "{\"alerts\":["
            var first = true
            for g in ctx.rules.groups {
                for case .alerting(let a) in g.rules {
                    for alert in a.activeAlerts {
                        if !first { out += "," }
                        first = false
                        appendAlert(alert, to: &out)
                    }
                }
            }
            return APIResponse.success(data: out + "]}")
        }
    }

    static func rulesJSON(_ groups: [RuleGroup], alerts: Bool, recording: Bool) -> String {
        var out = "{\"groups\":["
        for (gi, g) in groups.enumerated() {
            if gi > 0 { out += "," }
            out += "{\"name\":" + GoJSON.quote(g.name) + ",\"file\":" + GoJSON.quote(g.file) + ",\"rules\":["
            var first = true
            for r in g.rules {
                switch r {
                case .alerting(let a) where alerts:
                    if !first { out += "," }
                    first = false
                    appendAlertingRule(a, status: r.status, to: &out)
                case .recording(let rr) where recording:
                    if !first { out += "," }
                    first = false
                    appendRecordingRule(rr, status: r.status, to: &out)
                default: break
                }
            }
            out += "],\"interval\":" + GoJSON.float(Double(g.interval) / 1000)
            out += ",\"limit\":\(g.limit)"
            out += ",\"evaluationTime\":" + GoJSON.float(g.evaluationSeconds)
            out += ",\"lastEvaluation\":" + GoJSON.time(milliseconds: g.lastEvaluation) + "}"
        }
        return out + "]}"
    }

    static func sortedObject(_ pairs: [(String, String)]) -> String {
        var d: [String: String] = [:]
        for (k, v) in pairs { d[k] = v }
        return GoJSON.stringObject(d.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) })
    }

    static func appendAlertingRule(_ a: AlertingRule, status: RuleRunStatus, to out: inout String) {
        out += "{\"state\":" + GoJSON.quote(a.ruleState.name)
        out += ",\"name\":" + GoJSON.quote(a.name)
        out += ",\"query\":" + GoJSON.quote(a.query)
        out += ",\"duration\":" + GoJSON.float(Double(a.holdDuration) / 1000)
        out += ",\"keepFiringFor\":" + GoJSON.float(Double(a.keepFiringFor) / 1000)
        out += ",\"labels\":" + sortedObject(a.labels)
        out += ",\"annotations\":" + sortedObject(a.annotations)
        out += ",\"alerts\":["
        for (i, alert) in a.activeAlerts.enumerated() {
            if i > 0 { out += "," }
            appendAlert(alert, to: &out)
        }
        out += "]"
        appendStatus(status, to: &out)
        out += ",\"type\":\"alerting\"}"
    }

    static func appendRecordingRule(_ r: RecordingRule, status: RuleRunStatus, to out: inout String) {
        out += "{\"name\":" + GoJSON.quote(r.name)
        out += ",\"query\":" + GoJSON.quote(r.query)
        let labels = r.labels.filter { !$0.1.isEmpty }
        if !labels.isEmpty { out += ",\"labels\":" + sortedObject(labels) }
        appendStatus(status, to: &out)
        out += ",\"type\":\"recording\"}"
    }

    static func appendStatus(_ s: RuleRunStatus, to out: inout String) {
        out += ",\"health\":" + GoJSON.quote(s.health.rawValue)
        if let e = s.lastError { out += ",\"lastError\":" + GoJSON.quote(e) }
        out += ",\"evaluationTime\":" + GoJSON.float(s.evaluationSeconds)
        out += ",\"lastEvaluation\":" + GoJSON.time(milliseconds: s.lastEvaluation)
    }

    static func appendAlert(_ a: Alert, to out: inout String) {
        out += "{\"labels\":"
        QueryResultJSON.appendLabels(a.labels, to: &out)
        out += ",\"annotations\":" + GoJSON.stringObject(a.annotations.map { ($0.name, $0.value) })
        out += ",\"state\":" + GoJSON.quote(a.state.name)
        out += ",\"activeAt\":" + GoJSON.time(milliseconds: a.activeAt)
        if let k = a.keepFiringSince { out += ",\"keepFiringSince\":" + GoJSON.time(milliseconds: k) }
        out += ",\"value\":" + GoJSON.quote(formatFloatE(a.value)) + "}"
    }
}
