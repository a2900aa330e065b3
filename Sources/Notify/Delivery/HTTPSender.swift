import AsyncHTTPClient
import Foundation
import NIOCore

/// How hard to try one notification: per-attempt timeout, exponential backoff between
/// attempts, and an overall deadline (Alertmanager gives a flush until the next
/// group_interval tick).
public struct RetryPolicy: Sendable {
    public var attemptTimeout: Duration
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var multiplier: Double

    public init(
        attemptTimeout: Duration = .seconds(30), initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30), multiplier: Double = 2
    ) {
        self.attemptTimeout = attemptTimeout
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
    }
}

/// The outcome of one notification, after every attempt.
public struct DeliveryResult: Sendable, Equatable {
    public var delivered: Bool
    public var attempts: Int
    public var statusCode: Int?
    /// Redacted: never contains the URL.
    public var error: String
}

/// Posts JSON bodies with retries: network errors, 5xx and 429 are retried with exponential
/// backoff (429 and 503 wait at least their Retry-After), other 4xx fail at once. Errors never
/// contain the URL, which for Slack and webhooks is the secret.
public final class HTTPSender: Sendable {
    let client: HTTPClient
    let transports = HTTPClientCache()
    /// Sends nothing and reports every request delivered: what a backtest replays
    /// notifications through (the bodies still reach the notification history).
    let dryRun: Bool

    /// Uses the process-wide shared client unless given one (which its owner shuts down);
    /// receivers with TLS or proxy settings get their own clients.
    public init(client: HTTPClient = .shared) {
        self.client = client
        self.dryRun = false
    }

    /// A sender that delivers nothing (see `dryRun`).
    public static func dryRun() -> HTTPSender { HTTPSender(dryRun: true) }

    private init(dryRun: Bool) {
        self.client = .shared
        self.dryRun = dryRun
    }

    public func post(
        url: String, body: String, headers: [(String, String)], policy: RetryPolicy, deadline: ContinuousClock.Instant,
        maxAttempts: Int = .max, transport: TransportOptions? = nil
    ) async -> DeliveryResult {
        if dryRun { return DeliveryResult(delivered: true, attempts: 1, statusCode: 200, error: "") }
        let client: HTTPClient
        do {
            client = try transport.map { try transports.client($0) } ?? self.client
        } catch {
            return DeliveryResult(delivered: false, attempts: 0, statusCode: nil, error: "\(error)")
        }
        var attempt = 0
        var backoff = policy.initialBackoff
        var last = DeliveryResult(delivered: false, attempts: 0, statusCode: nil, error: "")
        while true {
            attempt += 1
            var wait = backoff
            let now = ContinuousClock.now
            let timeout = min(policy.attemptTimeout, max(deadline - now, .milliseconds(1)))
            do {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "User-Agent", value: "Alertmanager/0.25.0")
                for (k, v) in headers { request.headers.add(name: k, value: v) }
                request.body = .bytes(ByteBuffer(string: body))
                let ms = Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
                let response = try await client.execute(request, timeout: .milliseconds(ms))
                let code = Int(response.status.code)
                let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
                last = DeliveryResult(delivered: (200..<300).contains(code), attempts: attempt, statusCode: code, error: "")
                if last.delivered { return last }
                last.error = "unexpected status code \(code)" + (text.isEmpty ? "" : ": " + String(redact(text, url: url).prefix(200)))
                let retryable = code >= 500 || code == 429
                if !retryable { return last }
                if let ra = response.headers.first(name: "Retry-After"), let d = HTTPSender.retryAfter(ra) {
                    wait = max(wait, d)
                }
            } catch {
                last = DeliveryResult(delivered: false, attempts: attempt, statusCode: nil, error: redact("\(error)", url: url))
            }
            if attempt >= maxAttempts || ContinuousClock.now + wait >= deadline || Task.isCancelled { return last }
            try? await Task.sleep(for: wait)
            backoff = min(policy.maxBackoff, backoff * policy.multiplier)
        }
    }

    /// `Retry-After`: seconds or an HTTP date.
    static func retryAfter(_ value: String) -> Duration? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let s = Int(v) { return .seconds(max(0, s)) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let d = f.date(from: v) { return .milliseconds(max(0, Int64(d.timeIntervalSinceNow * 1000))) }
        return nil
    }

    func redact(_ s: String, url: String) -> String {
        var out = s.replacingOccurrences(of: url, with: "<secret>")
        if let u = URL(string: url), !u.path.isEmpty, u.path != "/" {
            out = out.replacingOccurrences(of: u.path, with: "<secret>")
        }
        return out
    }
}
