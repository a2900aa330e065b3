import Foundation
import Testing
@testable import Notify

@Suite struct RoutingTests {
    static func tree() throws -> Route { Route(try ConfigLoader.load(file: Fixtures.example("alertmanager-routing.yml")).route) }

    static let labelSets: [[String: String]] = [
        ["severity": "critical", "team": "payment", "alertname": "A"],
        ["severity": "critical"],
        ["severity": "warning", "team": "payment"],
        ["team": "payment"],
        ["severity": "warning"],
        ["foo": "bar"],
        ["severity": "Critical"],
    ]

    static let expected: [[String]] = [
        ["slack-dev-all", "pagerduty-sre"], ["slack-dev-all", "pagerduty-sre"], ["slack-payment"], ["slack-payment"],
        ["slack-default"], ["slack-default"], ["slack-default"],
    ]

    @Test func routesPerExample() throws {
        let t = try Self.tree()
        for (labels, want) in zip(Self.labelSets, Self.expected) {
            #expect(t.match(labels).map(\.options.receiver) == want, "\(labels)")
        }
    }

    @Test func sameAsAmtoolRoutesTest() throws {
        guard referenceAvailable(amtoolPath) else { return }
        let t = try Self.tree()
        for labels in Self.labelSets {
            let args = ["config", "routes", "test", "--config.file=" + Fixtures.example("alertmanager-routing.yml")]
                + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let (out, _, code) = runProcess(amtoolPath, args)
            #expect(code == 0)
            #expect(t.match(labels).map(\.options.receiver).joined(separator: ",") == out.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test func keysAndInheritance() throws {
        let t = try Self.tree()
        #expect(t.key == "{}")
        #expect(t.routes.map(\.key) == [#"{}/{severity="critical"}"#, #"{}/{severity="critical"}"#, #"{}/{team="payment"}"#])
        #expect(t.routes.map(\.id) == [#"{}/{severity="critical"}0"#, #"{}/{severity="critical"}1"#, #"{}/{team="payment"}2"#])
        #expect(t.routes[2].options.groupBy == ["alertname", "application"])
        #expect(t.routes[2].options.repeatInterval == .hours(4))
        let labels = ["alertname": "Down", "application": "pay", "team": "payment", "pod": "p1"]
        #expect(t.routes[2].groupLabels(labels) == ["alertname": "Down", "application": "pay"])
    }

    @Test func inhibitionPerExample() throws {
        let c = try ConfigLoader.load(file: Fixtures.example("alertmanager-routing.yml"))
        let inhibitor = Inhibitor(rules: c.inhibitRules)
        let now = Date()
        func alert(_ l: [String: String], resolved: Bool = false) -> Alert {
            Alert(labels: l, startsAt: now.addingTimeInterval(-60), endsAt: resolved ? now.addingTimeInterval(-1) : now.addingTimeInterval(300), updatedAt: now)
        }
        let critical = alert(["alertname": "Down", "application": "pay", "severity": "critical"])
        let warning = ["alertname": "Down", "application": "pay", "severity": "warning"]
        #expect(inhibitor.isInhibited(warning, by: [critical], now: now))
        // A different application is not inhibited.
        #expect(!inhibitor.isInhibited(["alertname": "Down", "application": "web", "severity": "warning"], by: [critical], now: now))
        // A resolved source no longer inhibits.
        #expect(!inhibitor.isInhibited(warning, by: [alert(critical.labels, resolved: true)], now: now))
        // The critical alert itself is not a target.
        #expect(!inhibitor.isInhibited(critical.labels, by: [critical], now: now))
    }

    @Test func silencesMuteExactlyWhatTheyMatch() throws {
        let silences = try Silences(store: nil)
        let now = Date()
        let id = try silences.set(
            Silence(matchers: try MatcherParser.parseMatchers(#"{team="payment",severity=~"warn.*"}"#), startsAt: now,
                    endsAt: now.addingTimeInterval(3600), createdBy: "me", comment: "deploy"), now: now)
        #expect(!silences.mutingIDs(["team": "payment", "severity": "warning"], now: now).isEmpty)
        #expect(silences.mutingIDs(["team": "payment", "severity": "critical"], now: now).isEmpty)
        #expect(silences.mutingIDs(["team": "web", "severity": "warning"], now: now).isEmpty)
        try silences.expire(id, now: now.addingTimeInterval(10))
        #expect(silences.mutingIDs(["team": "payment", "severity": "warning"], now: now.addingTimeInterval(11)).isEmpty)
        #expect(throws: SilenceError.self) { try silences.expire(id, now: now.addingTimeInterval(12)) }
    }

    @Test func silenceUpdateKeepsOrReplacesID() throws {
        let silences = try Silences(store: nil)
        let now = Date()
        let ms = try MatcherParser.parseMatchers("alertname=Down")
        let id = try silences.set(Silence(matchers: ms, startsAt: now, endsAt: now.addingTimeInterval(3600), createdBy: "a", comment: "c"), now: now)
        var s = try #require(silences.get(id))
        s.endsAt = now.addingTimeInterval(7200)
        s.comment = "longer"
        #expect(try silences.set(s, now: now.addingTimeInterval(5)) == id)
        s.matchers = try MatcherParser.parseMatchers("alertname=Up")
        let newID = try silences.set(s, now: now.addingTimeInterval(6))
        #expect(newID != id)
        #expect(silences.get(id)?.state(at: now.addingTimeInterval(7)) == .expired)
        #expect(throws: SilenceError("at least one matcher must not match the empty string")) {
            try silences.set(Silence(matchers: try MatcherParser.parseMatchers("a=~.*"), startsAt: now, endsAt: now.addingTimeInterval(60), createdBy: "", comment: ""), now: now)
        }
    }
}

@Suite struct InhibitionIndexTests {
    /// The index gives the inhibitor's answer for every pair of a small random population,
    /// and answers a large one quickly.
    @Test func agreesWithInhibitorAndScales() throws {
        let rules = [
            InhibitRuleConfig(sourceMatchers: [try Matcher(.equal, "severity", "critical")], targetMatchers: [try Matcher(.regexp, "severity", "warning|critical")], equal: ["alertname", "app"]),
            InhibitRuleConfig(sourceMatchers: [try Matcher(.equal, "alertname", "NodeDown")], targetMatchers: [try Matcher(.notEqual, "alertname", "NodeDown")], equal: ["node"]),
        ]
        let inhibitor = Inhibitor(rules: rules)
        let now = Date()
        var rng = SystemRandomNumberGenerator()
        func alert(_ i: Int) -> Alert {
            let sev = ["critical", "warning", "info"][Int.random(in: 0..<3, using: &rng)]
            let name = ["Down", "Slow", "NodeDown"][Int.random(in: 0..<3, using: &rng)]
            return Alert(
                labels: ["alertname": name, "severity": sev, "app": "a\(Int.random(in: 0..<3, using: &rng))", "node": "n\(Int.random(in: 0..<4, using: &rng))", "i": "\(i)"],
                startsAt: now, endsAt: i % 7 == 0 ? now.addingTimeInterval(-1) : now.addingTimeInterval(60), updatedAt: now)
        }
        let small = (0..<200).map(alert)
        let index = InhibitionIndex(inhibitor, alerts: small, now: now)
        for a in small {
            #expect(index.inhibitingSource(a.labels) == inhibitor.inhibitingSource(a.labels, by: small, now: now))
        }
        let large = (0..<10_000).map(alert)
        let start = ContinuousClock.now
        let big = InhibitionIndex(inhibitor, alerts: large, now: now)
        let inhibited = large.filter { big.inhibitingSource($0.labels) != nil }.count
        #expect(inhibited > 0)
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
