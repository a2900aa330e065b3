// Ingestion figures, release build, one thread:
//   parse       exposition parse throughput (samples/s) on a 10k-series page, text 0.0.4 and
//               OpenMetrics
//   scrape      a scrape's whole in-process path (parse, series cache, staleness, report
//               series, one durable TSDB append batch per scrape): CPU seconds per 1M
//               scraped samples, 100 targets x 1k series and 1 target x 10k series
//   remote      remote-write decode+append: snappy + WriteRequest decoding + one append per
//               request of 500 samples (Prometheus's default max_samples_per_send), 10k series
//
//   http        real scraping over HTTP: 100 targets x 1k series at a 1s interval, served by a
//               Python HTTP server (another process); Vigil's process CPU per 1M samples
//
//   swift run -c release ingest-figures [parse|scrape|remote|http [SECONDS]|all]
//   swift run -c release ingest-figures write-page FILE   (the http figure's page, for ingest-compare.sh)
import Foundation
import Ingest
import Logging
import TSDB

func threadCPU() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func wall() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fmt(_ v: Double) -> String {
    v >= 100 ? String(format: "%.0f", v) : v >= 1 ? String(format: "%.2f", v) : String(format: "%.4f", v)
}

/// A page of `n` series shaped like node_exporter and an instrumented HTTP service: HELP and
/// TYPE per family, 2–5 labels, counters, gauges, a histogram; values change with `round`.
func page(series n: Int, round: Int, openMetrics: Bool = false) -> [UInt8] {
    var s = ""
    s.reserveCapacity(n * 110)
    var i = 0
    var family = 0
    let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    let les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
    while i < n {
        switch family % 4 {
        case 0:
            s += "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds_total counter\n"
            for c in 0..<min(64, (n - i + 7) / 8) {
                for m in modes where i < n {
                    s += "node_cpu_seconds_total{cpu=\"\(c)\",mode=\"\(m)\"} \(Double(round * 15 + i) * 0.37)\n"
                    i += 1
                }
            }
        case 1:
            s += "# HELP http_requests_total Requests by handler and code.\n# TYPE http_requests_total counter\n"
            for k in 0..<min(400, n - i) {
                s += "http_requests_total{code=\"\(200 + (k % 5) * 100)\",handler=\"/api/v1/item/\(k / 5)\",method=\"GET\"} \(round * 7 + k)\n"
                i += 1
            }
        case 2:
            s += "# HELP http_request_duration_seconds Latency.\n# TYPE http_request_duration_seconds histogram\n"
            for k in 0..<min(300, n - i) {
                s += "http_request_duration_seconds_bucket{handler=\"/api/v1/item/\(k / 10)\",le=\"\(les[k % 10])\"} \(round * 3 + k)\n"
                i += 1
            }
        default:
            s += "# HELP node_filesystem_avail_bytes Filesystem space available.\n# TYPE node_filesystem_avail_bytes gauge\n"
            for k in 0..<min(200, n - i) {
                s += "node_filesystem_avail_bytes{device=\"/dev/sd\(k)\",fstype=\"ext4\",mountpoint=\"/mnt/vol\(k)\"} \(4.2e10 - Double(round * 4096 + k))\n"
                i += 1
            }
        }
        family += 1
    }
    if openMetrics { s += "# EOF\n" }
    return Array(s.utf8)
}

func parseFigures() {
    print("## Exposition parse throughput (10,000-series page, one thread)\n")
    print("| format | page bytes | samples/s (thread CPU) | samples/s (wall) | MB/s (CPU) |")
    print("| --- | --- | --- | --- | --- |")
    for om in [false, true] {
        let p = page(series: 10_000, round: 1, openMetrics: om)
        let rounds = 300
        var samples = 0
        let c0 = threadCPU(), w0 = wall()
        p.withUnsafeBufferPointer { buf in
            for _ in 0..<rounds {
                var parser = ExpositionParser(bytes: buf, format: om ? .openMetrics : .prometheusText)
                var sum = 0.0
                while let e = try? parser.next() {
                    if case .sample = e { samples += 1; sum += parser.value }
                }
                if sum == -1 { print("") }
            }
        }
        let c = threadCPU() - c0, w = wall() - w0
        precondition(samples == rounds * 10_000, "parsed \(samples)")
        print("| \(om ? "OpenMetrics 1.0" : "text 0.0.4") | \(p.count) | \(fmt(Double(samples) / c)) | \(fmt(Double(samples) / w)) | \(fmt(Double(p.count * rounds) / c / 1e6)) |")
    }
    print("")
}

