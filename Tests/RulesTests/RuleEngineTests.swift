import Foundation
import PromQL
import Synchronization
import Testing
import TSDB
@testable import Rules

/// A TSDB in a fresh temporary directory, removed afterwards.
func withTSDB(_ body: (TSDB, String) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rules-engine-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var options = TSDBOptions()
    options.backgroundMaintenance = false
    let db = try TSDB.open(directory: dir, options: options)
    defer { try? db.close() }
    try body(db, dir)
}

/// Collects what the rule engine sends, as an Alertmanager would receive it.
final class CollectingNotifier: AlertNotifier {
    let sent = Mutex<[[OutgoingAlert]]>([])
    func send(_ alerts: [OutgoingAlert]) { sent.withLock { $0.append(alerts) } }
    var batches: [[OutgoingAlert]] { sent.withLock { $0 } }
}

func groups(_ yaml: String, file: String = "rules.yml", interval: Int64 = 60_000) throws -> [RuleGroup] {
    let f = try RuleFile.parse(yaml).get()
    return try RuleGroupLoader.build(f, file: file, defaultInterval: interval).get()
}

func labels(_ pairs: [String: String]) -> Labels { try! Labels(dictionaryLiteral: pairs) }

func instant(_ db: TSDB, _ q: String, at t: Int64) throws -> [Sample] {
    guard case .vector(let v) = try Engine().instantQuery(q, at: t, storage: db) else { return [] }
    return v
}

@Suite struct MaterializerTests {
    @Test func recordingRuleWritesSeriesAndStaleMarkers() throws {
        try withTSDB { db, _ in
            let m = 60_000 as Int64
            try db.append([(labels(["__name__": "req", "job": "a"]), 0, 1), (labels(["__name__": "req", "job": "b"]), 0, 2)])
            let g = try groups("""
                groups:
                  - name: g
                    rules:
                      - record: job:req:x2
                        expr: req * 2
                        labels: {source: rule}
                """)[0]
            let env = RuleEnvironment(engine: Engine(), storage: db)
            #expect(g.evaluate(at: m, environment: env) == 2)
            let got = try instant(db, "job:req:x2", at: m)
            #expect(got.map(\.labels) == [labels(["__name__": "job:req:x2", "job": "a", "source": "rule"]),
                                          labels(["__name__": "job:req:x2", "job": "b", "source": "rule"])])
            #expect(got.map(\.v) == [2, 4])
            #expect(g.rules[0].status.health == .ok)

            // job b disappears: its recorded series gets a stale marker and ends at once,
            // instead of lingering for the 5-minute lookback.
            try db.append([(labels(["__name__": "req", "job": "a"]), 2 * m, 5)])
            try db.append([(labels(["__name__": "req", "job": "b"]), 2 * m, StaleMarker.value)])
            g.evaluate(at: 2 * m, environment: env)
            let after = try instant(db, "job:req:x2", at: 2 * m + 1)
            #expect(after.map(\.labels) == [labels(["__name__": "job:req:x2", "job": "a", "source": "rule"])])
            #expect(after.map(\.v) == [10])
        }
    }

    @Test func sameLabelSetTwiceIsARuleErrorAndWritesNothing() throws {
        try withTSDB { db, _ in
            try db.append([(labels(["__name__": "x", "instance": "1"]), 0, 1), (labels(["__name__": "x", "instance": "2"]), 0, 2)])
            let g = try groups("""
                groups:
                  - name: g
                    rules:
                      - record: clash
                        expr: x
                        labels: {instance: same}
                """)[0]
            g.evaluate(at: 1000, environment: RuleEnvironment(engine: Engine(), storage: db))
            let s = g.rules[0].status
            #expect(s.health == .err)
            #expect(s.lastError == "vector contains metrics with the same labelset after applying rule labels")
            #expect(try instant(db, "clash", at: 1000).isEmpty)
        }
    }

    @Test func refusedSamplesMakeTheRuleUnhealthy() throws {
        try withTSDB { db, _ in
            // A series the rule would write already has a newer sample: out of order.
            try db.append([(labels(["__name__": "taken"]), 10_000, 1)])
            let g = try groups("groups:\n  - name: g\n    rules:\n      - record: taken\n        expr: vector(1)\n")[0]
            g.evaluate(at: 5000, environment: RuleEnvironment(engine: Engine(), storage: db))
            #expect(g.rules[0].status.health == .err)
            #expect(g.rules[0].status.lastError == "out of order sample")
        }
    }

    @Test func limitDiscardsTheWholeOutput() throws {
        try withTSDB { db, _ in
            try db.append((1...3).map { (labels(["__name__": "x", "i": "\($0)"]), 0, 1) })
            let g = try groups("""
                groups:
                  - name: g
                    limit: 2
                    rules:
                      - record: r
                        expr: x
                      - alert: A
                        expr: x > 0
                """)[0]
            g.evaluate(at: 1000, environment: RuleEnvironment(engine: Engine(), storage: db))
            #expect(g.rules[0].status.lastError == "exceeded limit of 2 with 3 series")
            #expect(g.rules[1].status.lastError == "exceeded limit of 2 with 3 alerts")
            guard case .alerting(let a) = g.rules[1] else { Issue.record("not an alerting rule"); return }
            #expect(a.allAlerts.isEmpty)
            #expect(try instant(db, "r", at: 1000).isEmpty)
        }
    }
}

