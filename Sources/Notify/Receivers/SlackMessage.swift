import Template

/// The Slack incoming-webhook body Alertmanager 0.25 posts, field for field.
enum SlackMessage {
    static func body(_ conf: SlackConfig, context: NotificationContext, templates: TemplateSet) throws(TemplateError) -> String {
        var t = FieldRenderer(templates: templates, data: context.templateData())
        let mrkdwnIn = conf.mrkdwnIn.isEmpty ? ["fallback", "pretext", "text"] : conf.mrkdwnIn
        let (title, _) = truncateRunes(t(conf.title), 1024)
        var att: [(String, GoJSON)] = []
        func opt(_ k: String, _ v: String) { if !v.isEmpty { att.append((k, .string(v))) } }
        opt("title", title)
        opt("title_link", t(conf.titleLink))
        opt("pretext", t(conf.pretext))
        att.append(("text", .string(t(conf.text))))
        att.append(("fallback", .string(t(conf.fallback))))
        att.append(("callback_id", .string(t(conf.callbackID))))
        if !conf.fields.isEmpty {
            att.append(("fields", .array(conf.fields.map { f in
                .object([("title", .string(t(f.title))), ("value", .string(t(f.value))), ("short", .bool(f.short ?? conf.shortFields))])
            })))
        }
        if !conf.actions.isEmpty {
            att.append(("actions", .array(conf.actions.map { a in
                var o: [(String, GoJSON)] = []
                func aopt(_ k: String, _ v: String) { if !v.isEmpty { o.append((k, .string(v))) } }
                aopt("type", t(a.type)); aopt("text", t(a.text)); aopt("url", t(a.url))
                aopt("style", t(a.style)); aopt("name", t(a.name)); aopt("value", t(a.value))
                if let c = a.confirm {
                    var co: [(String, GoJSON)] = [("text", .string(t(c.text)))]
                    let title = t(c.title), ok = t(c.okText), dismiss = t(c.dismissText)
                    if !title.isEmpty { co.append(("title", .string(title))) }
                    if !ok.isEmpty { co.append(("ok_text", .string(ok))) }
                    if !dismiss.isEmpty { co.append(("dismiss_text", .string(dismiss))) }
                    o.append(("confirm", .object(co)))
                }
                return .object(o)
            })))
        }
        opt("image_url", t(conf.imageURL))
        opt("thumb_url", t(conf.thumbURL))
        att.append(("footer", .string(t(conf.footer))))
        opt("color", t(conf.color))
        att.append(("mrkdwn_in", .array(mrkdwnIn.map { .string($0) })))

        var req: [(String, GoJSON)] = []
        func ropt(_ k: String, _ v: String) { if !v.isEmpty { req.append((k, .string(v))) } }
        ropt("channel", t(conf.channel))
        ropt("username", t(conf.username))
        ropt("icon_emoji", t(conf.iconEmoji))
        ropt("icon_url", t(conf.iconURL))
        if conf.linkNames { req.append(("link_names", .bool(true))) }
        req.append(("attachments", .array([.object(att)])))
        if let e = t.error { throw e }
        return GoJSON.object(req).encoded
    }
}
