import CCrypt
import Foundation
import Hummingbird
import Synchronization
import Yams

/// `--web.config.file`, Prometheus's web configuration (exporter-toolkit): TLS for the
/// listener and HTTP basic auth with bcrypt-hashed passwords.
public struct WebConfig: Sendable {
    public var certFile = ""
    public var keyFile = ""
    /// User name → bcrypt hash (`$2y$…`, as `htpasswd -B` writes it).
    public var basicAuthUsers: [String: String] = [:]

    public var tlsEnabled: Bool { !certFile.isEmpty }

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(file: String) throws(LoadError) -> WebConfig {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw LoadError(description: "\(file): cannot read the file")
        }
        let dir = (file as NSString).deletingLastPathComponent
        func path(_ p: String) -> String { p.isEmpty || p.hasPrefix("/") || dir.isEmpty ? p : dir + "/" + p }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw LoadError(description: "\(file): \(error)") }
        var c = WebConfig()
        guard let root else { return c }
        guard case .mapping(let top) = root else { throw LoadError(description: "\(file): the web config must be a mapping") }
        for (k, v) in top {
            let key = k.string ?? ""
            let at = "\(file):\(k.mark?.line ?? 0):\(k.mark?.column ?? 0)"
            switch key {
            case "tls_server_config":
                guard case .mapping(let tls) = v else { throw LoadError(description: "\(at): tls_server_config must be a mapping") }
                for (tk, tv) in tls {
                    switch tk.string ?? "" {
                    case "cert_file": c.certFile = path(tv.string ?? "")
                    case "key_file": c.keyFile = path(tv.string ?? "")
                    case "client_auth_type", "client_ca_file", "min_version", "max_version", "cipher_suites",
                         "prefer_server_cipher_suites", "curve_preferences":
                        throw LoadError(description: "\(file):\(tk.mark?.line ?? 0):\(tk.mark?.column ?? 0): tls_server_config.\(tk.string ?? "") is not supported by Vigil")
                    default:
                        throw LoadError(description: "\(file):\(tk.mark?.line ?? 0):\(tk.mark?.column ?? 0): field \(tk.string ?? "") not found in type web.TLSConfig")
                    }
                }
                if c.certFile.isEmpty != c.keyFile.isEmpty {
                    throw LoadError(description: "\(at): tls_server_config needs both cert_file and key_file")
                }
            case "basic_auth_users":
                guard case .mapping(let users) = v else { throw LoadError(description: "\(at): basic_auth_users must be a mapping") }
                for (u, h) in users {
                    let hash = h.string ?? ""
                    guard hash.hasPrefix("$2") else {
                        throw LoadError(description: "\(file):\(u.mark?.line ?? 0):\(u.mark?.column ?? 0): the password of \(u.string ?? "") must be a bcrypt hash")
                    }
                    c.basicAuthUsers[u.string ?? ""] = hash
                }
            case "http_server_config":
                break  // headers and HTTP/2 settings: accepted, not applied
            default:
                throw LoadError(description: "\(at): field \(key) not found in type web.Config")
            }
        }
        return c
    }
}

/// HTTP basic auth against bcrypt hashes (libcrypt), as Prometheus's web config does it.
/// A verified user:password pair is remembered so bcrypt's deliberate cost is paid once.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let users: [String: String]
    let verified = Verified()

    final class Verified: Sendable {
        let set = Mutex<Set<String>>([])
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
              let colon = decoded.firstIndex(of: ":")
        else { return unauthorized() }
        let user = String(decoded[..<colon]), password = String(decoded[decoded.index(after: colon)...])
        guard let hash = users[user] else { return unauthorized() }
        let key = user + "\u{0}" + password
        if !verified.set.withLock({ $0.contains(key) }) {
            guard Self.bcryptMatches(password: password, hash: hash) else { return unauthorized() }
            verified.set.withLock { _ = $0.insert(key) }
        }
        return try await next(request, context)
    }

    func unauthorized() -> Response {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Basic"
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "Unauthorized\n")))
    }

    static func bcryptMatches(password: String, hash: String) -> Bool {
        var data = crypt_data()
        guard let out = crypt_r(password, hash, &data) else { return false }
        let computed = String(cString: out)
        // Constant-time comparison.
        let a = Array(computed.utf8), b = Array(hash.utf8)
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
