import CCrypt
import Foundation
import Hummingbird
import NIOSSL
import Synchronization
import Yams

/// `--web.config.file`, Prometheus's web configuration (exporter-toolkit): TLS for the
/// listener (client certificates, versions, cipher suites, curves) and HTTP basic auth with
/// bcrypt-hashed passwords.
public struct WebConfig: Sendable {
    public var certFile = ""
    public var keyFile = ""
    /// `client_auth_type`: NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert.
    public var clientAuthType = "NoClientCert"
    public var clientCAFile = ""
    /// `min_version` / `max_version`: TLS10 ... TLS13 (exporter-toolkit's default minimum is TLS12).
    public var minVersion = "TLS12"
    public var maxVersion = "TLS13"
    /// `cipher_suites` by Go's names (TLS 1.2 and lower; TLS 1.3 suites are not configurable).
    public var cipherSuites: [String] = []
    /// `curve_preferences` by Go's names (CurveP256, CurveP384, CurveP521, X25519).
    public var curvePreferences: [String] = []
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
                    let tat = "\(file):\(tk.mark?.line ?? 0):\(tk.mark?.column ?? 0)"
                    func list() throws(LoadError) -> [String] {
                        guard case .sequence(let items) = tv else { throw LoadError(description: "\(tat): \(tk.string ?? "") must be a list") }
                        return items.map { $0.string ?? "" }
                    }
                    switch tk.string ?? "" {
                    case "cert_file": c.certFile = path(tv.string ?? "")
                    case "key_file": c.keyFile = path(tv.string ?? "")
                    case "client_ca_file": c.clientCAFile = path(tv.string ?? "")
                    case "client_auth_type":
                        c.clientAuthType = tv.string ?? ""
                        switch c.clientAuthType {
                        case "NoClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert": break
                        case "RequestClientCert", "RequireAnyClientCert":
                            throw LoadError(description: "\(tat): client_auth_type \(c.clientAuthType) (a certificate requested but not verified) is not supported by Vigil; use VerifyClientCertIfGiven or RequireAndVerifyClientCert")
                        default: throw LoadError(description: "\(tat): invalid ClientAuth \"\(c.clientAuthType)\"")
                        }
                    case "min_version", "max_version":
                        let v = tv.string ?? ""
                        guard Self.tlsVersions[v] != nil else { throw LoadError(description: "\(tat): unknown TLS version: \(v)") }
                        if tk.string == "min_version" { c.minVersion = v } else { c.maxVersion = v }
                    case "cipher_suites":
                        c.cipherSuites = try list()
                        for name in c.cipherSuites where Self.cipherSuites[name] == nil {
                            throw LoadError(description: "\(tat): unknown cipher: \(name)")
                        }
                    case "curve_preferences":
                        c.curvePreferences = try list()
                        for name in c.curvePreferences where Self.curves[name] == nil {
                            throw LoadError(description: "\(tat): unknown curve: \(name)")
                        }
                    case "prefer_server_cipher_suites":
                        break  // Go ignores it since 1.18; so does Vigil
                    default:
                        throw LoadError(description: "\(tat): field \(tk.string ?? "") not found in type web.TLSConfig")
                    }
                }
                if c.certFile.isEmpty != c.keyFile.isEmpty {
                    throw LoadError(description: "\(at): tls_server_config needs both cert_file and key_file")
                }
                if !c.clientCAFile.isEmpty && c.clientAuthType == "NoClientCert" {
                    throw LoadError(description: "\(at): Client CA's have been configured without a Client Auth Policy")
                }
                if c.clientCAFile.isEmpty && c.clientAuthType != "NoClientCert" {
                    throw LoadError(description: "\(at): client_auth_type \(c.clientAuthType) needs client_ca_file")
                }
                if let lo = Self.tlsVersions[c.minVersion], let hi = Self.tlsVersions[c.maxVersion], lo.order > hi.order {
                    throw LoadError(description: "\(at): max_version must be greater than or equal to min_version")
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

    static let tlsVersions: [String: (version: TLSVersion, order: Int)] = [
        "TLS10": (.tlsv1, 0), "TLS11": (.tlsv11, 1), "TLS12": (.tlsv12, 2), "TLS13": (.tlsv13, 3),
    ]

    /// Go's cipher suite names (the IANA names) for the suites BoringSSL offers.
    static let cipherSuites: [String: NIOTLSCipher] = [
        "TLS_RSA_WITH_AES_128_CBC_SHA": .TLS_RSA_WITH_AES_128_CBC_SHA,
        "TLS_RSA_WITH_AES_256_CBC_SHA": .TLS_RSA_WITH_AES_256_CBC_SHA,
        "TLS_RSA_WITH_AES_128_GCM_SHA256": .TLS_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_RSA_WITH_AES_256_GCM_SHA384": .TLS_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": .TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": .TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": .TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": .TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        // Go's legacy aliases.
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    static let curves: [String: NIOTLSCurve] = [
        "CurveP256": .secp256r1, "CurveP384": .secp384r1, "CurveP521": .secp521r1, "X25519": .x25519,
    ]

    /// The listener's TLS settings.
    func serverTLSConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.minimumTLSVersion = Self.tlsVersions[minVersion]?.version ?? .tlsv12
        tls.maximumTLSVersion = Self.tlsVersions[maxVersion]?.version
        if !cipherSuites.isEmpty { tls.cipherSuiteValues = cipherSuites.compactMap { Self.cipherSuites[$0] } }
        if !curvePreferences.isEmpty { tls.curves = curvePreferences.compactMap { Self.curves[$0] } }
        switch clientAuthType {
        case "RequireAndVerifyClientCert":
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .file(clientCAFile)
        case "VerifyClientCertIfGiven":
            tls.certificateVerification = .optionalVerification
            tls.trustRoots = .file(clientCAFile)
        default:
            tls.certificateVerification = .none
        }
        return tls
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
