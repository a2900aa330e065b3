import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Ingest
import NIOSSL
import Logging
import Notify
import Synchronization
import PromQL
import RemoteWrite
import Rules
import TSDB

/// Everything `vigil run` is configured with.
public struct VigilServerOptions: Sendable {
    public var storagePath = "data"
    public var tsdb = TSDBOptions()
    public var listenHost = "127.0.0.1"
    public var listenPort = 9090
    /// The URL users reach Vigil at (`--web.external-url`); nil: `http://<hostname>:<port>`.
    public var externalURL: String?
    public var engine = EngineOptions()
    /// `global.external_labels`: seen by templates, added to outgoing alerts and federation.
    public var externalLabels: Labels = .empty
    public var rules = RuleManager.Options()
    public var resendDelay: Int64 = 60_000
    /// Rule file patterns (globs, expanded at every load); empty: the built-in rule set.
    public var ruleFiles: [String] = []
    /// `--config.file`: prometheus.yml (global, rule_files, scrape_configs, alerting).
    public var configFile: String?
    /// `--alertmanager.config`: runs the built-in Alertmanager (state in `<storage>/notify.db`).
    public var alertmanagerConfigFile: String?
    /// `--web.config.file`: TLS and basic auth (Prometheus's web configuration format).
    public var webConfigFile: String?
    /// `--web.enable-admin-api`: delete series and snapshots.
    public var enableAdminAPI = false
    /// `--web.enable-lifecycle`: allow `POST /-/reload` (SIGHUP always reloads).
    public var enableLifecycle = false
    /// Seconds between self-monitoring samples; 0 turns them off.
    public var selfMonitorInterval: Double = 15
    /// Flags as given, for `/api/v1/status/flags`.
    public var flags: [String: String] = [:]
    public var version = "vigil"
    public init() {}

    /// Parses `host:port` (`:9090` listens on all interfaces).
    public mutating func setListenAddress(_ s: String) throws {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else {
            throw TSDBError.storage("--web.listen-address: \(s) is not host:port")
        }
        let host = String(s[..<colon])
        listenHost = host.isEmpty ? "0.0.0.0" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        listenPort = port
    }

    var resolvedExternalURL: String {
        if let e = externalURL { return e.hasSuffix("/") ? String(e.dropLast()) : e }
        return "http://\(ProcessInfo.processInfo.hostName):\(listenPort)"
    }
}

/// `vigil run`: the storage engine, the rule engine and the HTTP API in one process.
public final class VigilServer: Sendable {
    public let options: VigilServerOptions
    public let db: TSDB
    public let rules: RuleManager
    /// What rule evaluations see (engine, storage, external URL).
    public let ruleEnvironment: RuleEnvironment
    let alertmanager: BuiltinAlertmanager?
    /// Scraping, when a prometheus.yml with scrape_configs is given.
    let scrapes: ScrapeManager?
    let remoteWrite: RemoteWriteReceiver
    /// `remote_write`: queues shipping the append log to remote stores.
    let remoteStorage: RemoteStorage
    /// The loaded prometheus.yml and the rule file patterns in force (replaced on reload).
    let current: Mutex<LoadedConfig>
    let forwarding: ForwarderBox
    let webConfig: WebConfig
    let logger: Logger

    struct LoadedConfig {
        var config: PrometheusConfig?
        var rulePatterns: [String]
    }

    public init(options: VigilServerOptions, logger: Logger) throws {
        var options = options
        var config: PrometheusConfig?
        if let file = options.configFile {
            do { config = try PrometheusConfig.load(file: file) } catch {
                throw ConfigLoadError(message: "loading \(file) failed: \(error)")
            }
        }
        if let c = config {
            // prometheus.yml's global section, as Prometheus applies it.
            options.rules.evaluationInterval = c.global.evaluationInterval
            options.engine.defaultSubqueryStep = c.global.evaluationInterval
            if options.externalLabels.isEmpty, !c.global.externalLabels.isEmpty {
                options.externalLabels = (try? Labels(c.global.externalLabels)) ?? .empty
            }
        }
        if let file = options.webConfigFile {
            do { webConfig = try WebConfig.load(file: file) } catch { throw ConfigLoadError(message: error.description) }
        } else {
            webConfig = WebConfig()
        }
        self.options = options
        self.logger = logger
        db = try TSDB.open(directory: options.storagePath, options: options.tsdb, logger: logger)
        let externalURL = options.resolvedExternalURL
        alertmanager = options.alertmanagerConfigFile.map {
            BuiltinAlertmanager(configFile: $0, dataDirectory: options.storagePath, options: NotifierOptions(externalURL: externalURL))
        }
        forwarding = ForwarderBox(Self.forwarder(config, ownAddress: "\(options.listenHost):\(options.listenPort)"))
        var env = RuleEnvironment(engine: Engine(options: options.engine), storage: db, externalLabels: options.externalLabels,
                                  externalURL: externalURL, externalURLFunction: externalURL)
        env.notifier = AlertDelivery(builtin: alertmanager, forwarding: forwarding)
        env.resendDelay = options.resendDelay
        ruleEnvironment = env
        rules = RuleManager(environment: env, stateStore: db, options: options.rules, logger: logger)
        let store = db
        scrapes = config.map { _ in ScrapeManager(db: store, logger: logger) }
        remoteWrite = RemoteWriteReceiver(db: store)
        remoteStorage = RemoteStorage(db: store, logger: logger)
        current = Mutex(LoadedConfig(config: config, rulePatterns: Self.rulePatterns(config, options.ruleFiles)))
    }

