import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real Alertmanager 0.25 (Debian's prometheus-alertmanager) on 127.0.0.1, clustering
/// off, for differential tests. Stopped by its PID.
final class AlertmanagerProcess {
    let process = Process()
    let port: Int
    let dir: String


    init(config: String, externalURL: String) throws {
        dir = Fixtures.tempDir()
        let probe = try HTTPSink()
        port = probe.port
        probe.stop()
        let configPath = Fixtures.write(config, "am.yml", in: dir)
        process.executableURL = URL(fileURLWithPath: alertmanagerPath)
        process.arguments = [
            "--config.file=\(configPath)", "--storage.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=", "--web.external-url=\(externalURL)", "--log.level=warn",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    /// Waits for /-/ready.
    func waitReady() async -> Bool {
        for _ in 0..<100 {
            if let (_, code) = try? await http("GET", "/-/ready", body: nil), code == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func post(alerts json: String) async throws -> Int {
        try await http("POST", "/api/v2/alerts", body: json).1
    }

    func http(_ method: String, _ path: String, body: String?) async throws -> (String, Int) {
        var req = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        req.httpMethod = method
        if let body {
            req.httpBody = Data(body.utf8)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, resp) = try await URLSession.shared.data(for: req)
        return (String(decoding: data, as: UTF8.self), (resp as? HTTPURLResponse)?.statusCode ?? 0)
    }
}
