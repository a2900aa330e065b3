import Yams
/// The checks Alertmanager 0.25's `Config.UnmarshalYAML` runs once the whole file is decoded:
/// unique receiver names, global URLs filled into receivers, the root route's rules,
/// receivers and time intervals that exist.
extension ConfigLoader {
    static func validate(_ c: inout AlertmanagerConfig, routeNode: Node?, reader r: YAMLReader) throws(ConfigError) {
        func fail(_ m: String) -> ConfigError { r.fatal(m, at: routeNode) }
        let g = c.global
        if g.slackAPIURL != nil && !g.slackAPIURLFile.isEmpty {
            throw ConfigError(file: r.file, message: "at most one of slack_api_url & slack_api_url_file must be configured")
        }
        if g.smtpAuthPassword != nil && !g.smtpAuthPasswordFile.isEmpty {
            throw ConfigError(file: r.file, message: "at most one of smtp_auth_password & smtp_auth_password_file must be configured")
        }
        var names = Set<String>()
        for i in c.receivers.indices {
            let name = c.receivers[i].name
            if names.contains(name) { throw ConfigError(file: r.file, message: "notification config name \(GoQuote.quote(name)) is not unique") }
            for e in c.receivers[i].emailConfigs {
                if e.smarthost.isEmpty && g.smtpSmarthost.isEmpty { throw ConfigError(file: r.file, message: "no global SMTP smarthost set") }
                if e.from.isEmpty && g.smtpFrom.isEmpty { throw ConfigError(file: r.file, message: "no global SMTP from set") }
            }
            for j in c.receivers[i].slackConfigs.indices {
                if c.receivers[i].slackConfigs[j].httpConfig == nil { c.receivers[i].slackConfigs[j].httpConfig = g.httpConfig }
                if c.receivers[i].slackConfigs[j].apiURL == nil && c.receivers[i].slackConfigs[j].apiURLFile.isEmpty {
                    if g.slackAPIURL == nil && g.slackAPIURLFile.isEmpty {
                        throw ConfigError(file: r.file, message: "no global Slack API URL set either inline or in a file")
                    }
                    c.receivers[i].slackConfigs[j].apiURL = g.slackAPIURL
                    c.receivers[i].slackConfigs[j].apiURLFile = g.slackAPIURLFile
                }
            }
            for j in c.receivers[i].pagerdutyConfigs.indices {
                if c.receivers[i].pagerdutyConfigs[j].httpConfig == nil { c.receivers[i].pagerdutyConfigs[j].httpConfig = g.httpConfig }
                if c.receivers[i].pagerdutyConfigs[j].url.isEmpty { c.receivers[i].pagerdutyConfigs[j].url = g.pagerdutyURL }
            }
            for j in c.receivers[i].webhookConfigs.indices where c.receivers[i].webhookConfigs[j].httpConfig == nil {
                c.receivers[i].webhookConfigs[j].httpConfig = g.httpConfig
            }
            names.insert(name)
        }
        guard routeNode != nil, !YAMLReader.isNull(routeNode!) else { throw ConfigError(file: r.file, message: "no routes provided") }
        let root = c.route
        if root.receiver.isEmpty { throw fail("root route must specify a default receiver") }
        if !root.match.isEmpty || !root.matchRE.isEmpty || !root.matchers.isEmpty { throw fail("root route must not have any matchers") }
        if !root.muteTimeIntervals.isEmpty { throw fail("root route must not have any mute time intervals") }
        if !root.activeTimeIntervals.isEmpty { throw fail("root route must not have any active time intervals") }
        if let bad = firstUndefinedReceiver(root, names) {
            throw ConfigError(file: r.file, line: bad.line, column: bad.column, message: "undefined receiver \(GoQuote.quote(bad.receiver)) used in route")
        }
        var intervalNames = Set<String>()
        for mt in c.muteTimeIntervals {
            if !intervalNames.insert(mt.name).inserted { throw ConfigError(file: r.file, message: "mute time interval \(GoQuote.quote(mt.name)) is not unique") }
        }
        for ti in c.timeIntervals {
            if !intervalNames.insert(ti.name).inserted { throw ConfigError(file: r.file, message: "time interval \(GoQuote.quote(ti.name)) is not unique") }
        }
        if root.continue { throw fail("cannot have continue in root route") }
        if let (bad, at) = firstUndefinedInterval(root, intervalNames) {
            throw ConfigError(file: r.file, line: at.line, column: at.column, message: "undefined time interval \(GoQuote.quote(bad)) used in route")
        }
    }

    /// Children first, as Alertmanager's checkReceiver walks.
    static func firstUndefinedReceiver(_ r: RouteConfig, _ names: Set<String>) -> RouteConfig? {
        for sub in r.routes { if let bad = firstUndefinedReceiver(sub, names) { return bad } }
        if r.receiver.isEmpty || names.contains(r.receiver) { return nil }
        return r
    }

    static func firstUndefinedInterval(_ r: RouteConfig, _ names: Set<String>) -> (String, RouteConfig)? {
        for sub in r.routes { if let bad = firstUndefinedInterval(sub, names) { return bad } }
        for n in r.activeTimeIntervals + r.muteTimeIntervals where !names.contains(n) { return (n, r) }
        return nil
    }
}
