import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What a scrape config's targets are fetched with: the request (auth, headers and the
/// Accept negotiation are Prometheus 2.42's), the TLS context of their own connections
/// (`ScrapeConnection`, which fetches nearly every page), and the general client for the
/// rest (targets that answered with a redirect, URLs that need escaping): one shared
/// AsyncHTTPClient, plus one per scrape config with its own TLS or redirect settings, since
/// those are client-level settings there.
///
/// Either way a page is fetched on the target's event loop: the request, the body and the
/// loop's own timer all run on one thread, with no thread hand-offs.
public final class HTTPScraper: Sendable {
    /// Prometheus 2.42's scrape Accept header: OpenMetrics preferred, text 0.0.4 accepted.
    public static let acceptHeader = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    public static let userAgent = "Vigil/0.1 (Prometheus/2.42-compatible scraper)"

    let client: HTTPClient
    let ownsClient: Bool
    /// For https targets' own connections: made on first use (loading the trust roots is
    /// not free), one per scrape config; nil when the TLS files cannot be loaded (the
    /// general client then reports why on every scrape).
    private let tlsConfiguration: TLSConfiguration
    private let tlsContext = NIOLockedValueBox<Result<NIOSSLContext, Error>?>(nil)
    private let serverName: String

    /// The shared client for scrape configs without TLS settings, on `group` (the scrape
    /// loops' own event loops, apart from the API server's: a page being ingested never
    /// delays a query's response).
    public static func makeSharedClient(group: EventLoopGroup) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .shared(group),
                   configuration: configuration(tls: nil, redirects: .follow(max: 10, allowCycles: false)))
    }

    /// Keep-alive connections that outlive long scrape intervals (Go's transport keeps
    /// them 90 s; targets scraped every minute or two should not reconnect each time), and
    /// enough of them per host for many targets behind one address.
    static func configuration(tls: TLSConfiguration?, redirects: HTTPClient.Configuration.RedirectConfiguration) -> HTTPClient.Configuration {
        var c = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: redirects, decompression: .enabled(limit: .none))
        c.connectionPool = .init(idleTimeout: .minutes(5), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        // No tracing spans: without a tracer bootstrapped, AsyncHTTPClient still starts a
        // no-op span per request and formats its attributes (a few percent of a scrape).
        c.tracing.tracer = nil
        return c
    }

    /// A scraper with its own client when `http` needs TLS or redirect settings that differ
    /// from the shared client's; otherwise the shared one. Either runs on the shared
    /// client's event loops.
    public init(http: HTTPClientConfig, shared: HTTPClient) throws {
        let tls = try http.customTLSConfiguration()
        tlsConfiguration = tls ?? .makeClientConfiguration()
        serverName = http.tls.serverName
        guard tls != nil || !http.followRedirects else {
            client = shared
            ownsClient = false
            return
        }
        let redirects: HTTPClient.Configuration.RedirectConfiguration = http.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow
        client = HTTPClient(eventLoopGroupProvider: .shared(shared.eventLoopGroup),
                            configuration: Self.configuration(tls: tls ?? .makeClientConfiguration(), redirects: redirects))
        ownsClient = true
    }

    public func shutdown() async {
        if ownsClient { try? await client.shutdown() }
    }

    /// The TLS side of an https target's own connection to `host`; nil: use the general client.
    func tls(host: String) -> ScrapeTLS? {
        let context = tlsContext.withLockedValue { cached -> Result<NIOSSLContext, Error>? in
            if cached == nil {
                cached = Result { try NIOSSLContext(configuration: tlsConfiguration) }
            }
            return cached
        }
        guard case .success(let c) = context else { return nil }
        return ScrapeTLS(context: c, serverName: serverName, host: host)
    }

    /// The event loop a new target's scrapes run on.
    func nextEventLoop() -> EventLoop { client.eventLoopGroup.next() }

    /// The GET for a target's scrapes, for either client. Built once per loop and kept
    /// while its Authorization value stays the same (that value is read again for every
    /// scrape, since credential files may change), so a scrape neither parses the URL nor
    /// builds the headers again.
    struct RequestCache {
        let url: String
        let http: HTTPClientConfig
        let timeoutMilliseconds: Int64
        private var built: HTTPClient.Request?
        private var builtHead: HTTPRequestHead?
        private var authorization: String?
        private var headAuthorization: String?

        init(url: String, http: HTTPClientConfig, timeoutMilliseconds: Int64) {
            self.url = url
            self.http = http
            self.timeoutMilliseconds = timeoutMilliseconds
        }

        private func currentAuthorization() throws(ScrapeFetchError) -> String? {
            do { return try http.authorizationHeader() } catch { throw ScrapeFetchError(message: error.message) }
        }

        private func headers(authorization auth: String?) -> HTTPHeaders {
            var headers = HTTPHeaders()
            headers.add(name: "Accept", value: HTTPScraper.acceptHeader)
            headers.add(name: "Accept-Encoding", value: "gzip")
            headers.add(name: "User-Agent", value: HTTPScraper.userAgent)
            headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(Double(timeoutMilliseconds) / 1000))
            if let auth { headers.add(name: "Authorization", value: auth) }
            return headers
        }

        /// The request for the general client (AsyncHTTPClient).
        mutating func next() throws(ScrapeFetchError) -> HTTPClient.Request {
            let auth = try currentAuthorization()
            if let r = built, auth == authorization { return r }
            do {
                let r = try HTTPClient.Request(url: url, method: .GET, headers: headers(authorization: auth))
                built = r
                authorization = auth
                return r
            } catch {
                throw ScrapeFetchError(message: "Get \"\(HTTPScraper.redacted(url))\": \(error)")
            }
        }

        /// The request head for a target's own connection to `endpoint`.
        mutating func head(for endpoint: ScrapeEndpoint) throws(ScrapeFetchError) -> HTTPRequestHead {
            let auth = try currentAuthorization()
            if let h = builtHead, auth == headAuthorization { return h }
            var headers = headers(authorization: auth)
            headers.replaceOrAdd(name: "Host", value: endpoint.authority)
            let h = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.uri, headers: headers)
            builtHead = h
            headAuthorization = auth
            return h
        }
    }

    /// Starts fetching `request` with its delegate on `eventLoop`, its body collected into
    /// `body` (cleared first, its storage reused when it is the only reference). The task's
    /// result completes on `eventLoop`; its errors are mapped by `fetchError`.
    ///
    /// The loop is preferred, not required, for the connection: AsyncHTTPClient closes a
    /// connection made for a required event loop after one request, so requiring it would
    /// reconnect on every scrape. Preferred, a kept-alive connection on the same loop is
    /// taken when there is one (it nearly always is: a target's scrapes come from one loop).
    func fetch(_ request: HTTPClient.Request, timeoutMilliseconds: Int64, bodySizeLimit: Int64, into body: ByteBuffer,
               on eventLoop: EventLoop) -> HTTPClient.Task<FetchedPage> {
        client.execute(request: request, delegate: PageCollector(body: body, limit: bodySizeLimit),
                       eventLoop: .delegate(on: eventLoop),
                       deadline: .now() + .milliseconds(timeoutMilliseconds))
    }

    /// A failed fetch in Prometheus's words.
    static func fetchError(_ error: Error, url: String) -> ScrapeFetchError {
        switch error {
        case let e as ScrapeFetchError:
            return e
        case let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout:
            return ScrapeFetchError(message: "Get \"\(redacted(url))\": context deadline exceeded")
        case ScrapeConnectionError.timedOut, ChannelError.connectTimeout:
            return ScrapeFetchError(message: "Get \"\(redacted(url))\": context deadline exceeded")
        case ScrapeConnectionError.closedEarly:
            return ScrapeFetchError(message: "Get \"\(redacted(url))\": EOF")
        case let e as NIOConnectionError:
            // Go's words for the common case: `dial tcp 127.0.0.1:9100: connect: connection refused`.
            if e.connectionErrors.isEmpty {
                return ScrapeFetchError(message: "Get \"\(redacted(url))\": dial tcp: lookup \(e.host): no such host")
            }
            let refused = e.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
            let what = refused ? "connect: connection refused" : "\(e.connectionErrors[0].error)"
            return ScrapeFetchError(message: "Get \"\(redacted(url))\": dial tcp \(e.host):\(e.port): \(what)")
        default:
            return ScrapeFetchError(message: "Get \"\(redacted(url))\": \(error)")
        }
    }

    static func redacted(_ url: String) -> String { HTTPClientConfig.redacted(url) }
}