func openDB(_ name: String) throws -> (TSDB, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ingest-bench-\(name)-\(UUID().uuidString)").path
    var o = TSDBOptions()
    o.backgroundMaintenance = false
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return (try TSDB.open(directory: dir, options: o, logger: logger), dir)
}

func scrapeFigures() throws {
    print("## Scrape ingestion (parse + series cache + staleness + up/scrape_* + one durable append per scrape)\n")
    print("| layout | scrapes | samples | CPU s per 1M samples | samples/s (thread CPU) | first scrape (series created) s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (targets, perTarget, rounds) in [(100, 1000, 20), (1, 10_000, 20)] {
        let (db, dir) = try openDB("scrape")
        let pages = (0..<rounds).map { page(series: perTarget, round: $0) }
        var config = ScrapeConfig(jobName: "bench")
        config.scrapeInterval = 1000
        let ingesters = (0..<targets).map { t -> PageIngester in
            let labels = try! Labels([("__address__", "host-\(t):9100"), ("instance", "host-\(t):9100"), ("job", "bench")])
            let target = ScrapeTarget(discoveredLabels: labels, labels: labels, scrapeURL: "http://host-\(t):9100/metrics")
            return PageIngester(db: db, target: target, config: config)
        }
        var firstCPU = 0.0, cpu = 0.0, samples = 0
        for r in 0..<rounds {
            let c0 = threadCPU()
            pages[r].withUnsafeBufferPointer { buf in
                for ing in ingesters {
                    let o = ing.ingest(page: buf, format: .prometheusText, time: 1_700_000_000_000 + Int64(r) * 1000, duration: 0.01)
                    precondition(o.error == nil, "\(o.error!)")
                    if r > 0 { samples += o.samplesScraped }
                }
            }
            if r == 0 { firstCPU = threadCPU() - c0 } else { cpu += threadCPU() - c0 }
        }
        print("| \(targets) targets x \(perTarget) series | \((rounds - 1) * targets) | \(samples) | \(fmt(cpu / Double(samples) * 1e6)) | \(fmt(Double(samples) / cpu)) | \(fmt(firstCPU)) |")
        try db.close()
        try? FileManager.default.removeItem(atPath: dir)
    }
    print("\nSteady state (rounds after the first, which creates the series). HTTP is not included.\n")
}

func writeRequest(series: Range<Int>, time: Int64, names: [[UInt8]]) -> [UInt8] {
    func varint(_ out: inout [UInt8], _ v: UInt64) {
        var v = v
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }
    func field(_ out: inout [UInt8], _ n: UInt64, _ b: [UInt8]) {
        varint(&out, n << 3 | 2); varint(&out, UInt64(b.count)); out += b
    }
    var out: [UInt8] = []
    for i in series {
        var ts: [UInt8] = []
        for (k, v) in [("__name__", "http_requests_total"), ("handler", "/api/v1/item/\(i / 5)"), ("code", "\(200 + i % 5 * 100)"),
                       ("instance", "host-\(i / 1000):9100"), ("job", "app")].sorted(by: { $0.0 < $1.0 }) {
            var l: [UInt8] = []
            field(&l, 1, Array(k.utf8)); field(&l, 2, Array(v.utf8))
            field(&ts, 1, l)
        }
        var s: [UInt8] = [0x09]
        withUnsafeBytes(of: Double(time / 1000 + Int64(i)).bitPattern.littleEndian) { s += $0 }
        s.append(0x10); varint(&s, UInt64(time))
        field(&ts, 2, s)
        field(&out, 1, ts)
    }
    _ = names
    return out
}

func remoteFigures() throws {
    print("## Remote-write receive (snappy + WriteRequest decode + append, 500 samples per request, 10,000 series)\n")
    let (db, dir) = try openDB("remote")
    let rx = RemoteWriteReceiver(db: db)
    let rounds = 40
    var bodies: [[UInt8]] = []
    for r in 0..<rounds {
        for start in stride(from: 0, to: 10_000, by: 500) {
            bodies.append(Snappy.compress(writeRequest(series: start..<(start + 500), time: 1_700_000_000_000 + Int64(r) * 15_000, names: [])))
        }
    }
    var cpu = 0.0, wallTime = 0.0, samples = 0
    for (i, b) in bodies.enumerated() {
        let c0 = threadCPU(), w0 = wall()
        let r = rx.handle(body: b)
        precondition(r.status == 204, r.message)
        if i >= 20 {  // the first round creates the series
            cpu += threadCPU() - c0
            wallTime += wall() - w0
            samples += r.result.appended
        }
    }
    print("| requests | samples | samples/s (thread CPU) | samples/s (wall) | CPU s per 1M samples |")
    print("| --- | --- | --- | --- | --- |")
    print("| \(bodies.count - 20) | \(samples) | \(fmt(Double(samples) / cpu)) | \(fmt(Double(samples) / wallTime)) | \(fmt(cpu / Double(samples) * 1e6)) |")
    // Decode only: the same bodies without the append.
    var decoded = 0
    let c0 = threadCPU()
    for b in bodies {
        let raw = b.withUnsafeBytes { try! Snappy.decompress($0, limit: 1 << 26) }
        raw.withUnsafeBufferPointer { buf in
            var d = WriteRequestDecoder(bytes: buf)
            while (try? d.nextSeries()) == true { try? d.forEachSample { _, _ in decoded += 1 } }
        }
    }
    let dc = threadCPU() - c0
    print("\nDecode only (snappy + protobuf walk, no append): \(fmt(Double(decoded) / dc)) samples/s (thread CPU).\n")
    try db.close()
    try? FileManager.default.removeItem(atPath: dir)
}

