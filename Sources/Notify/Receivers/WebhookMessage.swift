

/// Alertmanager 0.25's webhook body (version 4): the template data, then version, groupKey
/// and how many alerts `max_alerts` cut off.
enum WebhookMessage {
    static func body(_ conf: WebhookConfig, context: NotificationContext) -> String {
        var alerts = context.alerts
        var truncated: UInt64 = 0
        if conf.maxAlerts > 0 && UInt64(alerts.count) > conf.maxAlerts {
            truncated = UInt64(alerts.count) - conf.maxAlerts
            alerts = Array(alerts.prefix(Int(conf.maxAlerts)))
        }
        // Alertmanager truncates first: status and common labels describe the alerts sent.
        let data = context.templateData(alerts: alerts)
        let full = data
        let alertObjects: [GoJSON] = zip(alerts, data.alerts).map { a, d in
            .object([
                ("status", .string(d.status)),
                ("labels", .map(a.labels)),
                ("annotations", .map(a.annotations)),
                ("startsAt", .time(a.startsAt)),
                ("endsAt", .time(a.endsAt)),
                ("generatorURL", .string(a.generatorURL)),
                ("fingerprint", .string(a.fingerprint.description)),
            ])
        }
        return GoJSON.object([
            ("receiver", .string(full.receiver)),
            ("status", .string(full.status)),
            ("alerts", .array(alertObjects)),
            ("groupLabels", .map(full.groupLabels)),
            ("commonLabels", .map(full.commonLabels)),
            ("commonAnnotations", .map(full.commonAnnotations)),
            ("externalURL", .string(full.externalURL)),
            ("version", .string("4")),
            ("groupKey", .string(context.groupKey)),
            ("truncatedAlerts", .uint(truncated)),
        ]).encoded
    }
}
