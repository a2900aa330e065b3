import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real binary remote-writes to a real Prometheus 2.42 started with
/// `--web.enable-remote-write-receiver`; afterwards every series and sample Vigil stored is
/// in Prometheus, labels (plus the external labels) and values equal, even across an outage
/// of the receiver during which Vigil is killed with SIGKILL.
@Suite(.serialized) struct RemoteWriteToPrometheusTests {
    static let vigil = ShutdownTests.binary
    static let prometheus = "/usr/bin/prometheus"
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: prometheus) || ProcessInfo.processInfo.environment["VIGIL_REQUIRE_PROMTOOL"] == "1"
    }

    /// A process we started, stopped by its PID.
    final class Daemon: @unchecked Sendable {
        let process = Process()
        init(_ argv: [String], log: String) throws {
            process.executableURL = URL(fileURLWithPath: argv[0])
            process.arguments = Array(argv.dropFirst())
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let h = FileHandle(forWritingAtPath: log)
            process.standardOutput = h
            process.standardError = h
            try process.run()
        }
        func signal(_ s: Int32) { if process.isRunning { kill(process.processIdentifier, s) } }
        func stop(_ s: Int32 = SIGTERM) async {
            signal(s)
            let end = Date().addingTimeInterval(30)
            while process.isRunning && Date() < end { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    struct Setup {
        let dir: String
        let vigilPort = Int.random(in: 20000..<30000)
        let promPort = Int.random(in: 30000..<40000)

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rw-prom-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data("global:\n  scrape_interval: 15s\n".utf8).write(to: URL(fileURLWithPath: dir + "/prom.yml"))
        }

        /// Vigil's prometheus.yml: scraping itself every second (or nothing) and writing to Prometheus.
        func vigilConfig(scraping: Bool) throws -> String {
            let path = dir + (scraping ? "/vigil.yml" : "/vigil-idle.yml")
            let scrape = scraping ? """
                scrape_configs:
                  - job_name: vigil
                    static_configs:
                      - targets: ['127.0.0.1:\(vigilPort)']
                """ : ""
            try Data("""
                global:
                  scrape_interval: 1s
                  external_labels:
                    site: edge-1
                \(scrape)
                remote_write:
                  - url: http://127.0.0.1:\(promPort)/api/v1/write
                    name: central
                    remote_timeout: 5s
                    queue_config: {batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s}

                """.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        func startPrometheus(config: String = "prom.yml") throws -> Daemon {
            try Daemon([RemoteWriteToPrometheusTests.prometheus, "--config.file=\(dir)/\(config)", "--storage.tsdb.path=\(dir)/prom",
                        "--web.listen-address=127.0.0.1:\(promPort)", "--web.enable-remote-write-receiver"],
                       log: dir + "/prom.log")
        }

        func startVigil(scraping: Bool) throws -> Daemon {
            try Daemon([RemoteWriteToPrometheusTests.vigil, "run", "--config.file", try vigilConfig(scraping: scraping),
                        "--storage.tsdb.path", dir + "/vigil", "--web.listen-address", "127.0.0.1:\(vigilPort)",
                        "--self-monitor.interval", "0", "--log.level", "info"], log: dir + "/vigil.log")
        }

        func cleanup() { try? FileManager.default.removeItem(atPath: dir) }
    }

    static func get(_ url: String) async -> (Int, Data)? {
        guard let (d, r) = try? await URLSession.shared.data(from: URL(string: url)!) else { return nil }
        return ((r as? HTTPURLResponse)?.statusCode ?? 0, d)
    }

    static func waitReady(_ port: Int, timeout: Double = 30) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if let (code, _) = await get("http://127.0.0.1:\(port)/-/ready"), code == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A metric of Vigil's /metrics (first sample whose line starts with `prefix`).
    static func metric(_ port: Int, _ prefix: String) async -> Double? {
        guard let (_, d) = await get("http://127.0.0.1:\(port)/metrics") else { return nil }
        for line in String(decoding: d, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    /// Waits until the queue has sent everything in the log.
    static func waitCaughtUp(_ port: Int, timeout: Double) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if await metric(port, "vigil_remote_storage_log_records_behind{") == 0,
               await metric(port, "prometheus_remote_storage_samples_pending{") == 0 { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Every series with its raw samples over the last `window`, as `labels JSON → [[t, v]]`,
    /// from a Prometheus-compatible API; `addLabels` are added to each series' labels.
    static func everything(_ port: Int, window: String = "30m", addLabels: [String: String] = [:]) async throws -> [String: String] {
        let q = "{__name__=~\".+\"}[\(window)]".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let (code, d) = try #require(await get("http://127.0.0.1:\(port)/api/v1/query?query=\(q)"))
        #expect(code == 200)
        let json = try JSONSerialization.jsonObject(with: d) as? [String: Any]
        let result = try #require((json?["data"] as? [String: Any])?["result"] as? [[String: Any]])
        var out: [String: String] = [:]
        for s in result {
            var m = try #require(s["metric"] as? [String: String])
            for (k, v) in addLabels { m[k] = v }
            let key = String(decoding: try JSONSerialization.data(withJSONObject: m, options: .sortedKeys), as: UTF8.self)
            let values = String(decoding: try JSONSerialization.data(withJSONObject: s["values"] ?? []), as: UTF8.self)
            out[key] = values
        }
        return out
    }

    /// Ends with Vigil restarted without scraping (nothing new to send), caught up, then compares.
    static func flushAndCompare(_ setup: Setup, _ vigil: inout Daemon) async throws {
        await vigil.stop()
        vigil = try setup.startVigil(scraping: false)
        #expect(await waitReady(setup.vigilPort))
        #expect(await waitCaughtUp(setup.vigilPort, timeout: 120))
        let mine = try await everything(setup.vigilPort, addLabels: ["site": "edge-1"])
        let theirs = try await everything(setup.promPort)
        #expect(mine.count > 30, "too few series to compare: \(mine.count)")
        #expect(Set(mine.keys) == Set(theirs.keys), "series only in Vigil: \(Set(mine.keys).subtracting(theirs.keys).prefix(3)); only in Prometheus: \(Set(theirs.keys).subtracting(mine.keys).prefix(3))")
        var differing: [String] = []
        for (k, v) in mine where theirs[k] != v { differing.append(k) }
        #expect(differing.isEmpty, "\(differing.count) series differ, e.g. \(differing.first ?? ""): vigil \(mine[differing.first ?? ""] ?? "") prometheus \(theirs[differing.first ?? ""] ?? "")")
        let samples = mine.values.reduce(0) { $0 + $1.components(separatedBy: "],[").count }
        #expect(samples > 200)
        let failed = await metric(setup.vigilPort, "prometheus_remote_storage_samples_failed_total{")
        #expect(failed == 0)
    }

    @Test(.enabled(if: available, "Prometheus 2.42 not installed (apt-get install prometheus)"))
    func everySampleVigilStoresArrivesInPrometheus() async throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let prom = try setup.startPrometheus()
        #expect(await Self.waitReady(setup.promPort))
        var vigil = try setup.startVigil(scraping: true)
        #expect(await Self.waitReady(setup.vigilPort))
        try await Task.sleep(for: .seconds(8))
        #expect(await Self.metric(setup.vigilPort, "prometheus_remote_storage_samples_total{") ?? 0 > 0)
        // The exposition, remote storage families included, passes promtool's parser and linter.
        let (_, page) = try #require(await Self.get("http://127.0.0.1:\(setup.vigilPort)/metrics"))
        try page.write(to: URL(fileURLWithPath: setup.dir + "/metrics.txt"))
        let (rc, lint) = try await runProcess(["/bin/sh", "-c", "promtool check metrics < '\(setup.dir)/metrics.txt' 2>&1"])
        #expect(rc == 0, "promtool check metrics: \(lint)")
        try await Self.flushAndCompare(setup, &vigil)
        await vigil.stop()
        await prom.stop()
    }

    @Test(.enabled(if: available, "Prometheus 2.42 not installed (apt-get install prometheus)"))
    func aReceiverOutageWithVigilKilledMeanwhileLosesNothing() async throws {
        let outage = Double(ProcessInfo.processInfo.environment["VIGIL_RW_OUTAGE_SECONDS"] ?? "") ?? 60
        let setup = try Setup()
        defer { setup.cleanup() }
        var prom = try setup.startPrometheus()
        #expect(await Self.waitReady(setup.promPort))
        var vigil = try setup.startVigil(scraping: true)
        #expect(await Self.waitReady(setup.vigilPort))
        try await Task.sleep(for: .seconds(4))
        let before = await Self.metric(setup.vigilPort, "prometheus_remote_storage_samples_total{") ?? 0
        #expect(before > 0)
        // The receiver goes away; halfway through, Vigil is killed and started again.
        await prom.stop()
        try await Task.sleep(for: .seconds(outage / 2))
        #expect(await Self.metric(setup.vigilPort, "prometheus_remote_storage_samples_retried_total{") ?? 0 > 0)
        await vigil.stop(SIGKILL)
        vigil = try setup.startVigil(scraping: true)
        #expect(await Self.waitReady(setup.vigilPort))
        try await Task.sleep(for: .seconds(outage / 2))
        #expect(await Self.metric(setup.vigilPort, "vigil_remote_storage_log_records_behind{") ?? 0 > 10)
        prom = try setup.startPrometheus()
        #expect(await Self.waitReady(setup.promPort))
        try await Self.flushAndCompare(setup, &vigil)
        await vigil.stop()
        await prom.stop()
    }

    /// Federation instead of remote write: Prometheus scrapes Vigil's `/federate` with
    /// `honor_labels: true`; the series keep their own job and instance, gain the external
    /// labels, and the latest values equal Vigil's.
    @Test(.enabled(if: available, "Prometheus 2.42 not installed (apt-get install prometheus)"))
    func prometheusFederatesFromVigilWithHonorLabels() async throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        try Data("""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: federate
                honor_labels: true
                metrics_path: /federate
                params:
                  'match[]': ['{job="vigil"}']
                static_configs:
                  - targets: ['127.0.0.1:\(setup.vigilPort)']

            """.utf8).write(to: URL(fileURLWithPath: setup.dir + "/federate.yml"))
        let vigil = try setup.startVigil(scraping: true)
        #expect(await Self.waitReady(setup.vigilPort))
        let prom = try setup.startPrometheus(config: "federate.yml")
        #expect(await Self.waitReady(setup.promPort))
        try await Task.sleep(for: .seconds(6))
        // Federated samples keep Vigil's timestamps: both answer alike for a moment that
        // Prometheus has certainly scraped past.
        let at = String(format: "%.3f", Date().timeIntervalSince1970 - 3)
        func latest(_ port: Int, _ query: String) async throws -> [String: String] {
            let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let (_, d) = try #require(await Self.get("http://127.0.0.1:\(port)/api/v1/query?query=\(q)&time=\(at)"))
            let json = try JSONSerialization.jsonObject(with: d) as? [String: Any]
            let result = try #require((json?["data"] as? [String: Any])?["result"] as? [[String: Any]])
            var out: [String: String] = [:]
            for r in result {
                let m = try #require(r["metric"] as? [String: String])
                let key = String(decoding: try JSONSerialization.data(withJSONObject: m, options: .sortedKeys), as: UTF8.self)
                out[key] = ((r["value"] as? [Any])?.last as? String) ?? ""
            }
            return out
        }
        // Vigil's latest sample of each series, with the external label; in Prometheus the same
        // series (job and instance honoured, not replaced by the federate job's) and value.
        let mine = try await latest(setup.vigilPort, "label_replace({job=\"vigil\"}, \"site\", \"edge-1\", \"\", \"\")")
        let theirs = try await latest(setup.promPort, "{job=\"vigil\"}")
        #expect(mine.count > 30)
        #expect(Set(mine.keys) == Set(theirs.keys))
        let differing = mine.filter { theirs[$0.key] != $0.value }
        #expect(differing.isEmpty, "\(differing.prefix(3))")
        await vigil.stop()
        await prom.stop()
    }
}
