import Foundation
import NIOSSL

/// What an `HTTPClientConfig` means for an outgoing request (a scrape, a remote write):
/// its TLS settings and its Authorization header.
extension HTTPClientConfig {
    /// The TLS configuration when the settings differ from the defaults; nil: the defaults do.
    public func customTLSConfiguration() throws -> TLSConfiguration? {
        let t = tls
        guard !t.caFile.isEmpty || !t.certFile.isEmpty || t.insecureSkipVerify || !t.serverName.isEmpty else { return nil }
        var c = TLSConfiguration.makeClientConfiguration()
        if t.insecureSkipVerify { c.certificateVerification = .none }
        if !t.caFile.isEmpty { c.trustRoots = .file(t.caFile) }
        if !t.certFile.isEmpty {
            c.certificateChain = try NIOSSLCertificate.fromPEMFile(t.certFile).map { .certificate($0) }
        }
        if !t.keyFile.isEmpty { c.privateKey = .privateKey(try NIOSSLPrivateKey(file: t.keyFile, format: .pem)) }
        if t.minVersion == "TLS13" { c.minimumTLSVersion = .tlsv13 } else if t.minVersion == "TLS12" { c.minimumTLSVersion = .tlsv12 }
        return c
    }

    /// The Authorization header for basic auth or a bearer/typed credential, reading `*_file`
    /// settings at each call as Prometheus does (so rotated secrets are picked up). The error
    /// message names the file, never a secret.
    public func authorizationHeader() throws(HTTPCredentialError) -> String? {
        func readFile(_ path: String) throws(HTTPCredentialError) -> String {
            guard let d = FileManager.default.contents(atPath: path) else {
                throw HTTPCredentialError(message: "unable to read file \(path)")
            }
            return String(decoding: d, as: UTF8.self).trimmingCharacters(in: " \t\r\n")
        }
        if let b = basicAuth {
            let password = b.passwordFile.isEmpty ? b.password.value : try readFile(b.passwordFile)
            return "Basic " + Data("\(b.username):\(password)".utf8).base64EncodedString()
        }
        if let a = authorization {
            let cred = a.credentialsFile.isEmpty ? a.credentials.value : try readFile(a.credentialsFile)
            return "\(a.type) \(cred)"
        }
        return nil
    }

    /// A URL without user:password, for messages and labels.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + "xxxxx@" + url[url.index(after: at)...]
    }
}

/// A credential file that could not be read.
public struct HTTPCredentialError: Error, Sendable { public var message: String }
