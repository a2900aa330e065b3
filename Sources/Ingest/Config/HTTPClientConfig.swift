import Yams

/// A password or token: kept for use, never printed (`<secret>` as Prometheus shows it).
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var value: String
    public init(_ value: String) { self.value = value }
    public var description: String { value.isEmpty ? "" : "<secret>" }
    public var debugDescription: String { description }
}

/// Prometheus's common `HTTPClientConfig` subset Vigil implements: basic auth, authorization
/// (bearer), TLS, redirects, proxy. Relative file paths are resolved against the config's
/// directory.
public struct HTTPClientConfig: Sendable {
    public struct BasicAuth: Sendable {
        public var username = ""
        public var password = Secret("")
        public var passwordFile = ""
    }

    public struct Authorization: Sendable {
        public var type = "Bearer"
        public var credentials = Secret("")
        public var credentialsFile = ""
    }

    public struct TLSConfig: Sendable {
        public var caFile = ""
        public var certFile = ""
        public var keyFile = ""
        public var serverName = ""
        public var insecureSkipVerify = false
        public var minVersion = ""
    }

    public var basicAuth: BasicAuth?
    public var authorization: Authorization?
    public var tls = TLSConfig()
    public var followRedirects = true
    public var enableHTTP2 = true
    public var proxyURL = ""

    public init() {}

    static let keys: Set<String> = ["basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config",
                                    "follow_redirects", "enable_http2", "proxy_url"]

    /// Reads the inlined HTTP client fields out of a struct's mapping (the caller passes only
    /// those keys), then validates like `HTTPClientConfig.Validate`.
    static func decode(_ fields: [(key: String, value: Node)], dir: String, _ r: inout ConfigReader,
                       at n: Node) throws(ConfigAbort) -> HTTPClientConfig {
        var c = HTTPClientConfig()
        var bearer = "", bearerFile = ""
        for (k, v) in fields {
            switch k {
            case "basic_auth":
                guard let f = r.fields(v, type: "config.plain", known: ["username", "password", "password_file"]) else { continue }
                var b = BasicAuth()
                for (bk, bv) in f {
                    switch bk {
                    case "username": b.username = r.string(bv)
                    case "password": b.password = Secret(r.string(bv))
                    default: b.passwordFile = resolve(r.string(bv), dir)
                    }
                }
                c.basicAuth = b
            case "authorization":
                guard let f = r.fields(v, type: "config.plain", known: ["type", "credentials", "credentials_file"]) else { continue }
                var a = Authorization(type: "")
                for (ak, av) in f {
                    switch ak {
                    case "type": a.type = r.string(av)
                    case "credentials": a.credentials = Secret(r.string(av))
                    default: a.credentialsFile = resolve(r.string(av), dir)
                    }
                }
                c.authorization = a
            case "bearer_token": bearer = r.string(v)
            case "bearer_token_file": bearerFile = resolve(r.string(v), dir)
            case "tls_config": c.tls = decodeTLS(v, dir: dir, &r)
            case "follow_redirects": c.followRedirects = r.bool(v)
            case "enable_http2": c.enableHTTP2 = r.bool(v)
            case "proxy_url": c.proxyURL = r.string(v)
            default: break
            }
        }
        let pos = ConfigReader.position(n)
        func fail(_ m: String) -> ConfigAbort { ConfigAbort(message: m, position: pos) }
        if !bearer.isEmpty && !bearerFile.isEmpty { throw fail("at most one of bearer_token & bearer_token_file must be configured") }
        if c.basicAuth != nil && (!bearer.isEmpty || !bearerFile.isEmpty) {
            throw fail("at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured")
        }
        if let b = c.basicAuth, !b.password.value.isEmpty, !b.passwordFile.isEmpty {
            throw fail("at most one of basic_auth password & password_file must be configured")
        }
        if var a = c.authorization {
            if !bearer.isEmpty || !bearerFile.isEmpty { throw fail("authorization is not compatible with bearer_token & bearer_token_file") }
            if !a.credentials.value.isEmpty && !a.credentialsFile.isEmpty {
                throw fail("at most one of authorization credentials & credentials_file must be configured")
            }
            a.type = a.type.trimmingCharacters(in: " \t\n\r")
            if a.type.isEmpty { a.type = "Bearer" }
            if a.type.lowercased() == "basic" { throw fail("authorization type cannot be set to \"basic\", use \"basic_auth\" instead") }
            if c.basicAuth != nil { throw fail("at most one of basic_auth, oauth2 & authorization must be configured") }
            c.authorization = a
        } else if !bearer.isEmpty {
            c.authorization = Authorization(type: "Bearer", credentials: Secret(bearer))
        } else if !bearerFile.isEmpty {
            c.authorization = Authorization(type: "Bearer", credentialsFile: bearerFile)
        }
        return c
    }

    static func decodeTLS(_ n: Node, dir: String, _ r: inout ConfigReader) -> TLSConfig {
        var t = TLSConfig()
        let keys: Set<String> = ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "min_version"]
        guard let f = r.fields(n, type: "config.plain", known: keys) else { return t }
        for (k, v) in f {
            switch k {
            case "ca_file": t.caFile = resolve(r.string(v), dir)
            case "cert_file": t.certFile = resolve(r.string(v), dir)
            case "key_file": t.keyFile = resolve(r.string(v), dir)
            case "server_name": t.serverName = r.string(v)
            case "insecure_skip_verify": t.insecureSkipVerify = r.bool(v)
            default: t.minVersion = r.string(v)
            }
        }
        return t
    }

    /// A path relative to the config file's directory, as Prometheus's `SetDirectory` does.
    static func resolve(_ path: String, _ dir: String) -> String {
        if path.isEmpty || path.hasPrefix("/") { return path }
        return cleanPath(dir.isEmpty ? path : dir + "/" + path)
    }

    /// Go's `filepath.Clean` for the paths configs contain: drops `.` and empty elements,
    /// folds `x/..`.
    static func cleanPath(_ p: String) -> String {
        let abs = p.hasPrefix("/")
        var out: [Substring] = []
        for e in p.split(separator: "/", omittingEmptySubsequences: true) {
            if e == "." { continue }
            if e == "..", let last = out.last, last != ".." { out.removeLast(); continue }
            if e == "..", abs, out.isEmpty { continue }
            out.append(e)
        }
        let joined = out.joined(separator: "/")
        if abs { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let s = Set(set.unicodeScalars)
        var u = Substring(self).unicodeScalars
        while let f = u.first, s.contains(f) { u.removeFirst() }
        while let l = u.last, s.contains(l) { u.removeLast() }
        return String(u)
    }
}
