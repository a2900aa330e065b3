import ArgumentParser
import Logging
import PromQL
import Rules
import Server
import TSDB

/// `vigil run`: the server — storage engine, rule engine and HTTP API (Prometheus's flags).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run Vigil (embedded default: data in ./data)."
    )

    @Option(name: .customLong("config.file"), help: "prometheus.yml: global, rule_files, scrape_configs, alerting (reloaded on SIGHUP).")
    var configFile: String?

    @Option(name: .customLong("storage.tsdb.path"), help: "Directory of the database.")
    var storagePath = "data"

    @Option(name: .customLong("storage.tsdb.retention.time"), help: "How long to keep samples (e.g. 15d, 12h).")
    var retention = "15d"

    @Option(name: .customLong("storage.tsdb.retention.size"), help: "Maximum bytes kept on disk (e.g. 512MB, 10GB; 0 = off).")
    var retentionSize = "0"

    @Option(name: .customLong("storage.remote.log-retention.time"), help: "How long unsent samples stay in the append log while a remote_write receiver is unreachable (by sample time).")
    var remoteLogRetention = "6h"

    @Option(name: .customLong("storage.remote.log-retention.size"), help: "Maximum bytes of append log kept for unreachable remote_write receivers (e.g. 2GB; 0 = off).")
    var remoteLogRetentionSize = "0"

    @Option(name: .customLong("storage.tsdb.max-series"), help: "Reject new series past this many active series (0 = off).")
    var maxSeries = 0

    @Option(name: .customLong("storage.tsdb.sync"), help: "normal: survive kill -9; full: also survive power loss (fsync per batch).")
    var sync = "normal"

    @Option(name: .customLong("log.level"), help: "debug, info, warn or error.")
    var logLevel = "info"

    @Option(name: .customLong("self-monitor.interval"), help: "How often Vigil records its own metrics (seconds; 0 turns it off).")
    var selfInterval: Double = 15

    @Option(name: .customLong("rules.file"), help: "A rule file to evaluate (repeatable; globs allowed). Without any, a small built-in rule set over Vigil's own metrics runs.")
    var ruleFiles: [String] = []

    @Option(name: .customLong("rules.evaluation-interval"), help: "Interval of rule groups that set none (the global evaluation_interval).")
    var evaluationInterval = "1m"

    @Option(name: .customLong("rules.alert.for-outage-tolerance"), help: "Max time to tolerate an outage for restoring the 'for' state of alerts.")
    var outageTolerance = "1h"

    @Option(name: .customLong("rules.alert.for-grace-period"), help: "Minimum duration between a restart and an alert firing, for alerts whose 'for' is at least this long.")
    var forGracePeriod = "10m"

    @Option(name: .customLong("rules.alert.resend-delay"), help: "Minimum time to wait before resending an alert.")
    var resendDelay = "1m"

    func validate() throws {
        _ = try parsedRetention()
        _ = try parsedRetentionSize()
        _ = try duration("storage.remote.log-retention.time", remoteLogRetention)
        _ = try size("storage.remote.log-retention.size", remoteLogRetentionSize)
        guard TSDBOptions.Durability(rawValue: sync) != nil else {
            throw ValidationError("--storage.tsdb.sync must be 'normal' or 'full', not \(Labels.quote(sync))")
        }
        guard maxSeries >= 0 else { throw ValidationError("--storage.tsdb.max-series must be >= 0") }
        guard selfInterval >= 0 else { throw ValidationError("--self-monitor.interval must be >= 0 (0 turns it off)") }
        for (flag, v) in [("rules.evaluation-interval", evaluationInterval), ("rules.alert.for-outage-tolerance", outageTolerance),
                          ("rules.alert.for-grace-period", forGracePeriod), ("rules.alert.resend-delay", resendDelay)] {
            _ = try duration(flag, v)
        }
        guard try duration("rules.evaluation-interval", evaluationInterval) > 0 else {
            throw ValidationError("--rules.evaluation-interval must be > 0")
        }
    }

    func duration(_ flag: String, _ value: String) throws -> Int64 {
        do { return try PromQLDuration.parse(value) } catch { throw ValidationError("--\(flag): \(error)") }
    }

    func parsedRetention() throws -> Int64 {
        do { return try PromQLDuration.parse(retention) } catch {
            throw ValidationError("--storage.tsdb.retention.time: \(error)")
        }
    }

    /// Prometheus's byte sizes: a number and B, KB, MB, GB, TB, PB or EB (powers of 1024).
    func parsedRetentionSize() throws -> Int64? { try size("storage.tsdb.retention.size", retentionSize) }

    func size(_ flag: String, _ value: String) throws -> Int64? {
        if value == "0" { return nil }
        let units: [(String, Int64)] = [("EB", 1 << 60), ("PB", 1 << 50), ("TB", 1 << 40), ("GB", 1 << 30),
                                         ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        for (suffix, scale) in units where value.hasSuffix(suffix) {
            if let n = Int64(value.dropLast(suffix.count)), n > 0 {
                let (bytes, overflow) = n.multipliedReportingOverflow(by: scale)
                if !overflow { return bytes }
            }
            break
        }
        throw ValidationError("--\(flag): not a valid size \(Labels.quote(value)) (e.g. 512MB, 10GB)")
    }

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on for the UI, API and telemetry.")
    var listenAddress = "127.0.0.1:9090"

    @Option(name: .customLong("alertmanager.config"), help: "alertmanager.yml of the built-in Alertmanager (Slack, PagerDuty, webhooks, silences); its state is kept in the storage directory.")
    var alertmanagerConfig: String?

    @Option(name: .customLong("web.config.file"), help: "Web configuration (TLS and basic auth), Prometheus's format.")
    var webConfigFile: String?

    @Flag(name: .customLong("web.enable-admin-api"), help: "Enable the admin API (delete series, snapshot).")
    var enableAdminAPI = false

    @Flag(name: .customLong("web.enable-lifecycle"), help: "Enable reloading via HTTP (POST /-/reload).")
    var enableLifecycle = false

    @Option(name: .customLong("web.external-url"), help: "The URL under which Vigil is reachable (for links in alerts).")
    var externalURL: String?

    @Option(name: .customLong("query.timeout"), help: "Maximum time a query may take before being aborted.")
    var queryTimeout = "2m"

    @Option(name: .customLong("query.max-samples"), help: "Maximum number of samples a single query can load into memory.")
    var queryMaxSamples = 50_000_000

    @Option(name: .customLong("query.lookback-delta"), help: "How far back instant selectors look for a sample.")
    var lookbackDelta = "5m"

    func run() async throws {
        var logger = Logger(label: "vigil")
        logger.logLevel = Logger.Level(rawValue: logLevel == "warn" ? "warning" : logLevel) ?? .info
        var options = VigilServerOptions()
        options.version = VigilVersion.string
        options.storagePath = storagePath
        options.tsdb.retentionMilliseconds = try parsedRetention()
        options.tsdb.retentionBytes = try parsedRetentionSize()
        options.tsdb.logRetentionMilliseconds = try duration("storage.remote.log-retention.time", remoteLogRetention)
        options.tsdb.logRetentionBytes = try size("storage.remote.log-retention.size", remoteLogRetentionSize)
        options.tsdb.maxSeries = maxSeries > 0 ? maxSeries : nil
        options.tsdb.durability = TSDBOptions.Durability(rawValue: sync) ?? .process
        do { try options.setListenAddress(listenAddress) } catch { throw ValidationError("\(error)") }
        options.externalURL = externalURL
        options.engine.timeout = .milliseconds(try duration("query.timeout", queryTimeout))
        options.engine.maxSamples = queryMaxSamples
        options.engine.lookbackDelta = try duration("query.lookback-delta", lookbackDelta)
        options.rules.evaluationInterval = try duration("rules.evaluation-interval", evaluationInterval)
        options.rules.restore.outageTolerance = try duration("rules.alert.for-outage-tolerance", outageTolerance)
        options.rules.restore.forGracePeriod = try duration("rules.alert.for-grace-period", forGracePeriod)
        options.resendDelay = try duration("rules.alert.resend-delay", resendDelay)
        options.engine.defaultSubqueryStep = options.rules.evaluationInterval
        options.selfMonitorInterval = selfInterval
        options.ruleFiles = ruleFiles
        options.enableLifecycle = enableLifecycle
        options.enableAdminAPI = enableAdminAPI
        options.webConfigFile = webConfigFile
        options.alertmanagerConfigFile = alertmanagerConfig
        options.configFile = configFile
        options.flags = [
            "storage.tsdb.path": storagePath, "storage.tsdb.retention.time": retention,
            "storage.tsdb.retention.size": retentionSize, "storage.tsdb.max-series": "\(maxSeries)",
            "storage.tsdb.sync": sync, "storage.remote.log-retention.time": remoteLogRetention,
            "storage.remote.log-retention.size": remoteLogRetentionSize, "log.level": logLevel, "web.listen-address": listenAddress,
            "web.external-url": externalURL ?? "", "web.enable-lifecycle": "\(enableLifecycle)", "web.enable-admin-api": "\(enableAdminAPI)", "web.config.file": webConfigFile ?? "",
            "alertmanager.config": alertmanagerConfig ?? "", "config.file": configFile ?? "", "query.timeout": queryTimeout,
            "query.max-samples": "\(queryMaxSamples)", "query.lookback-delta": lookbackDelta,
            "rules.evaluation-interval": evaluationInterval, "rules.alert.for-outage-tolerance": outageTolerance,
            "rules.alert.for-grace-period": forGracePeriod, "rules.alert.resend-delay": resendDelay,
        ]
        let server: VigilServer
        do { server = try VigilServer(options: options, logger: logger) } catch let e as ConfigLoadError {
            logger.error("\(e.message)")
            throw ExitCode(1)
        }
        logger.info("vigil started", metadata: ["version": "\(VigilVersion.string)", "storage": "\(storagePath)",
                                                "retention": "\(retention)"])
        try await server.run()
    }
}
