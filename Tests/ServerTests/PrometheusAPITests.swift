import Foundation
import Testing
import TSDB
@testable import Server

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite(.serialized) struct PrometheusAPITests {
    static let t0: Int64 = 1_700_000_000_000

    /// A server with `up` for two instances over 10 minutes and one rule group.
    func withServer(_ body: (RunningServer) async throws -> Void) async throws {
        let s = try await RunningServer(configure: { o, dir in
            try """
                groups:
                  - name: demo
                    interval: 1h
                    rules:
                      - record: job:up:sum
                        expr: sum by (job) (up)
                      - alert: AlwaysOn
                        expr: vector(1)
                        labels: {severity: info}
                        annotations: {summary: "value {{ $value }}"}
                """.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
            o.ruleFiles = [dir + "/rules.yml"]
        }, before: { server in
            var samples: [(Labels, Int64, Double)] = []
            for i in 0...40 {
                for inst in ["a:1", "b:1"] {
                    samples.append((try Labels([("__name__", "up"), ("job", "node"), ("instance", inst)]),
                                    Self.t0 + Int64(i) * 15_000, inst == "a:1" ? 1 : 0))
                }
            }
            try server.db.append(samples)
        })
        do { try await body(s) } catch { await s.stop(); throw error }
        await s.stop()
    }

    @Test func instantAndRangeQueries() async throws {
        try await withServer { s in
            let (code, body) = try await s.request("/api/v1/query?query=up&time=1700000600")
            #expect(code == 200)
            #expect(body == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a:1","job":"node"},"value":[1700000600,"1"]},{"metric":{"__name__":"up","instance":"b:1","job":"node"},"value":[1700000600,"0"]}]}}"#)
            // POSTed form, as Grafana sends it.
            let (pcode, pbody) = try await s.request("/api/v1/query_range",
                                                     form: "query=sum(up)&start=1700000000&end=1700000060&step=30")
            #expect(pcode == 200)
            #expect(pbody == #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"],[1700000030,"1"],[1700000060,"1"]]}]}}"#)
        }
    }

    @Test func badRequestsGetPrometheusErrors() async throws {
        try await withServer { s in
            let (c1, b1) = try await s.request("/api/v1/query?query=sum(")
            #expect(c1 == 400)
            #expect(b1 == #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"}"#)
            let (c2, b2) = try await s.request("/api/v1/query?query=up&time=yesterday")
            #expect(c2 == 400)
            #expect(b2.contains(#"invalid parameter \"time\": cannot parse \"yesterday\" to a valid timestamp"#))
            let (c3, b3) = try await s.request("/api/v1/query_range?query=up&start=10&end=20&step=0")
            #expect(c3 == 400)
            #expect(b3.contains("zero or negative query resolution step widths are not accepted"))
            let (c4, b4) = try await s.request("/api/v1/query_range?query=up&start=0&end=100000&step=1")
            #expect(c4 == 400)
            #expect(b4.contains("exceeded maximum resolution of 11,000 points per timeseries"))
            let (c5, b5) = try await s.request("/api/v1/series")
            #expect(c5 == 400)
            #expect(b5 == #"{"status":"error","errorType":"bad_data","error":"no match[] parameter provided"}"#)
            let (c6, b6) = try await s.request("/api/v1/query_range?query=up[5m]&start=0&end=100&step=10")
            #expect(c6 == 400)
            #expect(b6.contains(#"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"#))
            let (c7, _) = try await s.request("/api/v1/label/not-a-name/values")
            #expect(c7 == 400)
        }
    }

    @Test func seriesLabelsAndValues() async throws {
        try await withServer { s in
            let (_, series) = try await s.request("/api/v1/series?match%5B%5D=up%7Binstance%3D%22a%3A1%22%7D")
            #expect(series == #"{"status":"success","data":[{"__name__":"up","instance":"a:1","job":"node"}]}"#)
            let (_, labels) = try await s.request("/api/v1/labels?match%5B%5D=up")
            #expect(labels == #"{"status":"success","data":["__name__","instance","job"]}"#)
            let (_, values) = try await s.request("/api/v1/label/instance/values")
            #expect(values == #"{"status":"success","data":["a:1","b:1"]}"#)
        }
    }

    @Test func rulesAndAlertsAfterAnEvaluation() async throws {
        try await withServer { s in
            // The group runs hourly; evaluate it once now instead of waiting.
            for g in s.server.rules.groups { g.evaluate(at: Self.t0 + 600_000, environment: s.server.ruleEnvironment) }
            let (code, obj) = try await s.json("/api/v1/rules")
            #expect(code == 200)
            let data = try #require(obj["data"] as? [String: Any])
            let groups = try #require(data["groups"] as? [[String: Any]])
            #expect(groups.count == 1)
            let rules = try #require(groups[0]["rules"] as? [[String: Any]])
            #expect(rules.map { $0["type"] as? String } == ["recording", "alerting"])
            #expect(rules[0]["query"] as? String == "sum by (job) (up)")
            #expect(rules[0]["health"] as? String == "ok")
            #expect(rules[1]["state"] as? String == "firing")
            let alerts = try #require(rules[1]["alerts"] as? [[String: Any]])
            #expect(alerts.first?["value"] as? String == "1e+00")
            #expect((alerts.first?["annotations"] as? [String: String]) == ["summary": "value 1"])
            let (_, onlyRecording) = try await s.json("/api/v1/rules?type=record")
            let rg = ((onlyRecording["data"] as? [String: Any])?["groups"] as? [[String: Any]])?.first
            #expect((rg?["rules"] as? [Any])?.count == 1)
            let (_, alertsBody) = try await s.request("/api/v1/alerts")
            #expect(alertsBody.contains(#""labels":{"alertname":"AlwaysOn","severity":"info"}"#))
            let (c, _) = try await s.request("/api/v1/rules?type=bogus")
            #expect(c == 400)
        }
    }

    @Test func federationGivesTheLatestSampleWithExternalLabels() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let s = try await RunningServer(configure: { o, _ in
            o.externalLabels = try Labels([("cluster", "eu"), ("job", "ignored")])
        }, before: { server in
            try server.db.append([
                (try Labels([("__name__", "up"), ("job", "node"), ("instance", "a:1")]), now - 20_000, 1),
                (try Labels([("__name__", "up"), ("job", "node"), ("instance", "a:1")]), now - 5_000, 0),
                (try Labels([("__name__", "bytes"), ("job", "node")]), now - 5_000, 1_234_567),
                (try Labels([("__name__", "gone"), ("job", "node")]), now - 5_000, StaleMarker.value),
            ])
        })
        let (code, body) = try await s.request("/federate?match%5B%5D=%7Bjob%3D%22node%22%7D")
        #expect(code == 200)
        #expect(body == """
            # TYPE bytes untyped
            bytes{job="node",cluster="eu"} 1.234567e+06 \(now - 5_000)
            # TYPE up untyped
            up{instance="a:1",job="node",cluster="eu"} 0 \(now - 5_000)

            """)
        await s.stop()
    }

    @Test func promtoolQueriesVigil() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            if ProcessInfo.processInfo.environment["VIGIL_REQUIRE_PROMTOOL"] == "1" { Issue.record("promtool missing") }
            return
        }
        try await withServer { s in
            let (rc, out) = try await runProcess(["/usr/bin/promtool", "query", "instant", "--time=1700000600", s.base, "sum by (job) (up)"])
            #expect(rc == 0)
            #expect(out == "{job=\"node\"} => 1 @[1700000600]\n")
            let (rrc, rout) = try await runProcess(["/usr/bin/promtool", "query", "range", "--start=1700000000", "--end=1700000030",
                                              "--step=15s", s.base, "up{instance=\"b:1\"}"])
            #expect(rrc == 0)
            #expect(rout.hasPrefix("up{instance=\"b:1\", job=\"node\"} =>\n0 @[1700000000]\n0 @[1700000015]\n0 @[1700000030]"))
            let (lrc, lout) = try await runProcess(["/usr/bin/promtool", "query", "labels", s.base, "instance"])
            #expect(lrc == 0)
            #expect(lout == "a:1\nb:1\n")
        }
    }
}

@Suite(.serialized) struct BacktestAPITests {
    @Test func previewARuleOverStoredHistory() async throws {
        let t0: Int64 = 1_700_000_000_000
        let s = try await RunningServer(before: { server in
            var samples: [(Labels, Int64, Double)] = []
            for i in 0..<240 {  // an hour at 15s; load above 5 from minute 20 to 35
                let minute = i / 4
                samples.append((try Labels([("__name__", "load"), ("host", "a")]), t0 + Int64(i) * 15_000,
                                minute >= 20 && minute < 35 ? 9 : 1))
            }
            try server.db.append(samples)
        })
        var req = URLRequest(url: URL(string: s.base + "/api/v1/rules/backtest?start=1700000000&end=1700003585&for=5m")!)
        req.httpMethod = "POST"
        req.setValue("text/plain", forHTTPHeaderField: "Content-Type")
        req.httpBody = Data("alert: Busy\nexpr: load > 5\nfor: 1m\nlabels: {severity: page}\n".utf8)
        let (data, _) = try await URLSession.shared.data(for: req)
        let body = String(decoding: data, as: UTF8.self)
        #expect(body.hasPrefix(#"{"status":"success","data":{"from":"2023-11-14T22:13:20Z""#))
        #expect(body.contains(#""name":"Busy","query":"load \u003e 5","for":"5m","firings":1"#))  // Go escapes >
        // Pending from 20m (the first evaluation at or after it), firing 5 minutes later, resolved at 35m.
        #expect(body.contains(#"{"state":"pending","start":"2023-11-14T22:33:20Z","end":"2023-11-14T22:38:20Z"}"#))
        #expect(body.contains(#"{"state":"firing","start":"2023-11-14T22:38:20Z","end":"2023-11-14T22:48:20Z"}"#))

        req.httpBody = Data("alert: [broken".utf8)
        let (bad, response) = try await URLSession.shared.data(for: req)
        #expect((response as? HTTPURLResponse)?.statusCode == 400)
        #expect(String(decoding: bad, as: UTF8.self).contains("bad_data"))
        await s.stop()
    }
}
