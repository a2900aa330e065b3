import Foundation
import Testing
@testable import Server

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `--web.config.file`: basic auth against bcrypt hashes, TLS with the given certificate.
@Suite(.serialized) struct WebConfigTests {
    /// bcrypt of "s3cret" (cost 10).
    static let hash = "$2b$10$yC.Pjeq8IMwfFjF1YhIi6.Xx8hLwJTuhy.xyG8JKXRXmo89zM.He2"

    @Test func basicAuthProtectsEveryEndpoint() async throws {
        let s = try await RunningServer(configure: { o, dir in
            try "basic_auth_users:\n  alice: \(Self.hash)\n".write(toFile: dir + "/web.yml", atomically: true, encoding: .utf8)
            o.webConfigFile = dir + "/web.yml"
        })
        func get(_ user: String?, _ password: String?) async throws -> Int {
            var req = URLRequest(url: URL(string: s.base + "/api/v1/labels")!)
            if let user, let password {
                req.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
            }
            let (_, r) = try await URLSession.shared.data(for: req)
            return (r as? HTTPURLResponse)?.statusCode ?? 0
        }
        #expect(try await get(nil, nil) == 401)
        #expect(try await get("alice", "wrong") == 401)
        #expect(try await get("bob", "s3cret") == 401)
        #expect(try await get("alice", "s3cret") == 200)
        #expect(try await get("alice", "s3cret") == 200)  // remembered: no second bcrypt
        await s.stop()
    }

    @Test func badWebConfigsAreRejectedWithTheirPosition() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-web-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "basic_auth_users:\n  alice: plaintext\n".write(toFile: dir + "/a.yml", atomically: true, encoding: .utf8)
        #expect(throws: WebConfig.LoadError.self) { try WebConfig.load(file: dir + "/a.yml") }
        try "tls_server_config:\n  cert_file: c.pem\nbogus: 1\n".write(toFile: dir + "/b.yml", atomically: true, encoding: .utf8)
        do {
            _ = try WebConfig.load(file: dir + "/b.yml")
            Issue.record("accepted a bad web config")
        } catch {
            #expect(error.description.contains("b.yml:"))
        }
    }

    @Test func tlsServesWithTheGivenCertificate() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { return }
        let s = try await RunningServer(configure: { o, dir in
            let (rc, _) = try runProcessBlocking(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                  "-subj", "/CN=127.0.0.1", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"])
            #expect(rc == 0)
            try "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n".write(toFile: dir + "/web.yml", atomically: true, encoding: .utf8)
            o.webConfigFile = dir + "/web.yml"
        })
        // curl against the self-signed certificate it was given.
        let (rc, out) = try await runProcess(["/usr/bin/curl", "-s", "--cacert", s.dir + "/cert.pem",
                                              "https://127.0.0.1:\(s.port)/-/healthy"])
        #expect(rc == 0)
        #expect(out == "Vigil is Healthy.\n")
        let (plain, _) = try await runProcess(["/usr/bin/curl", "-s", "-o", "/dev/null", "http://127.0.0.1:\(s.port)/-/healthy"])
        #expect(plain != 0)  // plain HTTP is not served
        await s.stop()
    }
}
