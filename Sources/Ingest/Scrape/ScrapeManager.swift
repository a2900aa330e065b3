import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import TSDB

/// Scrapes every target of a `prometheus.yml` into a TSDB. `apply` (re)configures: pools
/// whose scrape config is unchanged keep running (no gaps, no stale markers), changed ones
/// restart, removed ones stop with stale markers.
public final class ScrapeManager: @unchecked Sendable {
    let db: TSDB
    let logger: Logger
    let client: HTTPClient
    /// The scrape loops' event loops, when the manager made them (with its client).
    let ownedGroup: MultiThreadedEventLoopGroup?
    private let lock = NSLock()
    private var pools: [String: ScrapePool] = [:]

    /// `client`: the shared HTTP client, whose event loops run the scrape loops. When nil,
    /// the manager makes its own on an event-loop group of its own, one thread per core.
    public init(db: TSDB, logger: Logger = Logger(label: "vigil.scrape"), client: HTTPClient? = nil) {
        self.db = db
        self.logger = logger
        if let client {
            self.client = client
            ownedGroup = nil
        } else {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
            self.client = HTTPScraper.makeSharedClient(group: group)
            ownedGroup = group
        }
    }

    public func apply(_ config: PrometheusConfig) async throws {
        var next: [String: ScrapePool] = [:]
        var starting: [ScrapePool] = []
        let old = lock.withLock { pools }
        for sc in config.scrapeConfigs {
            let fp = Self.fingerprint(sc)
            if let p = old[sc.jobName], p.fingerprint == fp {
                next[sc.jobName] = p
                continue
            }
            let scraper = try HTTPScraper(http: sc.http, shared: client)
            let p = ScrapePool(config: sc, fingerprint: fp, db: db, scraper: scraper, logger: logger)
            next[sc.jobName] = p
            starting.append(p)
        }
        // A removed job ends its series (stale markers); a changed one restarts without
        // them, so series that continue under the new config show no break.
        let stopping = old.filter { next[$0.key] !== $0.value }
        lock.withLock { pools = next }
        for (job, p) in stopping { await p.stop(staleMarkers: next[job] == nil) }
        for p in starting { await p.start() }
        logger.info("scrape configuration applied", metadata: ["pools": "\(next.count)", "restarted": "\(starting.count)"])
    }

    /// Every active target's status, by pool then URL.
    public func activeTargets() -> [TargetStatus] {
        let ps = lock.withLock { Array(pools.values) }
        return ps.flatMap(\.statuses).sorted { ($0.scrapePool, $0.target.scrapeURL) < ($1.scrapePool, $1.target.scrapeURL) }
    }

    /// Per target, the metric families its pages declared (`/api/v1/targets/metadata`).
    public func targetMetadata() -> [(target: TargetStatus, metadata: [String: ScrapedMetadata])] {
        lock.withLock { Array(pools.values) }.flatMap(\.targetMetadata).map { (target: $0.0, metadata: $0.1) }
    }

    /// Every distinct declaration per metric name across targets (`/api/v1/metadata`).
    public func metadata() -> [String: [ScrapedMetadata]] {
        var out: [String: [ScrapedMetadata]] = [:]
        for (_, m) in targetMetadata() {
            for (name, md) in m where !(out[name]?.contains(md) ?? false) { out[name, default: []].append(md) }
        }
        return out
    }

    public func droppedTargets() -> [DroppedTarget] {
        lock.withLock { Array(pools.values) }.flatMap(\.dropped)
    }

    /// Stops every pool and the shared client. No stale markers, as when Prometheus shuts
    /// down: after a restart the series simply continue.
    public func stop() async {
        let ps = lock.withLock { () -> [ScrapePool] in
            let p = Array(pools.values)
            pools = [:]
            return p
        }
        for p in ps { await p.stop(staleMarkers: false) }
        guard let group = ownedGroup else { return }
        try? await client.shutdown()
        try? await group.shutdownGracefully()
    }

    /// Identifies a scrape config's settings, secrets included (never printed).
    static func fingerprint(_ c: ScrapeConfig) -> String {
        var s = String(reflecting: c)
        for cred in [c.http.basicAuth?.password.value, c.http.authorization?.credentials.value] {
            s += "\u{0}" + (cred ?? "")
        }
        return s
    }
}
