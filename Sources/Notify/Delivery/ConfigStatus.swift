import Foundation
import Yams

/// `GET /api/v2/status`: what Alertmanager reports about itself, with the config echoed
/// back. Alertmanager prints its parsed config with secrets as `<secret>`; Vigil echoes the
/// file as written (re-emitted), with every secret value — webhook URLs too, which
/// Alertmanager 0.25 still shows — replaced by `<secret>`.
extension AlertmanagerAPIv2 {
    /// Keys whose values are secrets wherever they appear.
    static let secretKeys: Set<String> = [
        "slack_api_url", "api_url", "routing_key", "service_key", "password", "credentials", "bearer_token",
        "smtp_auth_password", "smtp_auth_secret", "opsgenie_api_key", "victorops_api_key", "wechat_api_secret",
        "api_key", "api_secret", "token", "bot_token", "user_key", "webhook_url", "client_secret",
    ]

    /// The config text with secrets replaced, or nil when it does not parse as YAML.
    public static func redactedConfig(_ text: String) -> String? {
        guard let root = try? Yams.compose(yaml: text) else { return nil }
        let redacted = redact(root, parentKey: nil)
        return try? Yams.serialize(node: redacted, indent: 2, width: -1, allowUnicode: true)
    }

    static func redact(_ node: Node, parentKey: String?) -> Node {
        switch node {
        case .mapping(let m):
            var pairs: [(Node, Node)] = []
            for (k, v) in m {
                let key = k.string ?? ""
                // `url` is a secret in webhook_configs (Slack-style hooks); elsewhere it is not.
                let secret = secretKeys.contains(key) || (key == "url" && parentKey == "webhook_configs")
                if secret, case .scalar = v {
                    pairs.append((k, Node("<secret>")))
                } else {
                    pairs.append((k, redact(v, parentKey: key)))
                }
            }
            return Node(pairs)
        case .sequence(let s):
            return Node(s.map { redact($0, parentKey: parentKey) })
        default:
            return node
        }
    }

    /// The status body: cluster disabled (one node), the redacted config, start time, version.
    public static func status(configText: String, startedAt: Date, version: String) -> String {
        GoJSON.object([
            ("cluster", .object([("peers", .array([])), ("status", .string("disabled"))])),
            ("config", .object([("original", .string(redactedConfig(configText) ?? ""))])),
            ("uptime", .string(millis(startedAt))),
            ("versionInfo", .object([
                ("branch", .string("")), ("buildDate", .string("")), ("buildUser", .string("")),
                ("goVersion", .string("")), ("revision", .string("")), ("version", .string(version)),
            ])),
        ]).encoded
    }
}
