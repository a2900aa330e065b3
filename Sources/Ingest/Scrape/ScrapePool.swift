import Foundation
import Logging
import TSDB

/// The targets of one scrape config: discovery (static groups, file_sd files re-read every
/// few seconds), relabelling into targets, one `TargetLoop` per target. Targets that
/// appear start scraping; targets that go away stop and get stale markers.
final class ScrapePool: @unchecked Sendable {
    let config: ScrapeConfig
    let fingerprint: String
    let db: TSDB
    let scraper: HTTPScraper
    let logger: Logger
    private let lock = NSLock()
    private var loops: [ScrapeTarget: TargetLoop] = [:]
    private var droppedValue: [DroppedTarget] = []
    private var fileGroups: [String: [TargetGroup]] = [:]
    private var discoveryTask: Task<Void, Never>?
    /// How often file_sd files are checked for changes (Prometheus watches them with
    /// inotify; polling every few seconds gives the same result a little later).
    static let fileCheckInterval: UInt64 = 5_000_000_000

    init(config: ScrapeConfig, fingerprint: String, db: TSDB, scraper: HTTPScraper, logger: Logger) {
        self.config = config
        self.fingerprint = fingerprint
        self.db = db
        self.scraper = scraper
        self.logger = logger
    }

    var statuses: [TargetStatus] { lock.withLock { Array(loops.values) }.map(\.status) }
    var targetMetadata: [(TargetStatus, [String: ScrapedMetadata])] {
        lock.withLock { Array(loops.values) }.map { ($0.status, $0.metadata) }
    }
    var dropped: [DroppedTarget] { lock.withLock { droppedValue } }

    func start() async {
        await refresh()
        guard !config.fileSDConfigs.isEmpty else { return }
        // Files are re-read every few seconds, which covers both change detection and the
        // (longer) refresh_interval.
        discoveryTask = Task { [self] in
            while !Task.isCancelled {
                do { try await Task.sleep(nanoseconds: Self.fileCheckInterval) } catch { return }
                await refresh()
            }
        }
    }

    /// Re-reads discovery and brings the running loops in line with it.
    func refresh() async {
        var groups = config.staticConfigs
        for sd in config.fileSDConfigs {
            for pattern in sd.files {
                for file in FileSD.glob(pattern) {
                    do {
                        let g = try FileSD.read(file: file)
                        lock.withLock { fileGroups[file] = g }
                    } catch {
                        // A broken file keeps its last good targets, as in Prometheus.
                        logger.error("file_sd: reading failed", metadata: ["file": "\(file)", "error": "\(error.message)"])
                    }
                }
            }
        }
        let files = Set(config.fileSDConfigs.flatMap { $0.files.flatMap(FileSD.glob) })
        groups += lock.withLock { () -> [TargetGroup] in
            fileGroups = fileGroups.filter { files.contains($0.key) }
            return fileGroups.keys.sorted().flatMap { fileGroups[$0]! }
        }
        await sync(groups)
    }

    func sync(_ groups: [TargetGroup]) async {
        var active: [ScrapeTarget] = [], dropped: [DroppedTarget] = []
        for g in groups {
            let (a, d) = TargetPopulation.targets(of: g, config: config)
            active += a
            dropped += d
        }
        var seen = Set<ScrapeTarget>()
        active = active.filter { seen.insert($0).inserted }
        let (toStop, toStart) = lock.withLock { () -> ([TargetLoop], [TargetLoop]) in
            droppedValue = dropped
            let wanted = Set(active)
            let stop = loops.filter { !wanted.contains($0.key) }.map(\.value)
            for l in stop { loops[l.target] = nil }
            var start: [TargetLoop] = []
            for t in active where loops[t] == nil {
                let l = TargetLoop(pool: config.jobName, target: t, config: config, scraper: scraper, db: db, logger: logger)
                loops[t] = l
                start.append(l)
            }
            // target_limit: over it, every target of the pool fails its scrapes (up 0).
            let limit = config.targetLimit
            let forced = limit > 0 && loops.count > limit
                ? "target_limit exceeded (number of targets: \(loops.count), limit: \(limit))" : nil
            for l in loops.values { l.forcedError = forced }
            return (stop, start)
        }
        for l in toStop { await l.stop(staleMarkers: true) }
        for l in toStart { l.start() }
    }

    /// Stops every target; `staleMarkers` as in `TargetLoop.stop`.
    func stop(staleMarkers: Bool) async {
        discoveryTask?.cancel()
        await discoveryTask?.value
        let all = lock.withLock { () -> [TargetLoop] in
            let a = Array(loops.values)
            loops = [:]
            return a
        }
        for l in all { await l.stop(staleMarkers: staleMarkers) }
        await scraper.shutdown()
    }
}