    /// prometheus.yml's rule_files (relative to its directory) and the `--rules.file` patterns.
    static func rulePatterns(_ config: PrometheusConfig?, _ extra: [String]) -> [String] {
        guard let config else { return extra }
        return config.ruleFiles.map { $0.hasPrefix("/") || config.directory.isEmpty ? $0 : config.directory + "/" + $0 } + extra
    }

    /// The external labels outgoing samples get: `--` options first, else the config's.
    static func externalLabels(_ config: PrometheusConfig, _ options: VigilServerOptions) -> Labels {
        if !config.global.externalLabels.isEmpty, let l = try? Labels(config.global.externalLabels) { return l }
        return options.externalLabels
    }

    /// The external Alertmanagers of `alerting.alertmanagers` (static targets).
    static func forwarder(_ config: PrometheusConfig?, ownAddress: String) -> AlertmanagerForwarder? {
        guard let config else { return nil }
        var targets: [String] = []
        for am in config.alerting.alertmanagers {
            for group in am.staticConfigs {
                for t in group.targets { targets.append("\(am.scheme)://\(t)\(am.pathPrefix)") }
            }
        }
        let f = AlertmanagerForwarder(targets: targets, ownAddress: ownAddress)
        return f.targets.isEmpty ? nil : f
    }

    /// Loads the rule files (or the built-in set); returns the errors by file.
    @discardableResult
    public func loadRules() -> [String: RuleFileErrors] {
        var files: [String] = []
        let patterns = current.withLock { $0.rulePatterns }
        for pattern in patterns {
            let matches = RuleUnitTests.glob(pattern)
            if matches.isEmpty { logger.warning("no rule file matches", metadata: ["pattern": "\(pattern)"]) }
            files += matches
        }
        let useDefaults = options.configFile == nil && options.ruleFiles.isEmpty
        let embedded = useDefaults ? DefaultRuleSet.groups(defaultInterval: options.rules.evaluationInterval) : []
        let errors = rules.update(files: files, embedded: embedded)
        let groups = rules.groups
        logger.info("rules loaded", metadata: ["groups": "\(groups.count)", "rules": "\(groups.reduce(0) { $0 + $1.rules.count })",
                                               "failed_files": "\(errors.count)"])
        return errors
    }

    /// Re-reads the rule files (SIGHUP, `POST /-/reload`). A file that fails keeps its previous
    /// rules and makes the reload report failure; the other files' changes apply.
    public func reload() async -> Result<Void, ReloadError> {
        var messages: [String] = []
        if let file = options.configFile {
            do {
                let config = try PrometheusConfig.load(file: file)
                try await scrapes?.apply(config)
                try await remoteStorage.apply(config.remoteWrite, externalLabels: Self.externalLabels(config, options))
                current.withLock { $0 = LoadedConfig(config: config, rulePatterns: Self.rulePatterns(config, options.ruleFiles)) }
                forwarding.set(Self.forwarder(config, ownAddress: "\(options.listenHost):\(options.listenPort)"))
            } catch {
                messages.append("\(file): \(error) (the running configuration stays)")
            }
        }
        if let am = alertmanager {
            do { try await am.load() } catch { messages.append("\(error)") }
        }
        let errors = loadRules()
        messages += errors.sorted { $0.key < $1.key }.map { "\($0.value)" }
        if messages.isEmpty {
            logger.info("reload succeeded")
            return .success(())
        }
        let message = messages.joined(separator: "; ")
        logger.error("reload failed; the previous rules of the failing files stay loaded", metadata: ["err": "\(message)"])
        return .failure(ReloadError(message: message))
    }

