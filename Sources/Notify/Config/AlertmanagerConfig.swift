import Foundation

/// alertmanager.yml as Alertmanager 0.25 reads it, defaults applied.
public struct AlertmanagerConfig: Sendable {
    public var global = GlobalConfig()
    public var route = RouteConfig()
    public var inhibitRules: [InhibitRuleConfig] = []
    public var receivers: [ReceiverConfig] = []
    public var templates: [String] = []
    public var timeIntervals: [TimeIntervalConfig] = []
    /// The deprecated top-level `mute_time_intervals`, same shape as `time_intervals`.
    public var muteTimeIntervals: [TimeIntervalConfig] = []
    /// The directory of the file, against which relative paths (templates, *_file) resolve.
    public var baseDirectory = "."

    public init() {}

    public func receiver(named name: String) -> ReceiverConfig? { receivers.first { $0.name == name } }
}

/// `global:`. Fields Vigil does not use (SMTP, other services) are kept so checks and the
/// config API see what the user wrote.
public struct GlobalConfig: Sendable {
    public var resolveTimeout = ModelDuration.minutes(5)
    public var httpConfig = HTTPClientConfig()
    public var slackAPIURL: Secret?
    public var slackAPIURLFile = ""
    public var pagerdutyURL = "https://events.pagerduty.com/v2/enqueue"
    public var smtpFrom = ""
    public var smtpHello = "localhost"
    public var smtpSmarthost = ""
    public var smtpAuthUsername = ""
    public var smtpAuthPassword: Secret?
    public var smtpAuthPasswordFile = ""
    public var smtpAuthSecret: Secret?
    public var smtpAuthIdentity = ""
    public var smtpRequireTLS = true
    /// Other services' global fields (opsgenie_api_url, wechat_api_secret, …), as written.
    public var other: [String: String] = [:]

    public init() {}
}

/// A value that must never be printed: webhook URLs, routing keys, passwords.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }
}

/// prometheus/common's `http_config`, the parts that change a request.
public struct HTTPClientConfig: Sendable {
    public var basicAuth: (username: String, password: Secret?, passwordFile: String)?
    public var authorization: (type: String, credentials: Secret?, credentialsFile: String)?
    public var bearerToken: Secret?
    public var bearerTokenFile = ""
    public var proxyURL = ""
    public var followRedirects = true
    public var tlsInsecureSkipVerify = false
    public var tlsCAFile = ""
    public var tlsCertFile = ""
    public var tlsKeyFile = ""
    public var tlsServerName = ""

    public init() {}
}

/// A node of the routing tree as written; `Route` is the tree with inherited options.
public struct RouteConfig: Sendable {
    public var receiver = ""
    /// nil when not set (inherit from the parent).
    public var groupBy: [String]?
    public var groupByAll = false
    public var match: [(String, String)] = []
    public var matchRE: [(String, String)] = []
    public var matchers: [Matcher] = []
    public var muteTimeIntervals: [String] = []
    public var activeTimeIntervals: [String] = []
    public var `continue` = false
    public var routes: [RouteConfig] = []
    public var groupWait: ModelDuration?
    public var groupInterval: ModelDuration?
    public var repeatInterval: ModelDuration?
    /// Where the node starts in the file, for warnings.
    public var line = 0
    public var column = 0

    public init() {}
}

public struct InhibitRuleConfig: Sendable {
    public var sourceMatchers: [Matcher] = []
    public var targetMatchers: [Matcher] = []
    public var equal: [String] = []
    public init(sourceMatchers: [Matcher] = [], targetMatchers: [Matcher] = [], equal: [String] = []) {
        self.sourceMatchers = sourceMatchers
        self.targetMatchers = targetMatchers
        self.equal = equal
    }
}

public struct ReceiverConfig: Sendable {
    public var name = ""
    public var slackConfigs: [SlackConfig] = []
    public var pagerdutyConfigs: [PagerdutyConfig] = []
    public var webhookConfigs: [WebhookConfig] = []
    /// Integrations Alertmanager has and Vigil parses but does not send (email, opsgenie, …).
    public var unsupportedIntegrations: [String] = []
    /// email_configs entries, read as far as Alertmanager's checks need (to, smarthost, from).
    public var emailConfigs: [(to: String, smarthost: String, from: String)] = []
    public init() {}

    public var integrationCount: Int { slackConfigs.count + pagerdutyConfigs.count + webhookConfigs.count }
}

/// `time_intervals:` entry. Times are kept as written and evaluated by `TimeIntervalSet`.
public struct TimeIntervalConfig: Sendable {
    public var name = ""
    public var intervals: [TimePeriod] = []
    public init() {}
}

public struct TimePeriod: Sendable {
    /// Minutes of the day [start, end).
    public var times: [ClosedRange<Int>] = []
    /// 0 = Sunday.
    public var weekdays: [ClosedRange<Int>] = []
    /// 1...31 or negative from the end of the month.
    public var daysOfMonth: [ClosedRange<Int>] = []
    public var months: [ClosedRange<Int>] = []
    public var years: [ClosedRange<Int>] = []
    public var location = "UTC"
    public init() {}
}
