import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import NIOSSL

/// Where a target's own connection goes and what its request line asks for, taken once from
/// the scrape URL. Nil for URLs the general client handles instead (user info in the URL,
/// bytes that need escaping, anything unusual).
struct ScrapeEndpoint: Sendable, Equatable {
    /// https: TLS on the connection.
    let tls: Bool
    /// The host to connect to (an IPv6 address without its brackets).
    let host: String
    let port: Int
    /// The Host header: the URL's authority as written.
    let authority: String
    /// Path and query.
    let uri: String

    init?(url: String) {
        if url.hasPrefix("http://") {
            tls = false
        } else if url.hasPrefix("https://") {
            tls = true
        } else {
            return nil
        }
        let rest = url.dropFirst(tls ? 8 : 7)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<end]
        guard !authority.isEmpty, !authority.contains("@"), !rest[end...].contains("#") else { return nil }
        // Bytes a request line cannot carry as they are (spaces, quotes, non-ASCII, ...): the
        // general client escapes them, as Go's URL does.
        guard rest[end...].utf8.allSatisfy(Self.isRequestTargetByte) else { return nil }
        var uri = String(rest[end...])
        if uri.isEmpty { uri = "/" } else if uri.hasPrefix("?") { uri = "/" + uri }
        var host = Substring(authority)
        var port = tls ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            host = authority[..<colon]
            port = p
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
        self.authority = String(authority)
        self.uri = uri
    }

    /// RFC 3986's unreserved and reserved characters and `%`: what a path and query may hold
    /// unescaped.
    static func isRequestTargetByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "%"),
             UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default: return false
        }
    }
}

/// Why a fetch on a target's own connection did not produce a page.
enum ScrapeConnectionError: Error, Equatable {
    /// The deadline (the scrape timeout) passed first.
    case timedOut
    /// The target closed the connection before the response was complete.
    case closedEarly
    /// The scrape was stopped.
    case cancelled
    /// The target answered with a redirect, which the general client follows.
    case redirected
}

/// The TLS side of an https target's connection: the scrape config's context and the name
/// the certificate must carry (`tls_config.server_name`, else the host; nil for an IP
/// address, which is then checked against the certificate's IP entries).
struct ScrapeTLS: @unchecked Sendable {
    let context: NIOSSLContext
    let serverHostname: String?

    /// Nil for a `server_name` that is an IP address (no SNI can carry it; the general
    /// client handles that rare case).
    init?(context: NIOSSLContext, serverName: String, host: String) {
        self.context = context
        let name = serverName.isEmpty ? host : serverName
        var v4 = in_addr(), v6 = in6_addr()
        let isIP = inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
        if isIP && !serverName.isEmpty { return nil }
        serverHostname = isIP ? nil : name
    }
}

/// A target's own kept-alive HTTP/1.1 connection, opened on the target loop's event loop and
/// used for every scrape of that target, as Prometheus's transport does.
///
/// Why not AsyncHTTPClient for this: its per-request machinery (pool lookups, the request
/// state machines, the task and its futures) cost a quarter of the process's CPU when
/// scraping small targets every second. A target scraped from one loop needs none of it: one
/// channel, the request head written once per scrape, the page collected into a reused
/// buffer. Redirects are the general client's job; `ScrapeConnectionError.redirected` hands
/// the target over.
///
/// Not thread-safe: everything runs on `eventLoop` (the target loop's).
final class ScrapeConnection: @unchecked Sendable {
    let endpoint: ScrapeEndpoint
    let eventLoop: EventLoop
    let followRedirects: Bool
    let tls: ScrapeTLS?

    private var channel: Channel?
    /// True once `channel` has carried a whole exchange: a close before any response byte
    /// is then the server dropping an idle connection, and the request is sent again once.
    private var channelReused = false
    private var exchange: Exchange?
    private var nextExchangeID: UInt64 = 0

    private struct Exchange {
        let id: UInt64
        let promise: EventLoopPromise<FetchedPage>
        let head: HTTPRequestHead
        let deadline: NIODeadline
        let limit: Int64
        var body: ByteBuffer
        var format = ExpositionFormat.prometheusText
        var keepAlive = true
        var sawResponse = false
        var retried = false
        var timer: Scheduled<Void>?
    }

    /// `tls` is required for an https endpoint.
    init(endpoint: ScrapeEndpoint, eventLoop: EventLoop, followRedirects: Bool, tls: ScrapeTLS? = nil) {
        precondition(endpoint.tls == (tls != nil), "https endpoints need TLS settings, http ones none")
        self.endpoint = endpoint
        self.eventLoop = eventLoop
        self.followRedirects = followRedirects
        self.tls = tls
    }

