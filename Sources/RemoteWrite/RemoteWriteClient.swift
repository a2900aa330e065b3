import AsyncHTTPClient
import Foundation
import Ingest
import NIOCore
import NIOHTTP1

/// How one remote-write request ended, as Prometheus 2.42 classifies it.
enum SendOutcome: Sendable, Equatable {
    case sent
    /// 5xx, 429 with `retry_on_http_429`, a timeout or a connection error: try again, after
    /// `retryAfter` seconds when the server said so.
    case recoverable(message: String, retryAfter: Double?)
    /// Any other answer: the samples are given up.
    case failed(message: String)
}

/// POSTs remote-write bodies to one URL with the config's headers and credentials.
struct RemoteWriteClient: Sendable {
    static let userAgent = "Vigil/0.1 (Prometheus/2.42-compatible remote write)"

    let client: HTTPClient
    let url: String
    let headers: [(String, String)]
    let http: HTTPClientConfig
    let timeoutMilliseconds: Int64
    let retryOn429: Bool

    func send(_ body: ByteBuffer) async -> SendOutcome {
        var req = HTTPClientRequest(url: url)
        req.method = .POST
        req.headers.add(name: "Content-Encoding", value: "snappy")
        req.headers.add(name: "Content-Type", value: "application/x-protobuf")
        req.headers.add(name: "User-Agent", value: Self.userAgent)
        req.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
        for (k, v) in headers { req.headers.replaceOrAdd(name: k, value: v) }
        do {
            if let a = try http.authorizationHeader() { req.headers.replaceOrAdd(name: "Authorization", value: a) }
        } catch {
            return .failed(message: error.message)
        }
        req.body = .bytes(body)
        let shown = HTTPClientConfig.redacted(url)
        do {
            let response = try await client.execute(req, timeout: .milliseconds(timeoutMilliseconds))
            // Read (at most a line of) the body so the connection can be reused.
            var firstLine = ""
            var collected = ByteBuffer()
            for try await var chunk in response.body where collected.readableBytes < 1024 {
                collected.writeBuffer(&chunk)
            }
            if let s = collected.getString(at: collected.readerIndex, length: min(collected.readableBytes, 1024)) {
                firstLine = String(s.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            }
            let code = Int(response.status.code)
            if code / 100 == 2 { return .sent }
            let message = "server returned HTTP status \(code) \(response.status.reasonPhrase): \(firstLine)"
            if code / 100 == 5 || (code == 429 && retryOn429) {
                return .recoverable(message: message, retryAfter: Self.retryAfter(response.headers.first(name: "Retry-After")))
            }
            return .failed(message: message)
        } catch let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            return .recoverable(message: "Post \"\(shown)\": context deadline exceeded", retryAfter: nil)
        } catch {
            return .recoverable(message: "Post \"\(shown)\": \(error)", retryAfter: nil)
        }
    }

    /// Seconds from a `Retry-After` header: delta-seconds or an HTTP date.
    static func retryAfter(_ value: String?) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let s = Int(value) { return s > 0 ? Double(s) : nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let d = f.date(from: value) else { return nil }
        let s = d.timeIntervalSinceNow
        return s > 0 ? s : nil
    }
}
