import Foundation
import Hummingbird
import Yams

/// `/api/v1/status/config`: the prometheus.yml in force as `{"yaml": "..."}`, with every
/// secret (passwords, tokens, credentials, URLs with credentials) shown as `<secret>`.
enum StatusConfigAPI {
    static let secretKeys: Set<String> = [
        "password", "bearer_token", "credentials", "client_secret", "secret_key", "access_key", "api_key", "token",
    ]

    static func register(_ router: Router<BasicRequestContext>, configFile: String?) {
        router.api("/api/v1/status/config", methods: [.get]) { _ throws(APIError) in
            var yaml = ""
            if let configFile {
                guard let text = try? String(contentsOfFile: configFile, encoding: .utf8) else {
                    throw APIError(.internal, "reading \(configFile) failed")
                }
                yaml = redacted(text) ?? ""
            }
            return APIResponse.success(data: "{\"yaml\":" + GoJSON.quote(yaml) + "}")
        }
    }

    /// The YAML re-emitted with secret values replaced.
    static func redacted(_ text: String) -> String? {
        guard let root = try? Yams.compose(yaml: text) else { return nil }
        func walk(_ n: Node) -> Node {
            switch n {
            case .mapping(let m):
                var pairs: [(Node, Node)] = []
                for (k, v) in m {
                    if let key = k.string, secretKeys.contains(key), v.scalar != nil {
                        pairs.append((k, Node("<secret>")))
                    } else {
                        pairs.append((k, walk(v)))
                    }
                }
                return .mapping(Node.Mapping(pairs))
            case .sequence(let s):
                return .sequence(Node.Sequence(s.map(walk)))
            default:
                return n
            }
        }
        return try? Yams.serialize(node: walk(root), indent: 2, width: -1, allowUnicode: true)
    }
}
