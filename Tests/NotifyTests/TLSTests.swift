import Foundation
import Testing
@testable import Notify

/// http_config's tls_config: a receiver behind HTTPS with a private CA.
@Suite(.serialized) struct TLSTests {
    /// A self-signed certificate for 127.0.0.1, made with openssl.
    static func certificate() -> (cert: String, key: String)? {
        let dir = Fixtures.tempDir()
        let (_, _, code) = runProcess("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
            "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        return code == 0 ? (dir + "/cert.pem", dir + "/key.pem") : nil
    }

    static func send(_ sink: HTTPSink, tls: String) async throws -> ReceiverTest.Result {
        let config = try ConfigLoader.parse("""
            route:
              receiver: r
            receivers:
            - name: r
              webhook_configs:
              - url: '\(sink.url)/hook/SECRETPATH'
                http_config:
            \(tls)
            """)
        let options = NotifierOptions(retry: RetryPolicy(attemptTimeout: .seconds(2), initialBackoff: .milliseconds(50)), flushTimeout: 2)
        let r = await ReceiverTest.run(receiver: "r", config: config, templates: Fixtures.templates(), sender: HTTPSender(), store: nil, options: options)
        return try #require(r.results.first)
    }

    @Test func privateCAAndInsecureSkipVerify() async throws {
        guard let files = Self.certificate() else {
            print("skipping: openssl could not make a certificate")
            return
        }
        let sink = try HTTPSink(tls: files)
        defer { sink.stop() }
        let trusted = try await Self.send(sink, tls: "      tls_config:\n        ca_file: \(files.cert)")
        #expect(trusted.delivered, "\(trusted.error)")
        let skipped = try await Self.send(sink, tls: "      tls_config:\n        insecure_skip_verify: true")
        #expect(skipped.delivered, "\(skipped.error)")
        #expect(sink.requests.count == 2)
        #expect(sink.requests.allSatisfy { $0.path == "/hook/SECRETPATH" })
    }

    @Test func untrustedCertificateFailsWithoutLeakingTheURL() async throws {
        guard let files = Self.certificate() else {
            print("skipping: openssl could not make a certificate")
            return
        }
        let sink = try HTTPSink(tls: files)
        defer { sink.stop() }
        let r = try await Self.send(sink, tls: "      follow_redirects: true")
        #expect(!r.delivered)
        #expect(!r.error.contains("SECRETPATH"))
        #expect(sink.requests.isEmpty)
        let missing = try await Self.send(sink, tls: "      tls_config:\n        ca_file: /nonexistent/ca.pem")
        #expect(!missing.delivered)
        #expect(missing.error.hasPrefix("unable to load TLS files"))
    }
}

/// http_config's proxy_url: the client opens a CONNECT tunnel through the proxy to the
/// receiver (the sink is no real proxy, so the delivery itself then fails).
@Suite(.serialized) struct ProxyTests {
    @Test func webhookThroughProxy() async throws {
        let proxy = try HTTPSink()
        defer { proxy.stop() }
        let config = try ConfigLoader.parse("""
            route:
              receiver: r
            receivers:
            - name: r
              webhook_configs:
              - url: 'http://receiver.invalid:8080/hook'
                http_config:
                  proxy_url: '\(proxy.url)'
            """)
        let options = NotifierOptions(retry: RetryPolicy(attemptTimeout: .seconds(1)), flushTimeout: 1)
        _ = await ReceiverTest.run(receiver: "r", config: config, templates: Fixtures.templates(), sender: HTTPSender(), store: nil, options: options)
        #expect(proxy.requests.first?.path == "receiver.invalid:8080")
    }
}