@Suite struct AlertLifecycleTests {
    let rules = """
        groups:
          - name: g
            rules:
              - alert: Down
                expr: up == 0
                for: 2m
                labels: {severity: page}
                annotations: {summary: "{{ $labels.instance }} down ({{ $value }})"}
        """

    @Test func pendingFiringResolvedWithPrometheusResendSemantics() throws {
        try withTSDB { db, _ in
            let m = 60_000 as Int64
            let g = try groups(rules)[0]
            let notifier = CollectingNotifier()
            var env = RuleEnvironment(engine: Engine(), storage: db, notifier: notifier,
                                      externalLabels: labels(["cluster": "eu", "severity": "ignored"]),
                                      externalURL: "http://vigil:9090")
            env.resendDelay = m
            guard case .alerting(let rule) = g.rules[0] else { Issue.record("not an alerting rule"); return }
            let up = labels(["__name__": "up", "instance": "db1"])
            func step(_ minute: Int64, up v: Double) throws {
                try db.append([(up, minute * m, v)])
                g.evaluate(at: minute * m, environment: env)
            }
            try step(0, up: 0)
            #expect(rule.activeAlerts.map(\.state) == [.pending])
            #expect(notifier.batches.isEmpty)  // pending alerts are never sent
            try step(1, up: 0)
            #expect(rule.activeAlerts.map(\.state) == [.pending])
            try step(2, up: 0)
            #expect(rule.activeAlerts.map(\.state) == [.firing])
            #expect(notifier.batches.count == 1)
            let first = notifier.batches[0][0]
            #expect(first.labels == labels(["alertname": "Down", "instance": "db1", "severity": "page", "cluster": "eu"]))
            #expect(first.annotations == [Label("summary", "db1 down (0)")])
            #expect(first.startsAt == 2 * m)
            #expect(first.endsAt == 2 * m + 4 * m)  // valid for 4 × max(resend delay, interval)
            #expect(first.generatorURL == "http://vigil:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1")
            // ALERTS and ALERTS_FOR_STATE, with the pending series ended by a stale marker.
            let alerts = try instant(db, "ALERTS", at: 2 * m)
            #expect(alerts.map { $0.labels["alertstate"] } == ["firing"])
            let forState = try instant(db, "ALERTS_FOR_STATE", at: 2 * m)
            #expect(forState.map(\.v) == [0])

            // The same alert is re-sent once the resend delay has passed (strictly), not before.
            try step(3, up: 0)
            #expect(notifier.batches.count == 1)
            try step(4, up: 0)
            #expect(notifier.batches.count == 2)

            // Resolved: sent at once with endsAt = resolution time, re-sent while kept (15 min).
            try step(5, up: 1)
            #expect(rule.activeAlerts.isEmpty)
            #expect(notifier.batches.count == 3)
            #expect(notifier.batches[2][0].endsAt == 5 * m)
            #expect(try instant(db, "ALERTS", at: 5 * m).isEmpty)
            for minute in 6...21 { try step(Int64(minute), up: 1) }
            #expect(rule.allAlerts.isEmpty)  // dropped after 15 minutes
            let resends = notifier.batches.dropFirst(3).count
            #expect(resends == 7)  // every 2 minutes (re-sent when more than 1m has passed) until dropped
        }
    }

    @Test func keepFiringForHoldsTheAlert() throws {
        try withTSDB { db, _ in
            let m = 60_000 as Int64
            let g = try groups("""
                groups:
                  - name: g
                    rules:
                      - alert: Flappy
                        expr: x > 0
                        keep_firing_for: 3m
                """)[0]
            guard case .alerting(let rule) = g.rules[0] else { Issue.record("not an alerting rule"); return }
            let env = RuleEnvironment(engine: Engine(), storage: db)
            var states: [String] = []
            for (minute, v) in [1.0, 0, 0, 0, 0].enumerated() {
                try db.append([(labels(["__name__": "x"]), Int64(minute) * m, v)])
                g.evaluate(at: Int64(minute) * m, environment: env)
                states.append(rule.activeAlerts.map(\.state.name).joined())
            }
            #expect(states == ["firing", "firing", "firing", "firing", ""])
        }
    }
}