/// A fetched page: its (decompressed) body and the format its Content-Type announced.
public struct FetchedPage: Sendable {
    public var format: ExpositionFormat
    public var body: ByteBuffer
}

public struct ScrapeFetchError: Error, Sendable { public var message: String }

/// Collects one response body on the request's event loop, refusing non-200 answers at
/// the head and bodies over the limit as they grow.
///
/// `@unchecked Sendable`: AsyncHTTPClient calls it only on the event loop it was pinned to.
final class PageCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = FetchedPage
    private var body: ByteBuffer
    private var format = ExpositionFormat.prometheusText
    private let limit: Int64

    init(body: ByteBuffer, limit: Int64) {
        self.body = body
        self.body.clear()
        self.limit = limit
    }

    func didReceiveHead(task: HTTPClient.Task<FetchedPage>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        guard head.status == .ok else {
            return task.eventLoop.makeFailedFuture(ScrapeFetchError(message: "server returned HTTP status \(head.status.code) \(head.status.reasonPhrase)"))
        }
        format = ExpositionFormat.from(contentType: head.headers.first(name: "Content-Type"))
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<FetchedPage>, _ part: ByteBuffer) -> EventLoopFuture<Void> {
        if limit > 0 && Int64(body.readableBytes + part.readableBytes) > limit {
            return task.eventLoop.makeFailedFuture(ScrapeFetchError(message: "body size limit exceeded"))
        }
        var part = part
        body.writeBuffer(&part)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<FetchedPage>) throws -> FetchedPage {
        FetchedPage(format: format, body: body)
    }
}
