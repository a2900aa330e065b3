import Foundation
import Logging
import TSDB
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let path: String

    init(_ name: String = "ingest") {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(name)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

func quietLogger() -> Logger {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}

func openTestDB(_ dir: TempDir) throws -> TSDB {
    var o = TSDBOptions()
    o.retentionMilliseconds = 0
    o.backgroundMaintenance = false
    return try TSDB.open(directory: dir.path, options: o, logger: quietLogger())
}

/// Every sample of every series matching `matchers`, keyed by the series' text form.
func dump(_ db: TSDB, _ matchers: [Matcher]) throws -> [String: [(t: Int64, v: Double)]] {
    var out: [String: [(t: Int64, v: Double)]] = [:]
    for s in try db.querier(mint: .min, maxt: .max).select(matchers) {
        out[s.labels.description] = s.samples()
    }
    return out
}

func isStale(_ v: Double) -> Bool { v.bitPattern == 0x7FF0_0000_0000_0002 }

/// A real HTTP/1.1 exporter on 127.0.0.1 (ephemeral port) over plain POSIX sockets, serving
/// whatever `page` is set to, one request per connection. `stop()` closes the listening
/// socket: later scrapes get "connection refused", like a target that died.
final class TestExporter: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var pageValue: String
    private var contentTypeValue = "text/plain; version=0.0.4; charset=utf-8"
    private var stopped = false
    private(set) var requests: [String] = []
    private var thread: Thread?

    init(page: String) throws {
        pageValue = page
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        fd = sock
        var one: Int32 = 1
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(sock, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let listener = fd
        let t = Thread { [self] in while serveOne(listener) {} }
        thread = t
        t.start()
    }

    var page: String {
        get { lock.withLock { pageValue } }
        set { lock.withLock { pageValue = newValue } }
    }

    var contentType: String {
        get { lock.withLock { contentTypeValue } }
        set { lock.withLock { contentTypeValue = newValue } }
    }

    var requestCount: Int { lock.withLock { requests.count } }

    /// Served instead of `page` when set, with `Content-Encoding: gzip` (a compressed page).
    var gzipBody: [UInt8]? {
        get { lock.withLock { gzipValue } }
        set { lock.withLock { gzipValue = newValue } }
    }
    private var gzipValue: [UInt8]?

    func stop() {
        lock.withLock { stopped = true }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// Answers requests itself instead of serving `page` when set: (method+path, headers
    /// text, body) → (status, body).
    var handler: (@Sendable (String, String, [UInt8]) -> (Int, String))? {
        get { lock.withLock { handlerValue } }
        set { lock.withLock { handlerValue = newValue } }
    }
    private var handlerValue: (@Sendable (String, String, [UInt8]) -> (Int, String))?

    /// Writes these bytes as the whole answer (status line, headers, body) when it
    /// returns some for a request's head: redirects, chunked bodies, bodies up to EOF.
    var rawResponder: (@Sendable (String) -> [UInt8]?)? {
        get { lock.withLock { rawResponderValue } }
        set { lock.withLock { rawResponderValue = newValue } }
    }
    private var rawResponderValue: (@Sendable (String) -> [UInt8]?)?

    /// What the exporter does with a connection after an answer.
    enum ConnectionMode: Sendable {
        /// One request per connection, announced with `Connection: close` (the default).
        case closeAfterEachAnswer
        /// HTTP/1.1 keep-alive; connections are served one at a time.
        case keepAlive
        /// Keep-alive announced, yet each connection closed after one answer: a server
        /// dropping an idle kept-alive connection.
        case keepAliveDroppedAfterEachAnswer
        /// Keep-alive announced; the second request of a connection gets no answer, the
        /// connection is closed (or reset with RST) on reading it: a server that closed an
        /// idle connection just as a request was sent on it.
        case keepAliveClosedOnSecondRequest(reset: Bool)
    }

    var mode: ConnectionMode {
        get { lock.withLock { modeValue } }
        set { lock.withLock { modeValue = newValue } }
    }
    private var modeValue = ConnectionMode.closeAfterEachAnswer

    /// Connections accepted so far.
    var connectionCount: Int { lock.withLock { connections } }
    private var connections = 0

    private func serveOne(_ listener: Int32) -> Bool {
        let c = accept(listener, nil, nil)
        if c < 0 { return !lock.withLock { stopped } && errno == EINTR }
        defer { close(c) }
        lock.withLock { connections += 1 }
        var index = 0
        while serveRequest(c, index: index) {
            switch mode {
            case .keepAlive, .keepAliveClosedOnSecondRequest: index += 1
            case .closeAfterEachAnswer, .keepAliveDroppedAfterEachAnswer: return true
            }
        }
        return true
    }

    /// Reads one request from `c` and answers it; false when the peer closed first.
    private func serveRequest(_ c: Int32, index: Int) -> Bool {
        var req = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        var headerEnd = -1
        while headerEnd < 0 {
            let n = read(c, &buf, buf.count)
            if n <= 0 { return false }
            req += buf[0..<n]
            if let r = String(decoding: req, as: UTF8.self).range(of: "\r\n\r\n") {
                headerEnd = String(decoding: req, as: UTF8.self)[..<r.upperBound].utf8.count
            }
        }
        let head = String(decoding: req[..<headerEnd], as: UTF8.self)
        var contentLength = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            contentLength = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while req.count < headerEnd + contentLength {
            let n = read(c, &buf, buf.count)
            if n <= 0 { break }
            req += buf[0..<n]
        }
        let body = Array(req[headerEnd...])
        let (page, ct, h) = lock.withLock { () -> (String, String, (@Sendable (String, String, [UInt8]) -> (Int, String))?) in
            requests.append(head)
            return (pageValue, contentTypeValue, handlerValue)
        }
        if index > 0, case .keepAliveClosedOnSecondRequest(let reset) = mode {
            if reset {
                var l = linger(l_onoff: 1, l_linger: 0)
                setsockopt(c, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
            }
            return false
        }
        if let raw = lock.withLock({ rawResponderValue })?(head) {
            writeAll(c, raw)
            return true
        }
        var status = 200, text = page
        if let h {
            let requestLine = String(head.prefix { $0 != "\r" })
            (status, text) = h(requestLine, head, body)
        }
        let gz = lock.withLock { gzipValue }
        let bytes = gz ?? Array(text.utf8)
        let reason = status == 200 ? "OK" : status == 204 ? "No Content" : "Error"
        let encoding = gz == nil ? "" : "Content-Encoding: gzip\r\n"
        let announceClose: Bool
        if case .closeAfterEachAnswer = mode { announceClose = true } else { announceClose = false }
        let response = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(ct)\r\n\(encoding)Content-Length: \(bytes.count)\r\n\(announceClose ? "Connection: close\r\n" : "")\r\n"
        writeAll(c, Array(response.utf8) + (status == 204 ? [] : bytes))
        return true
    }

    private func writeAll(_ c: Int32, _ out: [UInt8]) {
        var off = 0
        while off < out.count {
            let n = out[off...].withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            off += n
        }
    }
}

/// Polls `condition` every 50 ms for up to `seconds`.
func waitUntil(seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(nanoseconds: 50_000_000)
    }
    return try condition()
}

/// `text` compressed by the system's gzip (Debian's essential `gzip` package).
func gzipped(_ text: String) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-c"]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    var status: Int32 = 0
    waitpid(p.processIdentifier, &status, 0)
    return Array(data)
}
