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

/// The real thing: a child process running the notifier is killed with SIGKILL after its
/// first notification and started again on the same data directory.
@Suite(.serialized) struct KillRestartTests {
    static func binary() -> URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("vigil-notify-stress")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/vigil-notify-stress")
    }

    static func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = binary()
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        return p
    }

    @Test func killNineBetweenNotificationAndRepeat() async throws {
        let sink = try HTTPSink()
        defer { sink.stop() }
        let dir = Fixtures.tempDir()
        let config = Fixtures.write("""
            route:
              receiver: hook
              group_wait: 500ms
              group_interval: 1s
              repeat_interval: 4s
            receivers:
            - name: hook
              webhook_configs:
              - url: '\(sink.url)/hook'
            """, "am.yml", in: dir)
        let first = try Self.start([config, dir + "/data", "Restarted", "alertname=Other"])
        #expect(await sink.waitFor(1, timeout: 15))
        let sentAt = try #require(sink.requests.first?.at)
        // Let the notification log row land, then kill -9 well before the repeat is due.
        try await Task.sleep(for: .milliseconds(600))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)

        // The active alert written by the dead process is still there.
        let store = try NotifyStore(path: dir + "/data/notify.db")
        #expect(try store.loadAlerts().map(\.labels) == [["alertname": "Restarted"]])
        // So is its silence, still active.
        let silences = try store.loadSilences()
        #expect(silences.count == 1)
        #expect(silences.first?.state(at: Date()) == .active)
        #expect(silences.first?.matchers.map(\.description) == [#"alertname="Other""#])

        let second = try Self.start([config, dir + "/data"])
        defer { kill(second.processIdentifier, SIGKILL); second.waitUntilExit() }
        // No duplicate before repeat_interval has passed since the first notification…
        let quiet = sentAt.addingTimeInterval(3.5).timeIntervalSinceNow
        if quiet > 0 { try await Task.sleep(for: .milliseconds(Int64(quiet * 1000))) }
        #expect(sink.requests.count == 1)
        // …and the repeat is not lost: it comes on the first tick after 4s.
        #expect(await sink.waitFor(2, timeout: 10))
        let repeatGap = sink.requests[1].at.timeIntervalSince(sentAt)
        #expect(repeatGap >= 4 && repeatGap < 7)
    }
}

@Suite struct DamagedStoreTests {
    /// A notify.db that is not a database is moved aside and the notifier starts empty.
    @Test func garbageFileMovedAside() throws {
        let dir = Fixtures.tempDir()
        let path = Fixtures.write(String(repeating: "not a database ", count: 500), "notify.db", in: dir)
        let store = try NotifyStore(path: path)
        try store.saveSilence(Silence(
            id: "s1", matchers: [try Matcher(.equal, "a", "b")], startsAt: Date(), endsAt: Date().addingTimeInterval(60),
            createdBy: "t", comment: "c"))
        #expect(try store.loadSilences().map(\.id) == ["s1"])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.contains { $0.hasPrefix("notify.db.corrupt-") })
    }

    /// A store that cannot be opened for another reason is an error, and nothing is moved.
    @Test func unopenableIsAnError() {
        #expect(throws: (any Error).self) { try NotifyStore(path: "/nonexistent-dir/notify.db") }
    }
}