    /// Sends `head` and collects the page into `body` (cleared first; its storage reused
    /// when it is the only reference), failing at `timeoutMilliseconds` or when the body
    /// grows past `bodySizeLimit` (0: no limit). One fetch at a time.
    func fetch(_ head: HTTPRequestHead, timeoutMilliseconds: Int64, bodySizeLimit: Int64,
               into body: ByteBuffer) -> EventLoopFuture<FetchedPage> {
        eventLoop.preconditionInEventLoop()
        precondition(exchange == nil, "one fetch at a time")
        nextExchangeID &+= 1
        var body = body
        body.clear()
        let deadline = NIODeadline.now() + .milliseconds(timeoutMilliseconds)
        let id = nextExchangeID
        var ex = Exchange(id: id, promise: eventLoop.makePromise(), head: head, deadline: deadline,
                          limit: bodySizeLimit, body: body)
        ex.timer = eventLoop.scheduleTask(deadline: deadline) { [self] in
            guard exchange?.id == id else { return }
            finish(.failure(ScrapeConnectionError.timedOut))
            dropChannel()
        }
        exchange = ex
        send()
        return ex.promise.futureResult
    }

    /// Fails the fetch in flight (if any) and closes the connection.
    func cancel() {
        finish(.failure(ScrapeConnectionError.cancelled))
        dropChannel()
    }

    /// Closes the connection (the target is gone or the loop stopped).
    func close() { dropChannel() }

    private func send() {
        guard let ex = exchange else { return }
        if let channel, channel.isActive {
            channel.write(HTTPClientRequestPart.head(ex.head), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return
        }
        dropChannel()
        let id = ex.id
        let remaining = ex.deadline - .now()
        let tls = tls
        ClientBootstrap(group: eventLoop)
            .connectTimeout(max(remaining, .milliseconds(1)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [weak self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        HTTPRequestEncoder(),
                        ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)),
                        NIOHTTPResponseDecompressor(limit: .none),
                        ResponseForwarder(owner: self),
                    ])
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .whenComplete { [self] result in
                switch result {
                case .success(let c):
                    guard exchange?.id == id, channel == nil else {
                        c.close(promise: nil)
                        return
                    }
                    channel = c
                    channelReused = false
                    send()
                case .failure(let error):
                    guard exchange?.id == id else { return }
                    finish(.failure(error))
                }
            }
    }

    fileprivate func received(_ part: HTTPClientResponsePart, on c: Channel) {
        guard c === channel, exchange != nil else { return }
        exchange!.sawResponse = true
        switch part {
        case .head(let head):
            guard head.status == .ok else {
                let code = Int(head.status.code)
                if followRedirects && [301, 302, 303, 307, 308].contains(code) && head.headers.contains(name: "Location") {
                    finish(.failure(ScrapeConnectionError.redirected))
                } else {
                    let reason = HTTPResponseStatus(statusCode: code).reasonPhrase
                    finish(.failure(ScrapeFetchError(message: "server returned HTTP status \(code) \(reason)")))
                }
                dropChannel()
                return
            }
            exchange!.format = ExpositionFormat.from(contentType: head.headers.first(name: "Content-Type"))
            exchange!.keepAlive = head.isKeepAlive
        case .body(var part):
            let limit = exchange!.limit
            if limit > 0 && Int64(exchange!.body.readableBytes + part.readableBytes) > limit {
                finish(.failure(ScrapeFetchError(message: "body size limit exceeded")))
                dropChannel()
                return
            }
            exchange!.body.writeBuffer(&part)
        case .end:
            let ex = exchange!
            finish(.success(FetchedPage(format: ex.format, body: ex.body)))
            if ex.keepAlive { channelReused = true } else { dropChannel() }
        }
    }

    fileprivate func closed(_ c: Channel) {
        guard c === channel else { return }
        if !retryOnNewChannel() {
            channel = nil
            finish(.failure(ScrapeConnectionError.closedEarly))
        }
    }

    fileprivate func failed(_ error: Error, on c: Channel) {
        guard c === channel else { return }
        // A TLS peer that closes without close_notify: the close that follows ends (or
        // fails) the exchange, as for plain HTTP.
        if case NIOSSLError.uncleanShutdown = error { return }
        if !retryOnNewChannel() {
            finish(.failure(error))
            dropChannel()
        }
    }

    /// A kept-alive connection that fails before any byte of the answer was most likely
    /// closed by the server while idle: the request goes again, once, on a new connection
    /// (Go's transport does the same for GETs).
    private func retryOnNewChannel() -> Bool {
        guard channelReused, let ex = exchange, !ex.sawResponse, !ex.retried else { return false }
        exchange!.retried = true
        dropChannel()
        send()
        return true
    }

    private func finish(_ result: Result<FetchedPage, Error>) {
        guard let ex = exchange else { return }
        exchange = nil
        ex.timer?.cancel()
        ex.promise.completeWith(result)
    }

    /// Forgets the channel, then closes it: closing fires `channelInactive` at once, which
    /// must find it no longer current (a retry in progress would otherwise be failed).
    private func dropChannel() {
        let c = channel
        channel = nil
        channelReused = false
        c?.close(promise: nil)
    }
}

/// The last handler of a scrape connection's pipeline: hands responses, errors and the
/// close to the connection that owns the channel.
private final class ResponseForwarder: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private weak var owner: ScrapeConnection?

    init(owner: ScrapeConnection?) { self.owner = owner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.received(unwrapInboundIn(data), on: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        owner?.closed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        owner?.failed(error, on: context.channel)
    }
}
