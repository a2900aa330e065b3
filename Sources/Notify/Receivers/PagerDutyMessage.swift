import Template

/// Alertmanager 0.25's PagerDuty Events API v2 body: trigger or resolve, the group key's
/// SHA-256 as dedup key, templated summary, details, links and images.
enum PagerDutyMessage {
    static func body(_ conf: PagerdutyConfig, context: NotificationContext, templates: TemplateSet) throws(TemplateError) -> String {
        let data = context.templateData()
        var t = FieldRenderer(templates: templates, data: data)
        let eventAction = context.status == "resolved" ? "resolve" : "trigger"
        // Details are rendered first, each on its own (ExecuteTextString), as in Notify().
        var details: [String: String] = [:]
        for (k, v) in conf.details {
            do { details[k] = try templates.executeText(v, data: data.templateValue) } catch { throw error }
        }
        if conf.usesV1 { return try v1Body(conf, context: context, details: details, templates: templates) }
        let severity = conf.severity.isEmpty ? "error" : conf.severity
        let (summary, _) = truncateRunes(t(conf.description), 1024)
        var msg: [(String, GoJSON)] = []
        let routingKey = t(conf.routingKey?.value ?? "")
        if !routingKey.isEmpty { msg.append(("routing_key", .string(routingKey))) }
        msg.append(("dedup_key", .string(SHA256.hex(context.groupKey))))
        msg.append(("event_action", .string(eventAction)))
        var payload: [(String, GoJSON)] = [
            ("summary", .string(summary)),
            ("source", .string(t(conf.source))),
            ("severity", .string(t(severity))),
        ]
        let cls = t(conf.class), component = t(conf.component), group = t(conf.group)
        if !cls.isEmpty { payload.append(("class", .string(cls))) }
        if !component.isEmpty { payload.append(("component", .string(component))) }
        if !group.isEmpty { payload.append(("group", .string(group))) }
        if !details.isEmpty { payload.append(("custom_details", .map(details))) }
        msg.append(("payload", .object(payload)))
        let client = t(conf.client), clientURL = t(conf.clientURL)
        if !client.isEmpty { msg.append(("client", .string(client))) }
        if !clientURL.isEmpty { msg.append(("client_url", .string(clientURL))) }
        let images: [GoJSON] = conf.images.compactMap { i in
            let src = t(i.src), alt = t(i.alt), href = t(i.href)
            return src.isEmpty ? nil : .object([("src", .string(src)), ("alt", .string(alt)), ("href", .string(href))])
        }
        let links: [GoJSON] = conf.links.compactMap { l in
            let href = t(l.href), text = t(l.text)
            return href.isEmpty ? nil : .object([("href", .string(href)), ("text", .string(text))])
        }
        if !images.isEmpty { msg.append(("images", .array(images))) }
        if !links.isEmpty { msg.append(("links", .array(links))) }
        if let e = t.error { throw e }
        return GoJSON.object(msg).encoded
    }

    /// Events API v1 (service_key): incident_key instead of dedup_key, no payload.
    static func v1Body(
        _ conf: PagerdutyConfig, context: NotificationContext, details: [String: String], templates: TemplateSet
    ) throws(TemplateError) -> String {
        var t = FieldRenderer(templates: templates, data: context.templateData())
        let trigger = context.status != "resolved"
        let (description, _) = truncateRunes(t(conf.description), 1024)
        var msg: [(String, GoJSON)] = []
        let serviceKey = t(conf.serviceKey?.value ?? "")
        if !serviceKey.isEmpty { msg.append(("service_key", .string(serviceKey))) }
        msg.append(("incident_key", .string(SHA256.hex(context.groupKey))))
        msg.append(("event_type", .string(trigger ? "trigger" : "resolve")))
        if !description.isEmpty { msg.append(("description", .string(description))) }
        msg.append(("event_action", .string("")))
        msg.append(("payload", .null))
        if trigger {
            let client = t(conf.client), clientURL = t(conf.clientURL)
            if !client.isEmpty { msg.append(("client", .string(client))) }
            if !clientURL.isEmpty { msg.append(("client_url", .string(clientURL))) }
        }
        if !details.isEmpty { msg.append(("details", .map(details))) }
        if let e = t.error { throw e }
        return GoJSON.object(msg).encoded
    }
}