func processCPU() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

/// Resident set size (VmRSS) in MB.
func residentMB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Double(line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0) / 1024
    }
    return 0
}

func httpFigures(seconds: Double) async throws {
    print("## Scraping over HTTP: 100 targets x 1,000 series, 1 s interval (server: Python, another process)\n")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ingest-http-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try Data(page(series: 1000, round: 1)).write(to: URL(fileURLWithPath: "\(dir)/page.prom"))
    let script = """
    import http.server, socketserver, sys
    body = open(sys.argv[1], 'rb').read()
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        def do_GET(self):
            self.send_response(200); self.send_header('Content-Type', 'text/plain; version=0.0.4')
            self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
        def log_message(self, *a): pass
    class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
    s = S(('127.0.0.1', 0), H)
    print(s.server_address[1], flush=True)
    s.serve_forever()
    """
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    server.arguments = ["python3", "-c", script, "\(dir)/page.prom"]
    let pipe = Pipe()
    server.standardOutput = pipe
    try server.run()
    // SIGKILL and waitpid: the child inherits a signal mask in which SIGTERM is blocked, and
    // Foundation's waitUntilExit spins on Linux.
    defer {
        kill(server.processIdentifier, SIGKILL)
        var status: Int32 = 0
        waitpid(server.processIdentifier, &status, 0)
        try? FileManager.default.removeItem(atPath: dir)
    }
    let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard let port = Int(line) else { print("server did not start: \(line)"); return }
    var yaml = "scrape_configs:\n  - job_name: bench\n    scrape_interval: 1s\n    scrape_timeout: 900ms\n    static_configs:\n"
    for i in 0..<100 { yaml += "    - targets: ['127.0.0.1:\(port)']\n      labels: {shard: '\(i)'}\n" }
    let config = try PrometheusConfig.parse(yaml, file: "bench.yml", directory: dir)
    let (db, dbDir) = try openDB("http")
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let manager = ScrapeManager(db: db, logger: logger)
    try await manager.apply(config)
    try await Task.sleep(nanoseconds: 3_000_000_000)  // first scrapes create the series
    let c0 = processCPU(), w0 = wall(), s0 = db.stats.samplesAppended
    try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    let c = processCPU() - c0, w = wall() - w0, n = db.stats.samplesAppended - s0
    let rssMB = residentMB()
    let up = manager.activeTargets().filter { $0.health == .up }.count
    await manager.stop()
    try db.close()
    try? FileManager.default.removeItem(atPath: dbDir)
    print("| targets up | seconds | samples appended | samples/s | process CPU s | CPU s per 1M samples | CPU share of one core | RSS MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print("| \(up)/100 | \(fmt(w)) | \(n) | \(fmt(Double(n) / w)) | \(fmt(c)) | \(fmt(c / Double(max(n, 1)) * 1e6)) | \(fmt(c / w * 100)) % | \(fmt(rssMB)) |")
    print("\nIncludes HTTP (AsyncHTTPClient), parsing, the series cache, staleness, report series and one durable append per scrape.\n")
}

let what = CommandLine.arguments.dropFirst().first ?? "all"
if what == "write-page", let file = CommandLine.arguments.dropFirst(2).first {
    // The 1k-series page of the http figure, for the side-by-side with Prometheus.
    try Data(page(series: 1000, round: 1)).write(to: URL(fileURLWithPath: file))
    exit(0)
}
print("# Ingest figures\n")
if what == "parse" || what == "all" { parseFigures() }
if what == "scrape" || what == "all" { try scrapeFigures() }
if what == "remote" || what == "all" { try remoteFigures() }
if what == "http" || what == "all" { try await httpFigures(seconds: Double(CommandLine.arguments.dropFirst(2).first ?? "") ?? 20) }
