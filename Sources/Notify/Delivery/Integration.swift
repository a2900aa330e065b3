import Foundation
import Template

/// One configured destination of a receiver (`slack_configs[0]` …), able to render its
/// request for a group of alerts.
public struct Integration: Sendable {
    public enum Kind: Sendable {
        case slack(SlackConfig)
        case pagerduty(PagerdutyConfig)
        case webhook(WebhookConfig)
    }

    public let receiver: String
    public let index: Int
    public let kind: Kind
    let baseDirectory: String

    public var name: String {
        switch kind {
        case .slack: "slack"
        case .pagerduty: "pagerduty"
        case .webhook: "webhook"
        }
    }

    /// Alertmanager's receiver identity in the notification log: `receiver/integration/index`.
    public var identity: String { "\(receiver)/\(name)/\(index)" }

    public var sendResolved: Bool {
        switch kind {
        case .slack(let c): c.sendResolved
        case .pagerduty(let c): c.sendResolved
        case .webhook(let c): c.sendResolved
        }
    }

    /// All integrations of a receiver, in Alertmanager's order (webhook, email, pagerduty, …,
    /// slack: by type; the index counts within a type).
    public static func all(for receiver: ReceiverConfig, baseDirectory: String = ".") -> [Integration] {
        receiver.webhookConfigs.enumerated().map { Integration(receiver: receiver.name, index: $0.offset, kind: .webhook($0.element), baseDirectory: baseDirectory) }
            + receiver.pagerdutyConfigs.enumerated().map { Integration(receiver: receiver.name, index: $0.offset, kind: .pagerduty($0.element), baseDirectory: baseDirectory) }
            + receiver.slackConfigs.enumerated().map { Integration(receiver: receiver.name, index: $0.offset, kind: .slack($0.element), baseDirectory: baseDirectory) }
    }

    /// The request for these alerts: URL (secret), body, extra headers.
    public struct Request: Sendable {
        public var url: String
        public var body: String
        public var headers: [(String, String)]
        /// TLS and proxy settings from http_config, nil for the defaults.
        public var transport: TransportOptions?
    }

    public enum RenderError: Error, CustomStringConvertible, Sendable {
        case template(String)
        case secretFile(String)
        public var description: String {
            switch self {
            case .template(let m): m
            case .secretFile(let m): m
            }
        }
    }

    public func request(_ context: NotificationContext, templates: TemplateSet) throws(RenderError) -> Request {
        func rendered(_ body: () throws(TemplateError) -> String) throws(RenderError) -> String {
            do { return try body() } catch { throw .template(error.message) }
        }
        switch kind {
        case .slack(let c):
            let url = try secret(c.apiURL, file: c.apiURLFile)
            let body = try rendered { () throws(TemplateError) in try SlackMessage.body(c, context: context, templates: templates) }
            return Request(url: url, body: body, headers: try auth(c.httpConfig), transport: TransportOptions(c.httpConfig, baseDirectory: baseDirectory))
        case .pagerduty(let c):
            let body = try rendered { () throws(TemplateError) in try PagerDutyMessage.body(c, context: context, templates: templates) }
            let url = c.usesV1 && !c.urlSetInReceiver ? PagerdutyConfig.v1URL : c.url
            return Request(url: url, body: body, headers: try auth(c.httpConfig), transport: TransportOptions(c.httpConfig, baseDirectory: baseDirectory))
        case .webhook(let c):
            let url = try secret(c.url, file: c.urlFile)
            return Request(
                url: url, body: WebhookMessage.body(c, context: context), headers: try auth(c.httpConfig),
                transport: TransportOptions(c.httpConfig, baseDirectory: baseDirectory))
        }
    }

    func secret(_ inline: Secret?, file: String) throws(RenderError) -> String {
        if let inline { return inline.value }
        return try readFile(file)
    }

    func readFile(_ file: String) throws(RenderError) -> String {
        let path = file.hasPrefix("/") ? file : (baseDirectory as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .secretFile("unable to read file \(path)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Authorization headers from http_config.
    func auth(_ h: HTTPClientConfig?) throws(RenderError) -> [(String, String)] {
        guard let h else { return [] }
        if let ba = h.basicAuth {
            var password = ba.password?.value ?? ""
            if ba.password == nil && !ba.passwordFile.isEmpty { password = try readFile(ba.passwordFile) }
            let token = Data("\(ba.username):\(password)".utf8).base64EncodedString()
            return [("Authorization", "Basic " + token)]
        }
        if let au = h.authorization {
            var cred = au.credentials?.value ?? ""
            if au.credentials == nil && !au.credentialsFile.isEmpty { cred = try readFile(au.credentialsFile) }
            return [("Authorization", "\(au.type) \(cred)")]
        }
        if let t = h.bearerToken { return [("Authorization", "Bearer " + t.value)] }
        if !h.bearerTokenFile.isEmpty { return [("Authorization", "Bearer " + (try readFile(h.bearerTokenFile)))] }
        return []
    }
}
