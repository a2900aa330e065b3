import Foundation
import Testing
@testable import Notify

@Suite(.serialized) struct ForwarderTests {
    @Test func recognisesItself() {
        #expect(AlertmanagerForwarder.isSelf("http://127.0.0.1:9090", ownAddress: "127.0.0.1:9090"))
        #expect(AlertmanagerForwarder.isSelf("http://localhost:9090/", ownAddress: "0.0.0.0:9090"))
        #expect(AlertmanagerForwarder.isSelf("localhost:9090", ownAddress: ":9090"))
        #expect(!AlertmanagerForwarder.isSelf("http://127.0.0.1:9093", ownAddress: "127.0.0.1:9090"))
        #expect(!AlertmanagerForwarder.isSelf("http://am-1:9090", ownAddress: "127.0.0.1:9090"))
        let f = AlertmanagerForwarder(targets: ["http://am-1:9093", "http://127.0.0.1:9090"], ownAddress: "127.0.0.1:9090")
        #expect(f.targets == ["http://am-1:9093"])
    }

    /// The real Alertmanager accepts what Vigil forwards and lists it back.
    @Test func realAlertmanagerAcceptsForwardedAlerts() async throws {
        guard referenceAvailable(alertmanagerPath) else { return }
        let sink = try HTTPSink()
        defer { sink.stop() }
        let am = try AlertmanagerProcess(
            config: "route:\n  receiver: hook\nreceivers:\n- name: hook\n  webhook_configs:\n  - url: \(sink.url)/hook\n",
            externalURL: "http://am.example:9093")
        defer { am.stop() }
        #expect(await am.waitReady())
        let f = AlertmanagerForwarder(
            targets: ["http://127.0.0.1:\(am.port)", "http://127.0.0.1:1"], ownAddress: "127.0.0.1:9090",
            policy: RetryPolicy(attemptTimeout: .seconds(1)))
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let results = await f.send([PostableAlert(
            labels: ["alertname": "Forwarded", "severity": "page"], annotations: ["summary": "from vigil <&>"],
            startsAt: start, generatorURL: "http://vigil:9090/graph")])
        #expect(results.count == 2)
        #expect(results[0].delivered)
        #expect(!results[1].delivered)
        let (listing, code) = try await am.http("GET", "/api/v2/alerts", body: nil)
        #expect(code == 200)
        let alerts = try JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [[String: Any]] ?? []
        #expect(alerts.count == 1)
        #expect((alerts.first?["labels"] as? [String: String]) == ["alertname": "Forwarded", "severity": "page"])
        #expect((alerts.first?["annotations"] as? [String: String]) == ["summary": "from vigil <&>"])
        #expect(alerts.first?["startsAt"] as? String == "2026-09-21T14:13:20.000Z")
        #expect(alerts.first?["generatorURL"] as? String == "http://vigil:9090/graph")
    }
}
