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

    /// A CA, a server certificate for 127.0.0.1 and a client certificate it signed, plus a
    /// client certificate it did not sign, made with the openssl CLI in `dir`.
    static func makeCertificates(in dir: String) throws {
        func run(_ args: [String]) throws {
            let (rc, _) = try runProcessBlocking(["/usr/bin/openssl"] + args)
            #expect(rc == 0, "openssl \(args.joined(separator: " "))")
        }
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Test CA",
                 "-keyout", dir + "/ca.key", "-out", dir + "/ca.pem"])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: dir + "/san.ext", atomically: true, encoding: .utf8)
        for (name, cn) in [("server", "127.0.0.1"), ("client", "grafana")] {
            try run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(cn)", "-keyout", "\(dir)/\(name).key",
                     "-out", "\(dir)/\(name).csr"])
            try run(["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca.key",
                     "-CAcreateserial", "-days", "1", "-extfile", dir + "/san.ext", "-out", "\(dir)/\(name).pem"])
        }
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=stranger",
                 "-keyout", dir + "/stranger.key", "-out", dir + "/stranger.pem"])
    }

    @Test func clientCertificatesVersionsAndCipherSuites() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { return }
        let s = try await RunningServer(configure: { o, dir in
            try Self.makeCertificates(in: dir)
            try """
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.pem
                  min_version: TLS12
                  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
                  curve_preferences: [X25519, CurveP256]
                  prefer_server_cipher_suites: true

                """.write(toFile: dir + "/web.yml", atomically: true, encoding: .utf8)
            o.webConfigFile = dir + "/web.yml"
        })
        let url = "https://127.0.0.1:\(s.port)/-/healthy"
        func curl(_ extra: [String]) async throws -> (Int32, String) {
            try await runProcess(["/usr/bin/curl", "-s", "--cacert", s.dir + "/ca.pem"] + extra + [url])
        }
        let mine = ["--cert", s.dir + "/client.pem", "--key", s.dir + "/client.key"]
        #expect(try await curl(mine) == (0, "Vigil is Healthy.\n"))
        #expect(try await curl([]).0 != 0)  // no client certificate
        #expect(try await curl(["--cert", s.dir + "/stranger.pem", "--key", s.dir + "/stranger.key"]).0 != 0)
        // TLS 1.2 with the one allowed suite, not with another; TLS 1.1 not at all.
        #expect(try await curl(mine + ["--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256"]).1 == "Vigil is Healthy.\n")
        #expect(try await curl(mine + ["--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES256-GCM-SHA384"]).0 != 0)
        #expect(try await curl(mine + ["--tlsv1.1", "--tls-max", "1.1"]).0 != 0)
        await s.stop()

        // VerifyClientCertIfGiven: no certificate is fine, a foreign one is not.
        let lenient = try await RunningServer(configure: { o, dir in
            try Self.makeCertificates(in: dir)
            try "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.pem\n"
                .write(toFile: dir + "/web.yml", atomically: true, encoding: .utf8)
            o.webConfigFile = dir + "/web.yml"
        })
        let lurl = "https://127.0.0.1:\(lenient.port)/-/healthy"
        #expect(try await runProcess(["/usr/bin/curl", "-s", "--cacert", lenient.dir + "/ca.pem", lurl]).1 == "Vigil is Healthy.\n")
        #expect(try await runProcess(["/usr/bin/curl", "-s", "--cacert", lenient.dir + "/ca.pem", "--cert", lenient.dir + "/stranger.pem",
                                      "--key", lenient.dir + "/stranger.key", lurl]).0 != 0)
        await lenient.stop()
    }

    @Test func tlsSettingsAreValidatedLikeExporterToolkit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-web-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, String)] = [
            ("client_ca_file: ca.pem", "without a Client Auth Policy"),
            ("client_auth_type: RequireAndVerifyClientCert", "needs client_ca_file"),
            ("client_auth_type: Sometimes", "invalid ClientAuth"),
            ("client_auth_type: RequireAnyClientCert\n  client_ca_file: ca.pem", "not supported"),
            ("min_version: TLS14", "unknown TLS version: TLS14"),
            ("min_version: TLS13\n  max_version: TLS12", "max_version must be greater than or equal to min_version"),
            ("cipher_suites: [TLS_NULL]", "unknown cipher: TLS_NULL"),
            ("curve_preferences: [Curve25519]", "unknown curve: Curve25519"),
        ]
        for (extra, message) in cases {
            try "tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n  \(extra)\n".write(toFile: dir + "/w.yml", atomically: true, encoding: .utf8)
            do {
                _ = try WebConfig.load(file: dir + "/w.yml")
                Issue.record("accepted: \(extra)")
            } catch {
                #expect(error.description.contains(message), "\(extra): \(error.description)")
                #expect(error.description.contains("w.yml:"))
            }
        }
    }
}
