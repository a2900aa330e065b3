import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import TSDB
@testable import Ingest

/// A real Prometheus 2.42 scrapes itself and remote-writes into Vigil's receiver, mounted
/// on a local HTTP server the test starts; Vigil's TSDB is then queried.
@Suite(.serialized) struct RemoteWriteFromPrometheusTests {
    static let binary = "/usr/bin/prometheus"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary),
                   "Prometheus 2.42 is not installed at /usr/bin/prometheus (apt-get install prometheus); remote write end to end skipped"))
    func prometheusRemoteWritesIntoVigil() async throws {
        let tmp = TempDir("rw-e2e")
        defer { tmp.cleanup() }
        let db = try openTestDB(tmp)
        defer { try? db.close() }
        let rx = RemoteWriteReceiver(db: db)
        let server = try TestExporter(page: "")
        defer { server.stop() }
        let statuses = StatusLog()
        server.handler = { line, head, body in
            guard line.hasPrefix("POST /api/v1/write ") else { return (404, "not found") }
            func header(_ name: String) -> String? {
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name + ":") }
                    .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
            }
            let r = rx.handle(body: body, contentEncoding: header("content-encoding"), contentType: header("content-type"),
                              protocolVersion: header("x-prometheus-remote-write-version"))
            statuses.add(r.status)
            return (r.status, r.message)
        }
        // Prometheus needs a free port of its own: take one from the kernel, then release it.
        let portProbe = try TestExporter(page: "")
        let promPort = portProbe.port
        portProbe.stop()
        let config = """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: prometheus
            static_configs:
            - targets: ['127.0.0.1:\(promPort)']
        remote_write:
          - url: http://127.0.0.1:\(server.port)/api/v1/write
            queue_config:
              batch_send_deadline: 1s
        """
        try Data(config.utf8).write(to: URL(fileURLWithPath: "\(tmp.path)/prometheus.yml"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["--config.file=\(tmp.path)/prometheus.yml", "--web.listen-address=127.0.0.1:\(promPort)",
                       "--storage.tsdb.path=\(tmp.path)/prom-data"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // SIGKILL: a graceful stop would wait up to a minute flushing its remote-write queue;
        // waitpid, because Foundation's waitUntilExit spins on Linux.
        defer {
            kill(p.processIdentifier, SIGKILL)
            var status: Int32 = 0
            waitpid(p.processIdentifier, &status, 0)
        }
        let arrived = try await waitUntil(seconds: 30) {
            (try dump(db, [.equal("__name__", "up"), .equal("job", "prometheus")]).values.first?.count ?? 0) >= 3
        }
        #expect(arrived)
        #expect(statuses.all.allSatisfy { $0 == 204 })
        let up = try dump(db, [.equal("__name__", "up"), .equal("job", "prometheus")])
        #expect(up.keys.first == "up{instance=\"127.0.0.1:\(promPort)\", job=\"prometheus\"}")
        #expect(up.values.first?.allSatisfy { $0.v == 1 } == true)
        let goroutines = try dump(db, [.equal("__name__", "go_goroutines")])
        #expect(goroutines.count == 1)
        #expect(db.activeSeries > 100)
    }
}

final class StatusLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func add(_ v: Int) { lock.withLock { values.append(v) } }
    var all: [Int] { lock.withLock { values } }
}
