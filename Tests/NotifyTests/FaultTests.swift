import Foundation
import Testing
@testable import Notify

/// Receivers that fail: 5xx, 429 with Retry-After, hanging past the timeout, refusing
/// connections, 4xx. The notification arrives once the sink recovers, exactly once.
@Suite(.serialized) struct FaultTests {
    static let fast = RetryPolicy(attemptTimeout: .milliseconds(400), initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(400))

    static func harness(sink: HTTPSink? = nil, url: String? = nil, flushTimeout: TimeInterval = 5) throws -> DispatcherTests.Harness {
        try DispatcherTests.harness({ sinkURL in
            let u = url ?? sinkURL
            return "route:\n  receiver: hook\n  group_wait: 10s\n  group_interval: 1m\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: \(u)/hook\n"
        }, options: NotifierOptions(retry: fast, flushTimeout: flushTimeout), sink: sink)
    }

    static func fire(_ h: DispatcherTests.Harness) async {
        await h.dispatcher.receive([PostableAlert(labels: ["alertname": "Fault"], startsAt: h.start)])
        h.clock.advance(by: 10)
        await h.dispatcher.tick()
    }

    @Test func retriesServerErrors() async throws {
        let h = try Self.harness()
        defer { h.sink.stop() }
        h.sink.enqueue([.init(status: 500), .init(status: 502)])
        await Self.fire(h)
        #expect(h.sink.requests.count == 1)
        #expect(h.sink.attemptCount == 3)
        #expect(try h.store.history().first?.attempts == 3)
        #expect(await h.dispatcher.deliveryCounters(receiver: "hook") == DeliveryCounters(sent: 1, failed: 0))
    }

    @Test func honoursRetryAfter() async throws {
        let h = try Self.harness()
        defer { h.sink.stop() }
        h.sink.enqueue([.init(status: 429, headers: [("Retry-After", "1")])])
        let t0 = Date()
        await Self.fire(h)
        #expect(h.sink.requests.count == 1)
        #expect(h.sink.attemptCount == 2)
        let gap = h.sink.requests[0].at.timeIntervalSince(t0)
        #expect(gap >= 1.0)
    }

    @Test func noRetryOnClientError() async throws {
        let h = try Self.harness()
        defer { h.sink.stop() }
        h.sink.enqueue([.init(status: 400, body: "bad request")])
        await Self.fire(h)
        #expect(h.sink.attemptCount == 1)
        let record = try #require(try h.store.history().first)
        #expect(record.outcome == .failed)
        #expect(record.error == "unexpected status code 400: bad request")
        #expect(await h.dispatcher.deliveryCounters(receiver: "hook") == DeliveryCounters(sent: 0, failed: 1))
        // The next group_interval tick tries again (nothing was logged as sent).
        h.clock.advance(by: 60)
        await h.dispatcher.tick()
        #expect(h.sink.requests.count == 1)
    }

    @Test func hangingReceiverTimesOutAndIsRetried() async throws {
        let h = try Self.harness()
        defer { h.sink.stop() }
        h.sink.enqueue([.init(status: 500, delay: 2)])
        await Self.fire(h)
        #expect(h.sink.requests.count == 1)
        #expect(try h.store.history().first?.attempts == 2)
    }

    @Test func refusedThenRecoveredArrivesExactlyOnce() async throws {
        let probe = try HTTPSink()
        let port = probe.port
        probe.stop()
        // Nothing listens on the port: every attempt of the first flush is refused.
        let placeholder = try HTTPSink()
        let h = try Self.harness(sink: placeholder, url: "http://127.0.0.1:\(port)", flushTimeout: 1)
        await Self.fire(h)
        let first = try h.store.history()
        #expect(first.count == 1)
        #expect(first.first?.outcome == .failed)
        #expect(first.first?.error.contains("127.0.0.1:\(port)/hook") == false)
        let sink = try HTTPSink(port: port)
        defer { sink.stop(); placeholder.stop() }
        for _ in 0..<3 {
            h.clock.advance(by: 60)
            await h.dispatcher.tick()
        }
        #expect(sink.requests.count == 1)
        #expect(await h.dispatcher.deliveryCounters(receiver: "hook") == DeliveryCounters(sent: 1, failed: 1))
    }

    @Test func failingReceiverDoesNotBlockOthers() async throws {
        let slow = try HTTPSink()
        let fastSink = try HTTPSink()
        defer { slow.stop(); fastSink.stop() }
        slow.enqueue(Array(repeating: HTTPSink.Response(status: 503), count: 100))
        let h = try DispatcherTests.harness({ _ in
            """
            route:
              receiver: a
              group_wait: 10s
              routes:
              - matchers: [team=a]
                receiver: a
              - matchers: [team=b]
                receiver: b
            receivers:
            - name: a
              webhook_configs:
              - url: \(slow.url)/a
            - name: b
              webhook_configs:
              - url: \(fastSink.url)/b
            """
        }, options: NotifierOptions(retry: Self.fast, flushTimeout: 3), sink: fastSink)
        await h.dispatcher.receive([
            PostableAlert(labels: ["alertname": "X", "team": "a"], startsAt: h.start),
            PostableAlert(labels: ["alertname": "X", "team": "b"], startsAt: h.start),
        ])
        h.clock.advance(by: 10)
        await h.dispatcher.tick(wait: false)
        #expect(await fastSink.waitFor(1, timeout: 1.5))
        #expect(slow.requests.isEmpty)
    }
}
