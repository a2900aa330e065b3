import Foundation
import PromQL
import Testing
import TSDB
@testable import Rules

@Suite struct RuleManagerTests {
    @Test func groupsRunOnTheirSlotsAndStopCleanly() throws {
        try withTSDB { db, dir in
            let file = dir + "/r.yml"
            try "groups:\n  - name: fast\n    interval: 100ms\n    rules:\n      - record: one\n        expr: vector(1)\n"
                .write(toFile: file, atomically: true, encoding: .utf8)
            let manager = RuleManager(environment: RuleEnvironment(engine: Engine(), storage: db), stateStore: db)
            #expect(manager.update(files: [file]).isEmpty)
            manager.start()
            Thread.sleep(forTimeInterval: 1.0)
            manager.stop()
            let g = try #require(manager.groups.first)
            let evaluations = g.state.withLock { $0.evaluations }
            #expect(evaluations >= 3 && evaluations <= 11)
            // Every round was stamped with a slot: offset + k·interval.
            let last = try #require(g.state.withLock { $0.lastEvaluationTimestamp })
            let offset = Int64(fnv1a(g.key) % 100)
            #expect((last - offset) % 100 == 0)
            let samples = try db.select([try Matcher(.equal, "__name__", "one")], mint: 0, maxt: .max)
            #expect(samples.first?.timestamps.count == evaluations)
        }
    }

    @Test func reloadKeepsGoodStateRejectsBadFilesAndEndsRemovedSeries() throws {
        try withTSDB { db, dir in
            let a = dir + "/a.yml", b = dir + "/b.yml"
            try "groups:\n  - name: ga\n    rules:\n      - record: ra\n        expr: vector(1)\n      - alert: Always\n        expr: vector(1)\n"
                .write(toFile: a, atomically: true, encoding: .utf8)
            try "groups:\n  - name: gb\n    rules:\n      - record: rb\n        expr: vector(2)\n"
                .write(toFile: b, atomically: true, encoding: .utf8)
            let env = RuleEnvironment(engine: Engine(), storage: db)
            let manager = RuleManager(environment: env, stateStore: nil)
            #expect(manager.update(files: [a, b]).isEmpty)
            for g in manager.groups { g.evaluate(at: 1000, environment: env) }

            // b breaks: its group stays loaded, a's unchanged group is the very same object.
            let before = manager.groups
            try "groups:\n  - name: gb\n    rules:\n      - record: rb\n        expr: vector(\n"
                .write(toFile: b, atomically: true, encoding: .utf8)
            let errors = manager.update(files: [a, b])
            #expect(errors.keys.sorted() == [b])
            #expect(manager.groups.count == 2)
            #expect(manager.groups[0] === before[0] && manager.groups[1] === before[1])

            // a changes: the alert keeps its state in the new group; the removed recording
            // rule's series ends with a stale marker.
            try "groups:\n  - name: ga\n    rules:\n      - alert: Always\n        expr: vector(1)\n"
                .write(toFile: a, atomically: true, encoding: .utf8)
            #expect(manager.update(files: [a]).isEmpty)
            let ga = try #require(manager.groups.first)
            #expect(manager.groups.count == 1)
            guard case .alerting(let always) = ga.rules[0] else { Issue.record("rule kind"); return }
            #expect(always.activeAlerts.first?.activeAt == 1000)
            let ra = try db.select([try Matcher(.equal, "__name__", "ra")], mint: 0, maxt: .max)
            #expect(ra.first.map { StaleMarker.isStale($0.values.last!) } == true)
            let rb = try db.select([try Matcher(.equal, "__name__", "rb")], mint: 0, maxt: .max)
            #expect(rb.first.map { StaleMarker.isStale($0.values.last!) } == true)
        }
    }
}

@Suite struct RuleRestartTests {
    /// A restart (database closed and reopened, a new manager) neither resets a firing alert
    /// to pending nor changes when it started.
    @Test func firingAlertSurvivesARestart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rules-restart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/r.yml"
        try "groups:\n  - name: g\n    interval: 100ms\n    rules:\n      - alert: Always\n        expr: vector(1)\n        for: 200ms\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        var options = TSDBOptions()
        options.backgroundMaintenance = false

        func run(seconds: Double) throws -> (Alert?, Int64) {
            let db = try TSDB.open(directory: dir + "/data", options: options)
            defer { try? db.close() }
            let manager = RuleManager(environment: RuleEnvironment(engine: Engine(), storage: db), stateStore: db)
            manager.update(files: [file])
            let started = RuleManager.nowMilliseconds()
            manager.start()
            Thread.sleep(forTimeInterval: seconds)
            manager.stop()
            guard case .alerting(let a) = manager.groups[0].rules[0] else { return (nil, started) }
            return (a.activeAlerts.first, started)
        }
        let (first, _) = try run(seconds: 1.0)
        let fired = try #require(first)
        #expect(fired.state == .firing)
        let (second, restartedAt) = try run(seconds: 0.35)
        let resumed = try #require(second)
        #expect(resumed.state == .firing)
        #expect(resumed.activeAt == fired.activeAt)
        #expect(resumed.firedAt == fired.firedAt)

        // No pending ALERTS sample after the restart.
        let db = try TSDB.open(directory: dir + "/data", options: options)
        defer { try? db.close() }
        let pending = try db.select([try Matcher(.equal, "alertstate", "pending")], mint: restartedAt, maxt: .max)
        #expect(pending.flatMap(\.values).filter { !StaleMarker.isStale($0) }.isEmpty)
    }
}
