/// `slack_configs` entry, every field of Alertmanager 0.25, defaults from its DefaultSlackConfig.
public struct SlackConfig: Sendable {
    public var sendResolved = false
    public var httpConfig: HTTPClientConfig?
    public var apiURL: Secret?
    public var apiURLFile = ""
    public var channel = ""
    public var username = #"{{ template "slack.default.username" . }}"#
    public var color = #"{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}"#
    public var title = #"{{ template "slack.default.title" . }}"#
    public var titleLink = #"{{ template "slack.default.titlelink" . }}"#
    public var pretext = #"{{ template "slack.default.pretext" . }}"#
    public var text = #"{{ template "slack.default.text" . }}"#
    public var fields: [SlackField] = []
    public var shortFields = false
    public var footer = #"{{ template "slack.default.footer" . }}"#
    public var fallback = #"{{ template "slack.default.fallback" . }}"#
    public var callbackID = #"{{ template "slack.default.callbackid" . }}"#
    public var iconEmoji = #"{{ template "slack.default.iconemoji" . }}"#
    public var iconURL = #"{{ template "slack.default.iconurl" . }}"#
    public var imageURL = ""
    public var thumbURL = ""
    public var linkNames = false
    public var mrkdwnIn: [String] = []
    public var actions: [SlackAction] = []
    public init() {}
}

public struct SlackField: Sendable {
    public var title = ""
    public var value = ""
    public var short: Bool?
    public init() {}
}

public struct SlackAction: Sendable {
    public var type = ""
    public var text = ""
    public var url = ""
    public var style = ""
    public var name = ""
    public var value = ""
    public var confirm: SlackConfirmationField?
    public init() {}
}

public struct SlackConfirmationField: Sendable {
    public var text = ""
    public var title = ""
    public var okText = ""
    public var dismissText = ""
    public init() {}
}

/// `pagerduty_configs` entry (Events API v2 when routing_key is set, v1 for service_key).
public struct PagerdutyConfig: Sendable {
    public var sendResolved = true
    public var httpConfig: HTTPClientConfig?
    public var serviceKey: Secret?
    public var routingKey: Secret?
    public var url = ""
    /// Whether the receiver set its own `url` (the v1 API otherwise goes to PagerDuty's v1 endpoint).
    public var urlSetInReceiver = false
    public var client = #"{{ template "pagerduty.default.client" . }}"#
    public var clientURL = #"{{ template "pagerduty.default.clientURL" . }}"#
    public var description = #"{{ template "pagerduty.default.description" .}}"#
    public var details: [(String, String)] = PagerdutyConfig.defaultDetails
    public var images: [(src: String, alt: String, href: String)] = []
    public var links: [(href: String, text: String)] = []
    public var source = ""
    public var severity = ""
    public var `class` = ""
    public var component = ""
    public var group = ""
    public init() {}

    public static let defaultDetails: [(String, String)] = [
        ("firing", #"{{ template "pagerduty.default.instances" .Alerts.Firing }}"#),
        ("resolved", #"{{ template "pagerduty.default.instances" .Alerts.Resolved }}"#),
        ("num_firing", "{{ .Alerts.Firing | len }}"),
        ("num_resolved", "{{ .Alerts.Resolved | len }}"),
    ]

    /// Events API v1, used when only a service_key is given.
    public static let v1URL = "https://events.pagerduty.com/generic/2010-04-15/create_event.json"
    public var usesV1: Bool { (routingKey?.value ?? "").isEmpty }
}

/// `webhook_configs` entry.
public struct WebhookConfig: Sendable {
    public var sendResolved = true
    public var httpConfig: HTTPClientConfig?
    public var url: Secret?
    public var urlFile = ""
    public var maxAlerts: UInt64 = 0
    public init() {}
}
