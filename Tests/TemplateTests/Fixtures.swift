@testable import Template

/// The data the oracle cases were rendered with (see OracleCases.swift).
enum Fixtures {
    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, ns: Int32 = 0) -> TemplateTime {
        let days = TimeFormat.daysFromCivil(y, mo, d)
        return TemplateTime(seconds: days * 86400 + Int64(h * 3600 + mi * 60 + s), nanoseconds: ns)
    }

    private static func alert(_ status: String, _ host: String, starts: TemplateTime, ends: TemplateTime, fingerprint: String)
        -> AlertmanagerTemplateData.Alert
    {
        AlertmanagerTemplateData.Alert(
            status: status,
            labels: ["alertname": "InstanceDown", "instance": "\(host):9100", "job": "node", "severity": "critical"],
            annotations: [
                "summary": "Instance \(host):9100 down",
                "description": "\(host):9100 of job node has been down for more than 5 minutes.",
            ],
            startsAt: starts, endsAt: ends,
            generatorURL: "http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1",
            fingerprint: fingerprint)
    }

    /// Mirrors the JSON given to `amtool template render --template.data`.
    static var alertmanagerData: AlertmanagerTemplateData {
        var alerts: [AlertmanagerTemplateData.Alert] = []
        alerts.append(alert("firing", "host1", starts: utc(2024, 3, 5, 14, 3, 7, ns: 123_456_789), ends: .zero, fingerprint: "a1b2c3d4e5f60718"))
        alerts.append(alert("firing", "host2", starts: utc(2024, 3, 5, 14, 5, 0), ends: .zero, fingerprint: "0f1e2d3c4b5a6978"))
        alerts.append(
            alert("resolved", "host3", starts: utc(2024, 3, 5, 13, 0, 0), ends: utc(2024, 3, 5, 14, 0, 0, ns: 500_000_000),
                  fingerprint: "1234567890abcdef"))
        return AlertmanagerTemplateData(
            receiver: "slack-critical", status: "firing", alerts: alerts,
            groupLabels: ["alertname": "InstanceDown"],
            commonLabels: ["alertname": "InstanceDown", "job": "node", "severity": "critical"],
            commonAnnotations: [:], externalURL: "http://alertmanager.example.com:9093")
    }

    /// Mirrors the promtool test: alert labels, external labels and URL, value 1234567.
    static var prometheusData: PrometheusTemplateData {
        PrometheusTemplateData(
            labels: ["instance": "host1.example.com:9090"], externalLabels: ["cluster": "eu1"],
            externalURL: "http://prom.example.com:9090/prom", value: 1_234_567)
    }

    /// Answers the queries the promtool cases make, as the test's input series did.
    static let query: TemplateQueryFunction = { q in
        let b = TemplateSample(labels: ["__name__": "test_metric", "job": "api", "instance": "b:1"], value: 3)
        let a = TemplateSample(labels: ["__name__": "test_metric", "job": "api", "instance": "a:1"], value: 1.5)
        let c = TemplateSample(labels: ["__name__": "test_metric", "job": "web", "instance": "c:1"], value: 2)
        switch q {
        case "test_metric": return [b, a, c]
        case "sort_desc(test_metric)": return [b, c, a]
        case "scalar(vector(5))": return [TemplateSample(labels: [:], value: 5)]
        case "test_metric{": throw TemplateFunctionError("1:13: parse error: unexpected end of input inside braces")
        default: return []
        }
    }
}