    /// The HTTP routes: Prometheus's API v1, health, Vigil's own metrics and the web UI.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        if !webConfig.basicAuthUsers.isEmpty { router.add(middleware: BasicAuthMiddleware(users: webConfig.basicAuthUsers)) }
        let ctx = APIContext(db: db, engineOptions: options.engine, rules: rules, flags: options.flags)
        QueryAPI.register(router, ctx)
        SeriesAPI.register(router, ctx)
        RulesAPI.register(router, ctx)
        StatusAPI.register(router, ctx, version: options.version)
        MetricsEndpoint.register(router, ctx, alertmanager: alertmanager, remoteStorage: remoteStorage)
        AlertmanagerAPI.register(router, alertmanager, version: options.version)
        NotificationHistoryAPI.register(router, alertmanager)
        AdminAPI.register(router, ctx, enabled: options.enableAdminAPI, dataDirectory: options.storagePath)
        StatusConfigAPI.register(router, configFile: options.configFile)
        FederateAPI.register(router, ctx, externalLabels: ruleEnvironment.externalLabels)
        BacktestAPI.register(router, ctx, defaultInterval: options.rules.evaluationInterval)
        IngestAPI.register(router, ctx, receiver: remoteWrite, scrapes: scrapes)
        WebUI.register(router)
        router.post("/-/reload") { [self] _, _ -> Response in
            guard options.enableLifecycle else {
                return APIResponse.text("Lifecycle API is not enabled.\n", status: .forbidden)
            }
            switch await reload() {
            case .success: return APIResponse.text("")
            case .failure(let e): return APIResponse.text("failed to reload config: \(e.message)\n", status: .internalServerError)
            }
        }
        return router
    }

    /// Runs until SIGTERM or SIGINT, then stops in order: the HTTP server, the rule round in
    /// progress, a final checkpoint. `onListening` gets the bound port (tests use port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        if let am = alertmanager {
            try await am.load()
            logger.info("built-in Alertmanager started", metadata: ["config": "\(am.configFile)"])
        }
        // Before rules and scrapes, so a new remote's first position precedes their samples;
        // also without remotes, so the log positions of remotes no longer configured go.
        let startConfig = current.withLock { $0.config }
        try await remoteStorage.apply(startConfig?.remoteWrite ?? [],
                                      externalLabels: startConfig.map { Self.externalLabels($0, options) } ?? options.externalLabels)
        if let n = startConfig?.remoteWrite.count, n > 0 { logger.info("remote write", metadata: ["remotes": "\(n)"]) }
        loadRules()
        rules.start()
        if let scrapes, let config = current.withLock({ $0.config }) {
            try await scrapes.apply(config)
            logger.info("scraping", metadata: ["jobs": "\(config.scrapeConfigs.count)"])
        }
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler { [self] in Task { _ = await reload() } }
        hangup.resume()
        defer { hangup.cancel() }
        let monitor = SelfMonitor(db: db)
        let interval = options.selfMonitorInterval
        let logger = self.logger
        let monitorTask = Task.detached {
            while interval > 0 && !Task.isCancelled {
                do { try monitor.record() } catch { logger.error("self-monitoring failed", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            }
        }
        let server: HTTPServerBuilder
        if webConfig.tlsEnabled {
            do {
                server = try .tls(.http1(), tlsConfiguration: try webConfig.serverTLSConfiguration())
            } catch {
                throw ConfigLoadError(message: "TLS: \(error)")
            }
        } else {
            server = .http1()
        }
        let app = Application(
            router: router(),
            server: server,
            configuration: .init(address: .hostname(options.listenHost, port: options.listenPort), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                await onListening(port)
            },
            logger: logger)
        do {
            try await app.runService()
        } catch {
            logger.error("HTTP server failed", metadata: ["error": "\(error)"])
        }
        monitorTask.cancel()
        if let scrapes {
            logger.info("shutting down: stopping scrapes")
            await scrapes.stop()
        }
        logger.info("shutting down: finishing the rule round")
        rules.stop()
        if let am = alertmanager {
            logger.info("shutting down: flushing notifications")
            await am.stop()
        }
        if !remoteStorage.queues.isEmpty {
            logger.info("shutting down: remote write queues")
            await remoteStorage.stop()
        }
        logger.info("shutting down: checkpointing")
        try db.close()
        logger.info("stopped")
    }
}

/// Why a reload failed: the errors of the files that did not load.
public struct ReloadError: Error, Sendable {
    public var message: String
}

/// A prometheus.yml that could not be loaded at start.
public struct ConfigLoadError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
