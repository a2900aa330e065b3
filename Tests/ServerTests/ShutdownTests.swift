import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real binary: `vigil run` acknowledges an import, SIGTERM stops it cleanly (exit 0),
/// and everything acknowledged is there when the directory is opened again.
@Suite(.serialized) struct ShutdownTests {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/debug/vigil").standardized.path

    @Test func sigtermLosesNothingAcknowledged() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("\(Self.binary) missing: build the vigil product first (swift build)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sigterm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = Int.random(in: 20000..<40000)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["run", "--storage.tsdb.path", dir + "/data", "--web.listen-address", "127.0.0.1:\(port)",
                       "--self-monitor.interval", "0", "--log.level", "warn"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() } }

        // Wait for the listener, then import 500 samples with timestamps.
        var up = false
        for _ in 0..<100 where !up {
            try await Task.sleep(for: .milliseconds(100))
            if let (_, r) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/-/ready")!) {
                up = (r as? HTTPURLResponse)?.statusCode == 200
            }
        }
        #expect(up)
        let t0: Int64 = 1_700_000_000_000
        var body = ""
        for i in 0..<500 { body += "acked_total{i=\"\(i % 5)\"} \(i) \(t0 + Int64(i) * 1000)\n" }
        var req = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/import/prometheus")!)
        req.httpMethod = "POST"
        req.httpBody = Data(body.utf8)
        let (_, resp) = try await URLSession.shared.data(for: req)
        #expect((resp as? HTTPURLResponse)?.statusCode == 204)

        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!p.isRunning)
        #expect(p.terminationStatus == 0)

        let (rc, out) = try await runProcess([Self.binary, "query", "--storage.tsdb.path", dir + "/data",
                                              "--time", "\(t0 / 1000 + 500)", "count_over_time(acked_total[10m])"])
        #expect(rc == 0)
        let counts = out.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } }
        #expect(counts.count == 5)
        #expect(counts.reduce(0, +) == 500)
    }
}
