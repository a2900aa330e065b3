import Foundation
import Testing
import TSDB
@testable import Ingest

/// Scraping an https target over the target's own connection: `scheme: https` with
/// `tls_config` (a private CA, or `insecure_skip_verify`), the failure without either, and
/// the certificate's name checked (`server_name`). The target is OpenSSL's own test
/// server (`openssl s_server -HTTP`, a real TLS stack in another process) serving a page file
/// with its HTTP head.
@Suite(.serialized) struct ScrapeTLSTests {
    /// A self-signed certificate for the name `vigil.test` only (not for 127.0.0.1, where the
    /// server listens) and a page, in `dir`; then the server on a free port. Nil when openssl
    /// is missing or fails.
    static func startServer(_ dir: String) throws -> (process: Process, port: Int, cert: String)? {
        let cert = dir + "/cert.pem", key = dir + "/key.pem"
        let gen = Process()
        gen.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        gen.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                         "-subj", "/CN=vigil.test", "-addext", "subjectAltName=DNS:vigil.test"]
        gen.standardOutput = FileHandle.nullDevice
        gen.standardError = FileHandle.nullDevice
        guard (try? gen.run()) != nil else { return nil }
        var status: Int32 = 0
        // waitpid, not waitUntilExit (Foundation's spins off the main thread).
        guard waitpid(gen.processIdentifier, &status, 0) > 0, status == 0 else { return nil }
        let page = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n# TYPE tls_probe gauge\ntls_probe 5\n"
        try Data(page.utf8).write(to: URL(fileURLWithPath: dir + "/metrics"))
        // A free port: bind an ephemeral one, note it, release it.
        let probe = try TestExporter(page: "")
        let port = probe.port
        probe.stop()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-quiet", "-cert", cert, "-key", key, "-accept", "127.0.0.1:\(port)", "-HTTP"]
        server.currentDirectoryURL = URL(fileURLWithPath: dir)
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        return (server, port, cert)
    }

    func scrape(port: Int, _ extra: String, dir: TempDir) async throws -> (TargetStatus?, [(t: Int64, v: Double)]) {
        let db = try openTestDB(dir)
        defer { try? db.close() }
        let yaml = "scrape_configs:\n  - job_name: t\n    scheme: https\n    scrape_interval: 200ms\n    scrape_timeout: 150ms\n"
            + extra + "    static_configs:\n    - targets: ['127.0.0.1:\(port)']\n"
        let manager = ScrapeManager(db: db, logger: quietLogger())
        try await manager.apply(try PrometheusConfig.parse(yaml, file: "t.yml", directory: dir.path))
        _ = await waitUntil(seconds: 10) { manager.activeTargets().first?.health != .unknown }
        let status = manager.activeTargets().first
        await manager.stop()
        return (status, try dump(db, [.equal("__name__", "tls_probe")]).values.first ?? [])
    }

    @Test func privateCAServerNameInsecureSkipVerifyAndFailures() async throws {
        let files = TempDir()
        defer { files.cleanup() }
        guard let (server, port, cert) = try Self.startServer(files.path) else {
            print("skipping: openssl could not make a certificate")
            return
        }
        defer {
            kill(server.processIdentifier, SIGKILL)
            var status: Int32 = 0
            waitpid(server.processIdentifier, &status, 0)
        }
        // The server is up once it accepts a connection.
        let listening = await waitUntil(seconds: 10) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = UInt16(port).bigEndian
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            return withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0
        }
        #expect(listening)

        let d1 = TempDir()
        defer { d1.cleanup() }
        let (trusted, samples) = try await scrape(port: port, "    tls_config:\n      ca_file: \(cert)\n      server_name: vigil.test\n", dir: d1)
        #expect(trusted?.health == .up, "\(trusted?.lastError ?? "")")
        #expect(samples.first?.v == 5)

        let d2 = TempDir()
        defer { d2.cleanup() }
        let (skipped, _) = try await scrape(port: port, "    tls_config:\n      insecure_skip_verify: true\n", dir: d2)
        #expect(skipped?.health == .up, "\(skipped?.lastError ?? "")")

        let d3 = TempDir()
        defer { d3.cleanup() }
        let (untrusted, none) = try await scrape(port: port, "", dir: d3)
        #expect(untrusted?.health == .down)
        #expect(untrusted?.lastError.hasPrefix("Get \"https://127.0.0.1:\(port)/metrics\": ") == true)
        #expect(none.isEmpty)

        // Trusted, but issued for another name than the one scraped (127.0.0.1).
        let d4 = TempDir()
        defer { d4.cleanup() }
        let (mismatch, _) = try await scrape(port: port, "    tls_config:\n      ca_file: \(cert)\n", dir: d4)
        #expect(mismatch?.health == .down)
        #expect(mismatch?.lastError.hasPrefix("Get \"https://127.0.0.1:\(port)/metrics\": ") == true)
    }
}
