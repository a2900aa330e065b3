import Yams

/// `receivers:` entries: Slack, PagerDuty and webhook configs in full; the other
/// integrations of Alertmanager 0.25 are accepted (so existing files load) and reported as
/// not sent by Vigil.
enum ReceiverDecoder {
    static let otherIntegrations: Set<String> = [
        "opsgenie_configs", "wechat_configs", "pushover_configs", "victorops_configs",
        "sns_configs", "telegram_configs", "webex_configs", "discord_configs",
    ]

    static func decode(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> ReceiverConfig {
        var rc = ReceiverConfig()
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "name": rc.name = r.string(v)
            case "slack_configs":
                for n in ConfigLoader.sequence(v, &r, "[]*config.SlackConfig") { rc.slackConfigs.append(try slack(n, &r)) }
            case "pagerduty_configs":
                for n in ConfigLoader.sequence(v, &r, "[]*config.PagerdutyConfig") { rc.pagerdutyConfigs.append(try pagerduty(n, &r)) }
            case "webhook_configs":
                for n in ConfigLoader.sequence(v, &r, "[]*config.WebhookConfig") { rc.webhookConfigs.append(try webhook(n, &r)) }
            case "email_configs":
                for n in ConfigLoader.sequence(v, &r, "[]*config.EmailConfig") {
                    var e = (to: "", smarthost: "", from: "")
                    if case .mapping(let m) = n {
                        for (k, val) in m {
                            switch k.string {
                            case "to": e.to = r.string(val)
                            case "smarthost": e.smarthost = r.string(val)
                            case "from": e.from = r.string(val)
                            default: break
                            }
                        }
                    }
                    if e.to.isEmpty { throw r.fatal("missing to address in email config", at: n) }
                    rc.emailConfigs.append(e)
                }
                if !rc.emailConfigs.isEmpty { rc.unsupportedIntegrations.append("email") }
            case _ where otherIntegrations.contains(key):
                let count = ConfigLoader.sequence(v, &r, "[]*config.Config").count
                if count > 0 { rc.unsupportedIntegrations.append(String(key.dropLast("_configs".count))) }
            default: return false
            }
            return true
        }
        if ok && rc.name.isEmpty { throw r.fatal("missing name in receiver", at: node) }
        return rc
    }

    static func slack(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> SlackConfig {
        var c = SlackConfig()
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "send_resolved": c.sendResolved = r.bool(v)
            case "http_config": c.httpConfig = try HTTPConfigDecoder.decode(v, &r)
            case "api_url": c.apiURL = try r.url(v).map(Secret.init)
            case "api_url_file": c.apiURLFile = r.string(v)
            case "channel": c.channel = r.string(v)
            case "username": c.username = r.string(v)
            case "color": c.color = r.string(v)
            case "title": c.title = r.string(v)
            case "title_link": c.titleLink = r.string(v)
            case "pretext": c.pretext = r.string(v)
            case "text": c.text = r.string(v)
            case "fields":
                for n in ConfigLoader.sequence(v, &r, "[]*config.SlackField") { c.fields.append(try slackField(n, &r)) }
            case "short_fields": c.shortFields = r.bool(v)
            case "footer": c.footer = r.string(v)
            case "fallback": c.fallback = r.string(v)
            case "callback_id": c.callbackID = r.string(v)
            case "icon_emoji": c.iconEmoji = r.string(v)
            case "icon_url": c.iconURL = r.string(v)
            case "image_url": c.imageURL = r.string(v)
            case "thumb_url": c.thumbURL = r.string(v)
            case "link_names": c.linkNames = r.bool(v)
            case "mrkdwn_in": c.mrkdwnIn = r.stringList(v)
            case "actions":
                for n in ConfigLoader.sequence(v, &r, "[]*config.SlackAction") { c.actions.append(try slackAction(n, &r)) }
            default: return false
            }
            return true
        }
        if ok && c.apiURL != nil && !c.apiURLFile.isEmpty {
            throw r.fatal("at most one of api_url & api_url_file must be configured", at: node)
        }
        return c
    }

    static func slackField(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> SlackField {
        var f = SlackField()
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "title": f.title = r.string(v)
            case "value": f.value = r.string(v)
            case "short": f.short = YAMLReader.isNull(v) ? nil : r.bool(v)
            default: return false
            }
            return true
        }
        if ok && f.title.isEmpty { throw r.fatal("missing title in Slack field configuration", at: node) }
        if ok && f.value.isEmpty { throw r.fatal("missing value in Slack field configuration", at: node) }
        return f
    }

    static func slackAction(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> SlackAction {
        var a = SlackAction()
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "type": a.type = r.string(v)
            case "text": a.text = r.string(v)
            case "url": a.url = r.string(v)
            case "style": a.style = r.string(v)
            case "name": a.name = r.string(v)
            case "value": a.value = r.string(v)
            case "confirm":
                var cf = SlackConfirmationField()
                let cok = try r.fields(v) { (r, key, v) throws(ConfigError) in
                    switch key {
                    case "text": cf.text = r.string(v)
                    case "title": cf.title = r.string(v)
                    case "ok_text": cf.okText = r.string(v)
                    case "dismiss_text": cf.dismissText = r.string(v)
                    default: return false
                    }
                    return true
                }
                if cok && cf.text.isEmpty { throw r.fatal("missing text in Slack confirmation configuration", at: v) }
                a.confirm = cf
            default: return false
            }
            return true
        }
        guard ok else { return a }
        if a.type.isEmpty { throw r.fatal("missing type in Slack action configuration", at: node) }
        if a.text.isEmpty { throw r.fatal("missing text in Slack action configuration", at: node) }
        if !a.url.isEmpty {
            a.name = ""
            a.value = ""
            a.confirm = nil
        } else if a.name.isEmpty {
            throw r.fatal("missing name or url in Slack action configuration", at: node)
        }
        return a
    }

    static func pagerduty(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> PagerdutyConfig {
        var c = PagerdutyConfig()
        var details: [(String, String)]?
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "send_resolved": c.sendResolved = r.bool(v)
            case "http_config": c.httpConfig = try HTTPConfigDecoder.decode(v, &r)
            case "service_key": c.serviceKey = Secret(r.string(v))
            case "routing_key": c.routingKey = Secret(r.string(v))
            case "url":
                c.url = try r.url(v) ?? ""
                c.urlSetInReceiver = !c.url.isEmpty
            case "client": c.client = r.string(v)
            case "client_url": c.clientURL = r.string(v)
            case "description": c.description = r.string(v)
            case "details": details = YAMLReader.isNull(v) ? nil : r.stringMap(v)
            case "images":
                for n in ConfigLoader.sequence(v, &r, "[]config.PagerdutyImage") {
                    var img = (src: "", alt: "", href: "")
                    _ = try r.fields(n, type: "config.PagerdutyImage") { (r, key, v) throws(ConfigError) in
                        switch key {
                        case "src": img.src = r.string(v)
                        case "alt": img.alt = r.string(v)
                        case "href": img.href = r.string(v)
                        default: return false
                        }
                        return true
                    }
                    c.images.append(img)
                }
            case "links":
                for n in ConfigLoader.sequence(v, &r, "[]config.PagerdutyLink") {
                    var link = (href: "", text: "")
                    _ = try r.fields(n, type: "config.PagerdutyLink") { (r, key, v) throws(ConfigError) in
                        switch key {
                        case "href": link.href = r.string(v)
                        case "text": link.text = r.string(v)
                        default: return false
                        }
                        return true
                    }
                    c.links.append(link)
                }
            case "source": c.source = r.string(v)
            case "severity": c.severity = r.string(v)
            case "class": c.class = r.string(v)
            case "component": c.component = r.string(v)
            case "group": c.group = r.string(v)
            default: return false
            }
            return true
        }
        guard ok else { return c }
        if (c.routingKey?.value ?? "").isEmpty && (c.serviceKey?.value ?? "").isEmpty {
            throw r.fatal("missing service or routing key in PagerDuty config", at: node)
        }
        if var d = details {
            for (k, v) in PagerdutyConfig.defaultDetails where !d.contains(where: { $0.0 == k }) { d.append((k, v)) }
            c.details = d
        }
        if c.source.isEmpty { c.source = c.client }
        return c
    }

    static func webhook(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> WebhookConfig {
        var c = WebhookConfig()
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "send_resolved": c.sendResolved = r.bool(v)
            case "http_config": c.httpConfig = try HTTPConfigDecoder.decode(v, &r)
            case "url": c.url = try r.url(v).map(Secret.init)
            case "url_file": c.urlFile = r.string(v)
            case "max_alerts": c.maxAlerts = r.uint64(v)
            default: return false
            }
            return true
        }
        guard ok else { return c }
        if c.url == nil && c.urlFile.isEmpty { throw r.fatal("one of url or url_file must be configured", at: node) }
        if c.url != nil && !c.urlFile.isEmpty { throw r.fatal("at most one of url & url_file must be configured", at: node) }
        return c
    }
}

