import Foundation
import Yams

/// Loads alertmanager.yml with Alertmanager 0.25's defaults, errors and their order.
public enum ConfigLoader {
    /// Reads and decodes a file; relative paths in it resolve against its directory.
    public static func load(file path: String) throws(ConfigError) -> AlertmanagerConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "open \(path): no such file or directory")
        }
        var config = try parse(String(decoding: data, as: UTF8.self), file: path)
        config.baseDirectory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        return config
    }

    /// Decodes alertmanager.yml text.
    public static func parse(_ text: String, file: String = "alertmanager.yml") throws(ConfigError) -> AlertmanagerConfig {
        let root: Node?
        let repeated: [String: String]
        do {
            (root, repeated) = try DuplicateKeys.compose(text)
        } catch let e as YamlError {
            throw yamlSyntaxError(e, file: file)
        } catch {
            throw ConfigError(file: file, message: "yaml: \(error)")
        }
        guard let root, !YAMLReader.isNull(root) else {
            throw ConfigError(file: file, message: "no route provided in config")
        }
        var r = YAMLReader(file: file)
        r.repeatedKeys = repeated
        var c = AlertmanagerConfig()
        var routeNode: Node?
        _ = try r.fields(root) { (r, key, v) throws(ConfigError) in
            switch key {
            case "global":
                if !YAMLReader.isNull(v) { c.global = try decodeGlobal(v, &r) }
            case "route":
                routeNode = v
                if !YAMLReader.isNull(v) { c.route = try decodeRoute(v, &r) }
            case "inhibit_rules":
                for n in sequence(v, &r, "[]config.InhibitRule") { c.inhibitRules.append(try decodeInhibitRule(n, &r)) }
            case "receivers":
                for n in sequence(v, &r, "[]config.Receiver") { c.receivers.append(try ReceiverDecoder.decode(n, &r)) }
            case "templates": c.templates = r.stringList(v)
            case "time_intervals":
                for n in sequence(v, &r, "[]config.TimeInterval") { c.timeIntervals.append(try TimeIntervalDecoder.decode(n, &r, what: "time interval")) }
            case "mute_time_intervals":
                for n in sequence(v, &r, "[]config.MuteTimeInterval") { c.muteTimeIntervals.append(try TimeIntervalDecoder.decode(n, &r, what: "mute time interval")) }
            default: return false
            }
            return true
        }
        if let e = r.collectedError() { throw e }
        try validate(&c, routeNode: routeNode, reader: r)
        return c
    }

    static func yamlSyntaxError(_ e: YamlError, file: String) -> ConfigError {
        // go-yaml prints the problem without its context, on the problem's 0-based line for
        // parser errors and 1-based for scanner errors.
        switch e {
        case .scanner(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, message: "yaml: line \(mark.line): " + problem)
        case .parser(let context, let problem, let mark, _):
            var line = mark.line - 1
            if line == 0 { line = context?.mark.line ?? 0 }
            let prefix = line == 0 ? "yaml: " : "yaml: line \(line): "
            return ConfigError(file: file, line: mark.line, column: mark.column, message: prefix + problem)
        case .duplicatedKeysInMapping(let keys, let context):
            let key = keys.first ?? ""
            return ConfigError(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "yaml: unmarshal errors:\n  line \(context.mark.line): key \(GoQuote.quote(key)) already set in map")
        default:
            return ConfigError(file: file, message: "yaml: \(e)")
        }
    }

    static func sequence(_ node: Node, _ r: inout YAMLReader, _ type: String) -> [Node] {
        if YAMLReader.isNull(node) { return [] }
        guard case .sequence(let s) = node else {
            r.typeError(node, "cannot unmarshal \(YAMLReader.describe(node)) into \(type)")
            return []
        }
        return Array(s)
    }

    static func decodeGlobal(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> GlobalConfig {
        var g = GlobalConfig()
        _ = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "resolve_timeout": if let d = try r.duration(v) { g.resolveTimeout = d }
            case "http_config": g.httpConfig = try HTTPConfigDecoder.decode(v, &r)
            case "slack_api_url": g.slackAPIURL = try r.url(v).map(Secret.init)
            case "slack_api_url_file": g.slackAPIURLFile = r.string(v)
            case "pagerduty_url": if let u = try r.url(v) { g.pagerdutyURL = u }
            case "smtp_from": g.smtpFrom = r.string(v)
            case "smtp_hello": g.smtpHello = r.string(v)
            case "smtp_smarthost": g.smtpSmarthost = r.string(v)
            case "smtp_auth_username": g.smtpAuthUsername = r.string(v)
            case "smtp_auth_password": g.smtpAuthPassword = Secret(r.string(v))
            case "smtp_auth_password_file": g.smtpAuthPasswordFile = r.string(v)
            case "smtp_auth_secret": g.smtpAuthSecret = Secret(r.string(v))
            case "smtp_auth_identity": g.smtpAuthIdentity = r.string(v)
            case "smtp_require_tls": g.smtpRequireTLS = r.bool(v)
            case "opsgenie_api_url", "wechat_api_url", "victorops_api_url", "telegram_api_url", "webex_api_url":
                g.other[key] = try r.url(v) ?? ""
            case "opsgenie_api_key", "opsgenie_api_key_file", "wechat_api_secret", "wechat_api_corp_id",
                 "victorops_api_key", "victorops_api_key_file":
                g.other[key] = r.string(v)
            default: return false
            }
            return true
        }
        return g
    }

    static func decodeRoute(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> RouteConfig {
        var rt = RouteConfig()
        rt.line = node.mark?.line ?? 0
        rt.column = node.mark?.column ?? 0
        var groupByNode: Node?
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "receiver": rt.receiver = r.string(v)
            case "group_by": rt.groupBy = r.stringList(v); groupByNode = v
            case "match":
                rt.match = r.stringMap(v)
                for (k, _) in rt.match where !YAMLReader.isLabelName(k) {
                    throw r.fatal("invalid label name \(GoQuote.quote(k))", at: v)
                }
            case "match_re": rt.matchRE = try r.regexMap(v)
            case "matchers": rt.matchers = try r.matchers(v)
            case "mute_time_intervals": rt.muteTimeIntervals = r.stringList(v)
            case "active_time_intervals": rt.activeTimeIntervals = r.stringList(v)
            case "continue": rt.continue = r.bool(v)
            case "routes":
                for n in sequence(v, &r, "[]*config.Route") { rt.routes.append(try decodeRoute(n, &r)) }
            case "group_wait": rt.groupWait = try r.duration(v)
            case "group_interval": rt.groupInterval = try r.duration(v)
            case "repeat_interval": rt.repeatInterval = try r.duration(v)
            default: return false
            }
            return true
        }
        guard ok else { return rt }
        if let groupBy = rt.groupBy {
            var names: [String] = []
            for l in groupBy {
                if l == "..." { rt.groupByAll = true; continue }
                if !YAMLReader.isLabelName(l) { throw r.fatal("invalid label name \(GoQuote.quote(l)) in group_by list", at: groupByNode) }
                names.append(l)
            }
            if !names.isEmpty && rt.groupByAll {
                throw r.fatal("cannot have wildcard group_by (`...`) and other other labels at the same time", at: groupByNode)
            }
            var seen = Set<String>()
            for l in names {
                if !seen.insert(l).inserted { throw r.fatal("duplicated label \(GoQuote.quote(l)) in group_by", at: groupByNode) }
            }
            rt.groupBy = names
        }
        if rt.groupInterval?.milliseconds == 0 { throw r.fatal("group_interval cannot be zero", at: node) }
        if rt.repeatInterval?.milliseconds == 0 { throw r.fatal("repeat_interval cannot be zero", at: node) }
        return rt
    }

    static func decodeInhibitRule(_ node: Node, _ r: inout YAMLReader) throws(ConfigError) -> InhibitRuleConfig {
        var ir = InhibitRuleConfig()
        var sourceMatch: [(String, String)] = [], sourceRE: [(String, String)] = []
        var targetMatch: [(String, String)] = [], targetRE: [(String, String)] = []
        let ok = try r.fields(node) { (r, key, v) throws(ConfigError) in
            switch key {
            case "source_match": sourceMatch = r.stringMap(v)
            case "source_match_re": sourceRE = try r.regexMap(v)
            case "source_matchers": ir.sourceMatchers = try r.matchers(v)
            case "target_match": targetMatch = r.stringMap(v)
            case "target_match_re": targetRE = try r.regexMap(v)
            case "target_matchers": ir.targetMatchers = try r.matchers(v)
            case "equal":
                ir.equal = r.stringList(v)
                // model.LabelNames validates while decoding.
                for l in ir.equal where !YAMLReader.isLabelName(l) {
                    throw r.fatal("\(GoQuote.quote(l)) is not a valid label name", at: v)
                }
            default: return false
            }
            return true
        }
        guard ok else { return ir }
        for (k, _) in sourceMatch + targetMatch where !YAMLReader.isLabelName(k) {
            throw r.fatal("invalid label name \(GoQuote.quote(k))", at: node)
        }
        // The deprecated maps become matchers, as the inhibitor builds them.
        do {
            for (k, v) in sourceMatch { ir.sourceMatchers.append(try Matcher(.equal, k, v)) }
            for (k, v) in sourceRE { ir.sourceMatchers.append(try Matcher(.regexp, k, v)) }
            for (k, v) in targetMatch { ir.targetMatchers.append(try Matcher(.equal, k, v)) }
            for (k, v) in targetRE { ir.targetMatchers.append(try Matcher(.regexp, k, v)) }
        } catch {
            throw r.fatal(error.message, at: node)
        }
        return ir
    }
}

extension ConfigLoader {
    /// Whether a YAML text is an alertmanager.yml rather than a prometheus.yml (it has a
    /// top-level `route` or `receivers` and no `scrape_configs`), for `vigil check config`.
    public static func looksLikeAlertmanagerConfig(_ text: String) -> Bool {
        guard let root = try? Yams.compose(yaml: text), case .mapping(let m) = root else { return false }
        let keys = Set(m.keys.compactMap(\.string))
        return (keys.contains("route") || keys.contains("receivers")) && !keys.contains("scrape_configs")
    }
}
