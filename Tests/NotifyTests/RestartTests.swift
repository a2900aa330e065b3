import Foundation
import Testing
@testable import Notify

/// The state survives a stop without shutdown (the process dying between a notification and
/// its repeat): no duplicate, no lost repeat, silences still active, active alerts restored.
@Suite(.serialized) struct RestartTests {
    @Test func noDuplicateNoLossAcrossRestart() async throws {
        let sink = try HTTPSink()
        defer { sink.stop() }
        let dir = Fixtures.tempDir()
        let yaml = DispatcherTests.seedConfig(sink.url)
        let clock = ManualClock()
        let start = clock.now()
        var first: Dispatcher? = try Dispatcher(
            config: try ConfigLoader.parse(yaml), templates: Fixtures.templates(), store: try NotifyStore(path: dir + "/n.db"),
            sender: HTTPSender(), clock: clock)
        await first!.receive([PostableAlert(labels: ["alertname": "Persist"], annotations: ["summary": "s"], startsAt: start)])
        let silenceID = try first!.silences.set(Silence(
            matchers: try MatcherParser.parseMatchers("alertname=Other"), startsAt: start, endsAt: start.addingTimeInterval(7200),
            createdBy: "t", comment: "c"), now: start)
        clock.set(start.addingTimeInterval(30))
        await first!.tick()
        #expect(sink.requests.count == 1)
        first = nil  // gone without any shutdown step

        clock.set(start.addingTimeInterval(100))
        let second = try Dispatcher(
            config: try ConfigLoader.parse(yaml), templates: Fixtures.templates(), store: try NotifyStore(path: dir + "/n.db"),
            sender: HTTPSender(), clock: clock)
        #expect(await second.activeAlerts().map(\.labels) == [["alertname": "Persist"]])
        #expect(second.silences.get(silenceID)?.state(at: clock.now()) == .active)
        // The restored group flushes at once, but the log says it was sent 70s ago: no duplicate.
        await second.tick()
        #expect(sink.requests.count == 1)
        // The repeat still comes, on the group_interval tick after repeat_interval.
        clock.set(start.addingTimeInterval(400))
        await second.tick()
        #expect(sink.requests.count == 2)
    }
}
