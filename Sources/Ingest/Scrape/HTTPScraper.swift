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
        let tls = try http.customTLSConfiguration()
        guard tls != nil || !http.followRedirects else {
            client = shared
            ownsClient = false
            return
        }
        let redirects: HTTPClient.Configuration.RedirectConfiguration = http.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton,
                            configuration: HTTPClient.Configuration(tlsConfiguration: tls ?? .makeClientConfiguration(), redirectConfiguration: redirects,
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

    static func authorizationHeader(_ http: HTTPClientConfig) throws(ScrapeFetchError) -> String? {
        do { return try http.authorizationHeader() } catch { throw ScrapeFetchError(message: error.message) }
    }

    static func redacted(_ url: String) -> String { HTTPClientConfig.redacted(url) }
}

public struct ScrapeFetchError: Error, Sendable { public var message: String }