@Suite struct AlertRestoreTests {
    let yaml = """
        groups:
          - name: g
            rules:
              - alert: Slow
                expr: x > 0
                for: 30m
              - alert: Fired
                expr: y > 0
              - alert: Kept
                expr: z > 0
                keep_firing_for: 1h
        """

    @Test func restartResumesForStateFiringAndKeepFiring() throws {
        try withTSDB { db, _ in
            let m = 60_000 as Int64
            let before = try groups(yaml)[0]
            let env = RuleEnvironment(engine: Engine(), storage: db)
            func put(_ name: String, _ minute: Int64, _ v: Double) throws {
                try db.append([(labels(["__name__": name]), minute * m, v)])
            }
            for minute in Int64(0)...10 {
                try put("x", minute, 1)
                try put("y", minute, 1)
                try put("z", minute, minute < 10 ? 1 : 0)
                before.evaluate(at: minute * m, environment: env)
            }
            let saved = try #require(before.persistedState(at: 10 * m))
            let bytes = try #require(AlertStateCoding.encode(saved))
            try db.saveAlertState(group: before.key, bytes)

            // Down from 10m to 15m. Prometheus's rule: a pending alert keeps the time it had
            // spent pending (10 of 30 minutes) and needs the rest after the restart.
            let after = try groups(yaml)[0]
            let stored = try #require(try db.loadAlertState(group: after.key))
            let loaded = try #require(AlertStateCoding.decode(stored))
            after.restore(loaded, at: 15 * m, options: AlertRestoreOptions())
            try put("x", 15, 1)
            try put("y", 15, 1)
            try put("z", 15, 0)
            after.evaluate(at: 15 * m, environment: env)
            guard case .alerting(let slow) = after.rules[0], case .alerting(let fired) = after.rules[1],
                  case .alerting(let kept) = after.rules[2] else { Issue.record("rule kinds"); return }
            #expect(slow.activeAlerts.map(\.state) == [.pending])
            #expect(slow.activeAlerts.first?.activeAt == 5 * m)  // 0m shifted by the 5-minute outage
            #expect(fired.activeAlerts.map(\.state) == [.firing])  // no new pending phase
            #expect(fired.activeAlerts.first?.firedAt == 0)
            #expect(kept.activeAlerts.map(\.state) == [.firing])  // still held by keep_firing_for
            #expect(kept.activeAlerts.first?.keepFiringSince == 10 * m)
            for minute in Int64(16)...35 {
                try put("x", minute, 1)
                after.evaluate(at: minute * m, environment: env)
            }
            #expect(slow.activeAlerts.first?.firedAt == 35 * m)
        }
    }

    @Test func restoredFiringAlertThatDidNotComeBackIsResolved() throws {
        try withTSDB { db, _ in
            let m = 60_000 as Int64
            let before = try groups(yaml)[0]
            let env = RuleEnvironment(engine: Engine(), storage: db)
            try db.append([(labels(["__name__": "y"]), 0, 1)])
            before.evaluate(at: 0, environment: env)
            let saved = try #require(before.persistedState(at: 0))
            let after = try groups(yaml)[0]
            after.restore(saved, at: 2 * m, options: AlertRestoreOptions())
            try db.append([(labels(["__name__": "y"]), 2 * m, StaleMarker.value)])
            after.evaluate(at: 2 * m, environment: env)
            after.evaluate(at: 3 * m, environment: env)
            after.finishRestore(at: 3 * m)
            guard case .alerting(let fired) = after.rules[1] else { Issue.record("rule kind"); return }
            #expect(fired.activeAlerts.isEmpty)
            #expect(fired.allAlerts.map(\.resolvedAt) == [3 * m])  // to be sent as resolved
        }
    }

    @Test func nothingIsRestoredAfterTheOutageTolerance() throws {
        try withTSDB { db, _ in
            let before = try groups(yaml)[0]
            try db.append([(labels(["__name__": "y"]), 0, 1)])
            before.evaluate(at: 0, environment: RuleEnvironment(engine: Engine(), storage: db))
            let after = try groups(yaml)[0]
            after.restore(try #require(before.persistedState(at: 0)), at: 2 * 3_600_000, options: AlertRestoreOptions())
            guard case .alerting(let fired) = after.rules[1] else { Issue.record("rule kind"); return }
            #expect(fired.state.withLock { $0.restored.isEmpty && $0.active.isEmpty })
        }
    }
}
