import ArgumentParser
import Dispatch
import Ingest
import Logging
import PromQL
import TSDB

#if canImport(Glibc)
import Glibc
#endif

/// `vigil run`: starts the server. For now the storage engine with its maintenance loop and
/// self-monitoring samples; the HTTP API, scraping, rules and notifications attach here as
/// they land.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run Vigil (embedded default: data in ./data)."
    )

    @Option(name: .customLong("config.file"), help: "Prometheus configuration file (scrape_configs are scraped).")
    var configFile: String?

    @Option(name: .customLong("storage.tsdb.path"), help: "Directory of the database.")
    var storagePath = "data"

    @Option(name: .customLong("storage.tsdb.retention.time"), help: "How long to keep samples (e.g. 15d, 12h).")
    var retention = "15d"

    @Option(name: .customLong("storage.tsdb.retention.size"), help: "Maximum bytes kept on disk (e.g. 512MB, 10GB; 0 = off).")
    var retentionSize = "0"

    @Option(name: .customLong("storage.tsdb.max-series"), help: "Reject new series past this many active series (0 = off).")
    var maxSeries = 0

    @Option(name: .customLong("storage.tsdb.sync"), help: "normal: survive kill -9; full: also survive power loss (fsync per batch).")
    var sync = "normal"

    @Option(name: .customLong("log.level"), help: "debug, info, warn or error.")
    var logLevel = "info"

    @Option(name: .customLong("self-monitor.interval"), help: "How often Vigil records its own metrics (seconds).")
    var selfInterval: Double = 15

    func validate() throws {
        _ = try parsedRetention()
        _ = try parsedRetentionSize()
        guard TSDBOptions.Durability(rawValue: sync) != nil else {
            throw ValidationError("--storage.tsdb.sync must be 'normal' or 'full', not \(Labels.quote(sync))")
        }
        guard maxSeries >= 0 else { throw ValidationError("--storage.tsdb.max-series must be >= 0") }
        guard selfInterval > 0 else { throw ValidationError("--self-monitor.interval must be > 0") }
    }

    func parsedRetention() throws -> Int64 {
        do { return try PromQLDuration.parse(retention) } catch {
            throw ValidationError("--storage.tsdb.retention.time: \(error)")
        }
    }

    /// Prometheus's byte sizes: a number and B, KB, MB, GB, TB, PB or EB (powers of 1024).
    func parsedRetentionSize() throws -> Int64? {
        if retentionSize == "0" { return nil }
        let units: [(String, Int64)] = [("EB", 1 << 60), ("PB", 1 << 50), ("TB", 1 << 40), ("GB", 1 << 30),
                                         ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        for (suffix, scale) in units where retentionSize.hasSuffix(suffix) {
            if let n = Int64(retentionSize.dropLast(suffix.count)), n > 0 {
                let (bytes, overflow) = n.multipliedReportingOverflow(by: scale)
                if !overflow { return bytes }
            }
            break
        }
        throw ValidationError("--storage.tsdb.retention.size: not a valid size \(Labels.quote(retentionSize)) (e.g. 512MB, 10GB)")
    }

    func run() throws {
        var logger = Logger(label: "vigil")
        logger.logLevel = Logger.Level(rawValue: logLevel == "warn" ? "warning" : logLevel) ?? .info
        var options = TSDBOptions()
        options.retentionMilliseconds = try parsedRetention()
        options.retentionBytes = try parsedRetentionSize()
        options.maxSeries = maxSeries > 0 ? maxSeries : nil
        options.durability = TSDBOptions.Durability(rawValue: sync) ?? .process
        let db = try TSDB.open(directory: storagePath, options: options, logger: logger)
        logger.info("vigil started", metadata: ["version": "\(VigilVersion.string)", "storage": "\(storagePath)",
                                                "retention": "\(retention)"])
        var config: PrometheusConfig?
        if let configFile {
            do { config = try PrometheusConfig.load(file: configFile) } catch {
                logger.error("loading the configuration failed", metadata: ["error": "\(error)"])
                try db.close()
                throw ExitCode(1)
            }
        }
        let scrapes = config.map { _ in ScrapeManager(db: db, logger: logger) }
        if let scrapes, let config {
            try blocking { try await scrapes.apply(config) }
            logger.info("scraping", metadata: ["config": "\(configFile ?? "")", "jobs": "\(config.scrapeConfigs.count)"])
        }
        let monitor = SelfMonitor(db: db)
        let stop = StopSignal()
        let reload = ReloadSignal()
        while !stop.requested {
            do {
                try monitor.record()
            } catch {
                logger.error("self-monitoring failed", metadata: ["error": "\(error)"])
            }
            // Wait in short steps so SIGHUP reloads the configuration promptly.
            var left = selfInterval
            while left > 0 && !stop.requested {
                stop.wait(seconds: min(left, 0.5))
                left -= 0.5
                if reload.take(), let configFile, let scrapes {
                    reloadConfig(configFile, scrapes, logger)
                }
            }
        }
        if let scrapes { try blocking { await scrapes.stop() } }
        logger.info("shutting down: checkpointing")
        try db.close()
        logger.info("stopped")
    }
}

/// Runs async work from the synchronous command and waits for it (the main thread is not
/// one of the concurrency pool's threads, so waiting here cannot starve the work).
func blocking(_ work: @escaping @Sendable () async throws -> Void) throws {
    final class Box: @unchecked Sendable { var error: Error? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await work() } catch { box.error = error }
        done.signal()
    }
    done.wait()
    if let e = box.error { throw e }
}

/// Records Vigil's own process and storage figures as series, so a fresh `vigil run` has data.
final class SelfMonitor {
    let db: TSDB
    let started = DispatchTime.now()

    init(db: TSDB) { self.db = db }

    func record() throws {
        let t = wallClockMilliseconds()
        let s = db.stats
        let job = ("job", "vigil"), inst = ("instance", "localhost")
        var samples: [(Labels, Int64, Double)] = []
        func add(_ name: String, _ v: Double) throws {
            samples.append((try Labels([("__name__", name), job, inst]), t, v))
        }
        try add("up", 1)
        try add("process_resident_memory_bytes", Double(residentBytes()))
        try add("process_cpu_seconds_total", cpuSeconds())
        try add("vigil_tsdb_head_series", Double(s.activeSeries))
        try add("vigil_tsdb_head_samples_appended_total", Double(s.samplesAppended))
        try add("vigil_tsdb_checkpoints_total", Double(s.checkpoints))
        try add("vigil_tsdb_database_bytes", Double(s.databaseBytes + s.sqliteWALBytes))
        try db.append(samples)
    }
}

func wallClockMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// Resident set size from /proc/self/statm (pages × page size).
func residentBytes() -> Int64 {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var size = 0, resident = 0
    withUnsafeMutablePointer(to: &size) { sp in
        withUnsafeMutablePointer(to: &resident) { rp in
            _ = withVaList([sp, rp]) { vfscanf(f, "%ld %ld", $0) }
        }
    }
    return Int64(resident) * Int64(sysconf(Int32(_SC_PAGESIZE)))
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// SIGINT/SIGTERM set a flag the main loop polls (a plain C handler: async-signal-safe).
final class StopSignal: @unchecked Sendable {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in StopSignal.flag = 1 }
        }
    }

    var requested: Bool { StopSignal.flag != 0 }

    /// Sleeps up to `seconds`, waking early when a stop was requested.
    func wait(seconds: Double) {
        var left = seconds
        while left > 0 && !requested {
            let slice = min(left, 0.1)
            usleep(useconds_t(slice * 1_000_000))
            left -= slice
        }
    }
}
