import Foundation
import PromQL
import Testing
import TSDB
@testable import Rules

/// Backtests replay exactly what live evaluation did on the same data.
@Suite struct BacktestTests {
    static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/rules/prometheus_nginxlog_exporter_rules.yml").standardized.path
    let step: Int64 = 15_000
    let t0: Int64 = 1_700_000_000_000
    /// Error bursts (minutes from t0): three incidents in three hours.
    let incidents: [(Int64, Int64)] = [(30, 40), (80, 85), (150, 162)]

    /// Appends one step of nginx traffic: 4 req/s of 200s, plus 20/s of 404s during incidents.
    func traffic(_ db: TSDB, at t: Int64, totals: inout (Double, Double)) throws {
        let minute = (t - t0) / 60_000
        totals.0 += 60
        if incidents.contains(where: { minute >= $0.0 && minute < $0.1 }) { totals.1 += 300 }
        try db.append([
            (try Labels([("__name__", "nginx_http_response_count_total"), ("status", "200")]), t, totals.0),
            (try Labels([("__name__", "nginx_http_response_count_total"), ("status", "404")]), t, totals.1),
            // The alert adds the 4xx and 5xx rates: a 5xx series must exist (as on a real nginx).
            (try Labels([("__name__", "nginx_http_response_count_total"), ("status", "502")]), t, 0),
        ])
    }

    @Test func backtestMatchesLiveEvaluation() throws {
        try withTSDB { db, _ in
            let end = t0 + 3 * 3_600_000
            // Live: data arrives, the group evaluates every 15s, writing ALERTS into the store.
            let live = try RuleGroupLoader.load(Self.rules, defaultInterval: step).get()
            let env = RuleEnvironment(engine: Engine(), storage: db)
            var totals = (0.0, 0.0)
            var t = t0
            while t <= end {
                try traffic(db, at: t, totals: &totals)
                for g in live { g.evaluate(at: t, environment: env) }
                t += step
            }
            let firingSamples = try db.select([try Matcher(.equal, "__name__", "ALERTS"), try Matcher(.equal, "alertstate", "firing")],
                                               mint: t0, maxt: end)
            let liveFiring = Set(firingSamples.flatMap { s in zip(s.timestamps, s.values).filter { !StaleMarker.isStale($0.1) }.map(\.0) })

            // Backtest over the finished store (its own ALERTS and recorded series hidden).
            let file = try RuleFile.parseFile(Self.rules).get()
            let result = try Backtest.run([(file, Self.rules)], history: db, options: Backtest.Options(from: t0, to: end),
                                          defaultInterval: step)
            #expect(result.errors.isEmpty)
            let alert = try #require(result.alerts.first)
            #expect(result.alerts.count == 1)
            #expect(alert.firings == 3)
            var replayed = Set<Int64>()
            for iv in alert.intervals where iv.state == .firing {
                var x = iv.start
                while x < (iv.end ?? end + 1) { replayed.insert(x); x += step }
            }
            #expect(replayed == liveFiring)
            // Each incident starts on a whole minute: pending 15s later, when the 1m rate first
            // passes 10/s, and firing a minute after that.
            let firing = alert.intervals.filter { $0.state == .firing }
            let starts: [Int64] = firing.map { ($0.start - t0) / 1000 }
            let expected: [Int64] = [1875, 4875, 9075]  // 31m15s, 81m15s, 151m15s
            #expect(starts == expected)
        }
    }

    @Test func forVariantsCompare() throws {
        try withTSDB { db, _ in
            let end = t0 + 3 * 3_600_000
            var totals = (0.0, 0.0)
            var t = t0
            while t <= end {
                try traffic(db, at: t, totals: &totals)
                t += step
            }
            let file = try RuleFile.parseFile(Self.rules).get()
            var options = Backtest.Options(from: t0, to: end)
            var firings: [Int] = []
            for hold in [60_000, 420_000, 900_000] as [Int64] {
                options.forOverride = hold
                let r = try Backtest.run([(file, Self.rules)], history: db, options: options, defaultInterval: step)
                firings.append(r.alerts.reduce(0) { $0 + $1.firings })
            }
            // 1m catches all three incidents, 7m only the 10- and 12-minute ones, 15m none.
            #expect(firings == [3, 2, 0])
            options.forOverride = nil
            let text = try Backtest.run([(file, Self.rules)], history: db, options: options, defaultInterval: step).text
            #expect(text.contains("ErrorStatusAndFailRate (for: 1m): fired 3 times"))
        }
    }
}

@Suite struct BackfillTests {
    @Test func backfillWritesWhatLiveRecordingWrote() throws {
        let t = BacktestTests()
        let end = t.t0 + 3_600_000
        let names = ["job:prometheus_nginxlog_exporter:status_4xx_1m", "job:prometheus_nginxlog_exporter:status_5xx_1m",
                     "job:prometheus_nginxlog_exporter:status_total_1m"]
        func recorded(_ db: TSDB) throws -> [String: [Double]] {
            var out: [String: [Double]] = [:]
            for n in names {
                let s = try db.select([try Matcher(.equal, "__name__", n)], mint: t.t0, maxt: end)
                out[n] = s.first?.values ?? []
            }
            return out
        }
        var live: [String: [Double]] = [:]
        try withTSDB { db, _ in
            let groups = try RuleGroupLoader.load(BacktestTests.rules, defaultInterval: t.step).get()
            let env = RuleEnvironment(engine: Engine(), storage: db)
            var totals = (0.0, 0.0)
            var ts = t.t0
            while ts <= end {
                try t.traffic(db, at: ts, totals: &totals)
                for g in groups { g.evaluate(at: ts, environment: env) }
                ts += t.step
            }
            live = try recorded(db)
        }
        try withTSDB { db, _ in
            var totals = (0.0, 0.0)
            var ts = t.t0
            while ts <= end {
                try t.traffic(db, at: ts, totals: &totals)
                ts += t.step
            }
            let file = try RuleFile.parseFile(BacktestTests.rules).get()
            let outcome = try Backfill.run([(file, BacktestTests.rules)], into: db, options: Backtest.Options(from: t.t0, to: end),
                                           defaultInterval: t.step)
            #expect(outcome.series == 3)
            #expect(outcome.rejected == 0)
            let backfilled = try recorded(db)
            #expect(backfilled == live)
            #expect(backfilled[names[0]]?.count == 240)  // every 15s for an hour; none at t0 (no rate yet)
        }
    }
}
