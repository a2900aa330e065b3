import Foundation
import Logging
import Synchronization
import Testing
import TSDB
@testable import Server

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `VigilServer` on 127.0.0.1 and an ephemeral port, in a temporary directory.
final class RunningServer: @unchecked Sendable {
    let server: VigilServer
    let dir: String
    let port: Int
    private let task: Task<Void, Error>

    var base: String { "http://127.0.0.1:\(port)" }

    init(configure: (inout VigilServerOptions, String) throws -> Void = { _, _ in },
         before: (VigilServer) throws -> Void = { _ in }) async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-server-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var options = VigilServerOptions()
        options.storagePath = dir + "/data"
        options.listenPort = 0
        options.externalURL = "http://vigil.example:9090"
        options.tsdb.backgroundMaintenance = false
        options.selfMonitorInterval = 0
        try configure(&options, dir)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let server = try VigilServer(options: options, logger: logger)
        try before(server)
        self.server = server
        let ready = AsyncStream<Int>.makeStream()
        task = Task { try await server.run { port in ready.continuation.yield(port) } }
        var it = ready.stream.makeAsyncIterator()
        port = await it.next() ?? 0
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// POST a JSON body.
    func request(_ path: String, json: String) async throws -> (Int, String) {
        var req = URLRequest(url: URL(string: base + path)!)
        req.httpMethod = "POST"
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.httpBody = Data(json.utf8)
        let (data, response) = try await URLSession.shared.data(for: req)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// GET (or POST a form) and return status and body.
    func request(_ path: String, form: String? = nil) async throws -> (Int, String) {
        var req = URLRequest(url: URL(string: base + path)!)
        if let form {
            req.httpMethod = "POST"
            req.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            req.httpBody = Data(form.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: req)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func json(_ path: String, form: String? = nil) async throws -> (Int, [String: Any]) {
        let (code, body) = try await request(path, form: form)
        let obj = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
        return (code, obj)
    }
}

/// Runs a command to completion on a thread of its own, so waiting for it never ties up the
/// cooperative threads the server under test needs.
func runProcess(_ argv: [String]) async throws -> (Int32, String) {
    try await withCheckedThrowingContinuation { cont in
        Thread.detachNewThread {
            do { cont.resume(returning: try runProcessBlocking(argv)) } catch { cont.resume(throwing: error) }
        }
    }
}

func runProcessBlocking(_ argv: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice  // warnings (amtool's version notice, Chromium's D-Bus noise)
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
