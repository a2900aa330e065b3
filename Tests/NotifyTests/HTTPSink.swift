import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A local HTTP server that records every request body and answers as told: the receiver
/// side of Slack, PagerDuty and webhook tests. Binds 127.0.0.1 on an ephemeral port.
final class HTTPSink: @unchecked Sendable {
    struct Request: Sendable {
        var path: String
        var body: String
        var headers: [(String, String)]
        var at: Date
    }

    /// What to answer the next requests with; when empty, 200 "ok".
    struct Response: Sendable {
        var status: Int = 200
        var headers: [(String, String)] = []
        var body: String = "ok"
        /// Sleep this long before answering (a hanging receiver).
        var delay: TimeInterval = 0
    }

    private let lock = NSLock()
    private var received: [Request] = []
    private var script: [Response] = []
    private var attempts = 0
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel?
    private(set) var port = 0

    private var scheme = "http"
    var url: String { "\(scheme)://127.0.0.1:\(port)" }

    /// With `tls` (PEM certificate and key files), serves HTTPS.
    init(port requested: Int = 0, tls: (cert: String, key: String)? = nil) throws {
        let sslContext = try tls.map { files in
            try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(files.cert).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem))))
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                if let sslContext {
                    do { try ch.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext)) } catch {
                        return ch.eventLoop.makeFailedFuture(error)
                    }
                }
                return ch.pipeline.configureHTTPServerPipeline().flatMap { ch.pipeline.addHandler(Handler(sink: self)) }
            }
        let ch = try bootstrap.bind(host: "127.0.0.1", port: requested).wait()
        channel = ch
        port = ch.localAddress?.port ?? 0
        if tls != nil { scheme = "https" }
    }

    func stop() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// Answers the next requests with these responses, in order.
    func enqueue(_ responses: [Response]) {
        lock.lock(); defer { lock.unlock() }
        script += responses
    }

    var requests: [Request] {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    var bodies: [String] { requests.map(\.body) }

    /// Every request that reached the sink, successful or not.
    var attemptCount: Int {
        lock.lock(); defer { lock.unlock() }
        return attempts
    }

    fileprivate func handle(_ r: Request) -> Response {
        lock.lock(); defer { lock.unlock() }
        attempts += 1
        let resp = script.isEmpty ? Response() : script.removeFirst()
        if (200..<300).contains(resp.status) { received.append(r) }
        return resp
    }

    /// Waits until `n` successful requests arrived or the timeout passes.
    func waitFor(_ n: Int, timeout: TimeInterval = 10) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if requests.count >= n { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return requests.count >= n
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let sink: HTTPSink
        var head: HTTPRequestHead?
        var body = ""

        init(sink: HTTPSink) { self.sink = sink }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = ""
            case .body(var buf):
                body += buf.readString(length: buf.readableBytes) ?? ""
            case .end:
                let req = Request(
                    path: head?.uri ?? "", body: body, headers: head?.headers.map { ($0.name, $0.value) } ?? [], at: Date())
                let resp = sink.handle(req)
                let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
                let send: @Sendable () -> Void = {
                    let context = ctx.value
                    var headers = HTTPHeaders()
                    for (k, v) in resp.headers { headers.add(name: k, value: v) }
                    headers.add(name: "Content-Length", value: String(resp.body.utf8.count))
                    let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: resp.status), headers: headers)
                    context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
                    var buffer = context.channel.allocator.buffer(capacity: resp.body.utf8.count)
                    buffer.writeString(resp.body)
                    context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
                    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
                }
                if resp.delay > 0 {
                    context.eventLoop.scheduleTask(in: .milliseconds(Int64(resp.delay * 1000))) { send() }
                } else {
                    send()
                }
            }
        }
    }
}
