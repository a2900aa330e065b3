import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Fetches target pages over HTTP(S) with one shared `HTTPClient` (plus one per scrape
/// config that has its own TLS settings, since TLS is a client-level setting in
/// AsyncHTTPClient). Auth, headers and the Accept negotiation are Prometheus 2.42's.
public final class HTTPScraper: Sendable {
    /// Prometheus 2.42's scrape Accept header: OpenMetrics preferred, text 0.0.4 accepted.
    public static let acceptHeader = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    public static let userAgent = "Vigil/0.1 (Prometheus/2.42-compatible scraper)"

    let client: HTTPClient
    let ownsClient: Bool

    /// The shared client for scrape configs without TLS settings.
    public static func makeSharedClient() -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton,
                   configuration: HTTPClient.Configuration(redirectConfiguration: .follow(max: 10, allowCycles: false),
                                                           decompression: .enabled(limit: .none)))
    }

    public init(client: HTTPClient) {
        self.client = client
        ownsClient = false
    }

    /// A scraper with its own client when `http` needs TLS or redirect settings that differ
    /// from the shared client's; otherwise the shared one.
    public init(http: HTTPClientConfig, shared: HTTPClient) throws {
        let t = http.tls
        let needsOwn = !t.caFile.isEmpty || !t.certFile.isEmpty || t.insecureSkipVerify || !t.serverName.isEmpty
            || !http.followRedirects
        guard needsOwn else {
            client = shared
            ownsClient = false
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if t.insecureSkipVerify { tls.certificateVerification = .none }
        if !t.caFile.isEmpty { tls.trustRoots = .file(t.caFile) }
        if !t.certFile.isEmpty {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(t.certFile).map { .certificate($0) }
        }
        if !t.keyFile.isEmpty { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: t.keyFile, format: .pem)) }
        if t.minVersion == "TLS13" { tls.minimumTLSVersion = .tlsv13 } else if t.minVersion == "TLS12" { tls.minimumTLSVersion = .tlsv12 }
        let redirects: HTTPClient.Configuration.RedirectConfiguration = http.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton,
                            configuration: HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: redirects,
                                                                    decompression: .enabled(limit: .none)))
        ownsClient = true
    }

    public func shutdown() async {
        if ownsClient { try? await client.shutdown() }
    }

    public struct Page: Sendable {
        public var format: ExpositionFormat
    }

    /// GETs `url` into `body` (cleared first, capacity kept); throws a message in
    /// Prometheus's words on failure.
    public func fetch(url: String, http: HTTPClientConfig, timeoutMilliseconds: Int64, bodySizeLimit: Int64,
                      into body: inout [UInt8]) async throws(ScrapeFetchError) -> Page {
        var req = HTTPClientRequest(url: url)
        req.method = .GET
        req.headers.add(name: "Accept", value: Self.acceptHeader)
        req.headers.add(name: "Accept-Encoding", value: "gzip")
        req.headers.add(name: "User-Agent", value: Self.userAgent)
        req.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(Double(timeoutMilliseconds) / 1000))
        do {
            if let a = try Self.authorizationHeader(http) { req.headers.add(name: "Authorization", value: a) }
        } catch {
            throw ScrapeFetchError(message: error.message)
        }
        body.removeAll(keepingCapacity: true)
        do {
            let response = try await client.execute(req, timeout: .milliseconds(timeoutMilliseconds))
            guard response.status == .ok else {
                throw ScrapeFetchError(message: "server returned HTTP status \(response.status.code) \(response.status.reasonPhrase)")
            }
            for try await chunk in response.body {
                if bodySizeLimit > 0 && Int64(body.count + chunk.readableBytes) > bodySizeLimit {
                    throw ScrapeFetchError(message: "body size limit exceeded")
                }
                chunk.withUnsafeReadableBytes { body.append(contentsOf: $0) }
            }
            return Page(format: ExpositionFormat.from(contentType: response.headers.first(name: "Content-Type")))
        } catch let e as ScrapeFetchError {
            throw e
        } catch let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            throw ScrapeFetchError(message: "Get \"\(Self.redacted(url))\": context deadline exceeded")
        } catch {
            throw ScrapeFetchError(message: "Get \"\(Self.redacted(url))\": \(error)")
        }
    }

    /// The Authorization header for basic auth or a bearer/typed credential, reading
    /// `*_file` settings at each scrape as Prometheus does (so rotated secrets are picked up).
    static func authorizationHeader(_ http: HTTPClientConfig) throws(ScrapeFetchError) -> String? {
        func readFile(_ path: String) throws(ScrapeFetchError) -> String {
            guard let d = FileManager.default.contents(atPath: path) else {
                throw ScrapeFetchError(message: "unable to read file \(path)")
            }
            return String(decoding: d, as: UTF8.self).trimmingCharacters(in: " \t\r\n")
        }
        if let b = http.basicAuth {
            let password = b.passwordFile.isEmpty ? b.password.value : try readFile(b.passwordFile)
            return "Basic " + Data("\(b.username):\(password)".utf8).base64EncodedString()
        }
        if let a = http.authorization {
            let cred = a.credentialsFile.isEmpty ? a.credentials.value : try readFile(a.credentialsFile)
            return "\(a.type) \(cred)"
        }
        return nil
    }

    /// A URL without user:password, for error messages.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + "xxxxx@" + url[url.index(after: at)...]
    }
}

public struct ScrapeFetchError: Error, Sendable { public var message: String }
