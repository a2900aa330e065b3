import Foundation
import Ingest
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A local remote-write receiver for tests: decodes every accepted request (snappy +
/// protobuf, with Vigil's own decoder) into series and samples, and answers as scripted —
/// a status, a Retry-After, or hanging before it answers. Binds 127.0.0.1.
final class RemoteWriteSink: Sendable {
    struct Reply: Sendable {
        var status = 204
        var retryAfter: String?
        /// Seconds to wait before answering (a hanging receiver).
        var delay: Double = 0
    }

    struct State {
        var script: [Reply] = []
        /// When set, every request gets this once the script is used up.
        var fallback = Reply()
        var attempts = 0
        var statuses: [Int] = []
        /// Series text → samples, in arrival order.
        var series: [String: [(t: Int64, v: Double)]] = [:]
        var requestHeaders: [[String: String]] = []
        var timeseriesPerRequest: [Int] = []
        /// `WriteRequest.metadata` entries by family name: (type enum, help, unit).
        var metadata: [String: (type: UInt64, help: String, unit: String)] = [:]
    }

    let state = Mutex(State())
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: Channel
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/api/v1/write" }

    init(port requested: Int = 0) throws {
        let box = SinkBox()
        let ch = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.pipeline.configureHTTPServerPipeline().flatMap { ch.pipeline.addHandler(Handler(box: box)) }
            }
            .bind(host: "127.0.0.1", port: requested).wait()
        channel = ch
        port = ch.localAddress?.port ?? 0
        box.sink = self
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    func enqueue(_ replies: [Reply]) { state.withLock { $0.script += replies } }
    func setFallback(_ r: Reply) { state.withLock { $0.fallback = r } }

    var samples: [String: [(t: Int64, v: Double)]] { state.withLock { $0.series } }
    var sampleCount: Int { state.withLock { $0.series.values.reduce(0) { $0 + $1.count } } }
    var attempts: Int { state.withLock { $0.attempts } }
    var statuses: [Int] { state.withLock { $0.statuses } }

    /// Waits until `condition` holds or `timeout` seconds pass.
    func wait(timeout: Double = 15, _ condition: (RemoteWriteSink) -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(self)
    }

    fileprivate func handle(body: [UInt8], headers: [String: String]) -> Reply {
        state.withLock { s in
            s.attempts += 1
            let reply = s.script.isEmpty ? s.fallback : s.script.removeFirst()
            s.statuses.append(reply.status)
            guard reply.status / 100 == 2 else { return reply }
            s.requestHeaders.append(headers)
            let raw = body.withUnsafeBytes { try? Snappy.decompress($0, limit: 64 << 20) } ?? []
            raw.withUnsafeBufferPointer { p in
                var d = WriteRequestDecoder(bytes: p)
                var n = 0
                while (try? d.nextSeries()) == true {
                    n += 1
                    let key = "{" + d.labels.map { "\(d.text($0.name))=\"\(d.text($0.value))\"" }.joined(separator: ",") + "}"
                    try? d.forEachSample { t, v in s.series[key, default: []].append((t, v)) }
                }
                s.timeseriesPerRequest.append(n)
            }
            for (name, entry) in Self.metadata(in: raw) { s.metadata[name] = entry }
            return reply
        }
    }

    /// The `metadata` (field 3) entries of a WriteRequest, by a minimal protobuf walk.
    static func metadata(in raw: [UInt8]) -> [(String, (type: UInt64, help: String, unit: String))] {
        func varint(_ b: [UInt8], _ i: inout Int) -> UInt64 {
            var x: UInt64 = 0, shift: UInt64 = 0
            while i < b.count {
                let c = b[i]
                i += 1
                x |= UInt64(c & 0x7F) << shift
                if c < 0x80 { break }
                shift += 7
            }
            return x
        }
        func fields(_ b: [UInt8]) -> [(Int, UInt64, [UInt8])] {
            var out: [(Int, UInt64, [UInt8])] = []
            var i = 0
            while i < b.count {
                let tag = varint(b, &i)
                switch tag & 7 {
                case 0: out.append((Int(tag >> 3), varint(b, &i), []))
                case 1: i += 8
                case 2:
                    let n = Int(varint(b, &i))
                    out.append((Int(tag >> 3), 0, Array(b[i..<min(i + n, b.count)])))
                    i += n
                default: return out
                }
            }
            return out
        }
        var result: [(String, (type: UInt64, help: String, unit: String))] = []
        for (field, _, bytes) in fields(raw) where field == 3 {
            var name = "", help = "", unit = "", type: UInt64 = 0
            for (f, v, b) in fields(bytes) {
                switch f {
                case 1: type = v
                case 2: name = String(decoding: b, as: UTF8.self)
                case 4: help = String(decoding: b, as: UTF8.self)
                case 5: unit = String(decoding: b, as: UTF8.self)
                default: break
                }
            }
            result.append((name, (type, help, unit)))
        }
        return result
    }

    final class SinkBox: @unchecked Sendable { weak var sink: RemoteWriteSink? }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let box: SinkBox
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(box: SinkBox) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = []
            case .body(let buf):
                body += buf.readableBytesView
            case .end:
                var headers: [String: String] = [:]
                for (k, v) in head?.headers ?? [:] { headers[k.lowercased()] = v }
                guard let sink = box.sink else { return }
                let reply = sink.handle(body: body, headers: headers)
                let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
                let send: @Sendable () -> Void = {
                    let context = ctx.value
                    var h = HTTPHeaders()
                    if let ra = reply.retryAfter { h.add(name: "Retry-After", value: ra) }
                    let text = reply.status / 100 == 2 ? "" : "status \(reply.status)\n"
                    h.add(name: "Content-Length", value: String(text.utf8.count))
                    context.write(NIOAny(HTTPServerResponsePart.head(
                        HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: h))), promise: nil)
                    var b = context.channel.allocator.buffer(capacity: text.utf8.count)
                    b.writeString(text)
                    context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(b))), promise: nil)
                    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
                }
                if reply.delay > 0 {
                    context.eventLoop.scheduleTask(in: .milliseconds(Int64(reply.delay * 1000))) { send() }
                } else {
                    send()
                }
            }
        }
    }
}