/// prometheus/common's `http_config` (v0.38, what Alertmanager 0.25 ships).
enum HTTPConfigDecoder {
    static func decode(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> HTTPClientConfig {
        var h = HTTPClientConfig()
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "basic_auth":
                var ba = (username: "", password: Secret?.none, passwordFile: "")
                _ = try r.fields(v, type: "config.BasicAuth") { (r, key, v) throws(ConfigError) in
                    switch key {
                    case "username": ba.username = r.string(v)
                    case "password": ba.password = Secret(r.string(v))
                    case "password_file": ba.passwordFile = r.string(v)
                    default: return false
                    }
                    return true
                }
                h.basicAuth = ba
            case "authorization":
                var au = (type: "Bearer", credentials: Secret?.none, credentialsFile: "")
                _ = try r.fields(v, type: "config.Authorization") { (r, key, v) throws(ConfigError) in
                    switch key {
                    case "type": let t = r.string(v); if !t.isEmpty { au.type = t }
                    case "credentials": au.credentials = Secret(r.string(v))
                    case "credentials_file": au.credentialsFile = r.string(v)
                    default: return false
                    }
                    return true
                }
                h.authorization = au
            case "bearer_token": h.bearerToken = Secret(r.string(v))
            case "bearer_token_file": h.bearerTokenFile = r.string(v)
            case "proxy_url": h.proxyURL = r.string(v)
            case "follow_redirects": h.followRedirects = r.bool(v)
            case "enable_http2", "no_proxy", "proxy_from_environment": _ = r.string(v)
            case "proxy_connect_header", "oauth2": break
            case "tls_config":
                _ = try r.fields(v) { (r, key, v) throws(ConfigError) in
                    switch key {
                    case "ca_file": h.tlsCAFile = r.string(v)
                    case "cert_file": h.tlsCertFile = r.string(v)
                    case "key_file": h.tlsKeyFile = r.string(v)
                    case "server_name": h.tlsServerName = r.string(v)
                    case "insecure_skip_verify": h.tlsInsecureSkipVerify = r.bool(v)
                    case "min_version", "ca", "cert", "key": _ = r.string(v)
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        guard ok else { return h }
        let authCount = [h.basicAuth != nil, h.authorization != nil, h.bearerToken != nil || !h.bearerTokenFile.isEmpty].filter { $0 }.count
        if h.bearerToken != nil && !h.bearerTokenFile.isEmpty {
            throw r.fatal("at most one of bearer_token & bearer_token_file must be configured", at: node)
        }
        if authCount > 1 {
            throw r.fatal("at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured", at: node)
        }
        return h
    }
}
