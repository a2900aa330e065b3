import AsyncHTTPClient
import Foundation
import NIOSSL

/// The parts of `http_config` that need their own HTTP client: TLS settings, a proxy, not
/// following redirects. Receivers without them share one client.
public struct TransportOptions: Sendable, Hashable {
    public var caFile = ""
    public var certFile = ""
    public var keyFile = ""
    public var serverName = ""
    public var insecureSkipVerify = false
    public var proxyURL = ""
    public var followRedirects = true

    public init() {}

    /// nil when the defaults do (the shared client).
    public init?(_ h: HTTPClientConfig?, baseDirectory: String) {
        guard let h else { return nil }
        func path(_ p: String) -> String { p.isEmpty || p.hasPrefix("/") ? p : (baseDirectory as NSString).appendingPathComponent(p) }
        caFile = path(h.tlsCAFile)
        certFile = path(h.tlsCertFile)
        keyFile = path(h.tlsKeyFile)
        serverName = h.tlsServerName
        insecureSkipVerify = h.tlsInsecureSkipVerify
        proxyURL = h.proxyURL
        followRedirects = h.followRedirects
        if self == TransportOptions() { return nil }
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// A client configured for these options.
    func makeClient() throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecureSkipVerify { tls.certificateVerification = .none }
        do {
            if !caFile.isEmpty { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
            if !certFile.isEmpty { tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) } }
            if !keyFile.isEmpty { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)) }
        } catch {
            throw SetupError(description: "unable to load TLS files: \(error)")
        }
        var config = HTTPClient.Configuration(tlsConfiguration: tls)
        config.redirectConfiguration = followRedirects ? .follow(max: 10, allowCycles: false) : .disallow
        if !proxyURL.isEmpty {
            guard let u = URL(string: proxyURL), let host = u.host else { throw SetupError(description: "invalid proxy_url") }
            config.proxy = .server(host: host, port: u.port ?? (u.scheme == "https" ? 443 : 80))
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }
}

/// HTTP clients per transport, made on first use and shut down with their owner.
final class HTTPClientCache: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [TransportOptions: HTTPClient] = [:]

    func client(_ options: TransportOptions) throws -> HTTPClient {
        lock.lock()
        defer { lock.unlock() }
        if let c = clients[options] { return c }
        let c = try options.makeClient()
        clients[options] = c
        return c
    }

    deinit {
        for c in clients.values { try? c.syncShutdown() }
    }
}
