import Foundation
import Logging
import TSDB

/// What /api/v1/targets shows about one target.
public struct TargetStatus: Sendable {
    public enum Health: String, Sendable { case unknown, up, down }
    public var scrapePool: String
    public var target: ScrapeTarget
    public var health = Health.unknown
    public var lastError = ""
    /// Wall-clock ms when the last scrape started (0 before the first).
    public var lastScrape: Int64 = 0
    public var lastScrapeDuration: Double = 0
    /// The scheduled time the last scrape's samples were stamped with.
    public var lastScrapeTimestamp: Int64 = 0
    public var scrapeInterval: Int64
    public var scrapeTimeout: Int64
}

/// Scrapes one target on a fixed time grid until stopped.
///
/// Timestamps: Prometheus stamps samples with the time each scrape started, which jitters by
/// milliseconds. Vigil schedules every target on a grid (`offset + k × interval`, the offset
/// a stable hash of the target so it survives restarts and spreads targets over the
/// interval) and stamps samples with the scheduled time, not the response time: the
/// delta-of-delta timestamp encoding then spends one bit per sample. The difference from
/// the real scrape time is the scheduling delay (normally under a millisecond or two).
final class TargetLoop: @unchecked Sendable {
    let pool: String
    let target: ScrapeTarget
    let config: ScrapeConfig
    let scraper: HTTPScraper
    let ingester: PageIngester
    let logger: Logger
    private let lock = NSLock()
    private var statusValue: TargetStatus
    /// When set, every scrape fails with it without contacting the target (the pool's
    /// target_limit is exceeded), as Prometheus's `setForcedError`.
    private var forcedErrorValue: String?
    private var task: Task<Void, Never>?

    init(pool: String, target: ScrapeTarget, config: ScrapeConfig, scraper: HTTPScraper, db: TSDB, logger: Logger) {
        self.pool = pool
        self.target = target
        self.config = config
        self.scraper = scraper
        self.logger = logger
        ingester = PageIngester(db: db, target: target, config: config)
        statusValue = TargetStatus(scrapePool: pool, target: target, scrapeInterval: config.scrapeInterval,
                                   scrapeTimeout: config.scrapeTimeout)
    }

    var status: TargetStatus { lock.withLock { statusValue } }
    var metadata: [String: ScrapedMetadata] { ingester.metadata }

    var forcedError: String? {
        get { lock.withLock { forcedErrorValue } }
        set { lock.withLock { forcedErrorValue = newValue } }
    }

    /// The grid offset within the interval: a stable hash of the target's labels.
    static func offset(_ target: ScrapeTarget, interval: Int64) -> Int64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in target.labels.description.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return Int64(h % UInt64(max(interval, 1)))
    }

    /// The first grid slot at or after `now`.
    static func firstSlot(now: Int64, interval: Int64, offset: Int64) -> Int64 {
        let base = now - ((now - offset) % interval + interval) % interval
        return base >= now ? base : base + interval
    }

    func start() {
        task = Task { [self] in await run() }
    }

    /// Stops scraping; with `staleMarkers`, ends every series the target last exposed (the
    /// target went away). Without (shutdown, or a reload that restarts the pool), the
    /// series just pause, as in Prometheus.
    func stop(staleMarkers: Bool) async {
        task?.cancel()
        await task?.value
        guard staleMarkers else { return }
        let last = lock.withLock { statusValue.lastScrapeTimestamp }
        ingester.stop(time: max(wallClockMilliseconds(), last + 1))
    }

    private func run() async {
        let interval = config.scrapeInterval
        var next = Self.firstSlot(now: wallClockMilliseconds(), interval: interval, offset: Self.offset(target, interval: interval))
        var body: [UInt8] = []
        while !Task.isCancelled {
            let wait = next - wallClockMilliseconds()
            if wait > 0 {
                do { try await Task.sleep(nanoseconds: UInt64(wait) * 1_000_000) } catch { return }
            }
            let started = wallClockMilliseconds()
            let clock = ContinuousClock.now
            var outcome: ScrapeOutcome
            do throws(ScrapeFetchError) {
                if let forced = forcedError { throw ScrapeFetchError(message: forced) }
                let page = try await scraper.fetch(url: target.scrapeURL, http: config.http, timeoutMilliseconds: config.scrapeTimeout,
                                                   bodySizeLimit: config.bodySizeLimit, into: &body)
                let d = Self.seconds(ContinuousClock.now - clock)
                outcome = body.withUnsafeBufferPointer { ingester.ingest(page: $0, format: page.format, time: next, duration: d) }
            } catch {
                if Task.isCancelled { return }
                outcome = ingester.fail(error: error.message, time: next, duration: Self.seconds(ContinuousClock.now - clock))
            }
            let duration = Self.seconds(ContinuousClock.now - clock)
            let stamped = next
            lock.withLock {
                statusValue.health = outcome.error == nil ? .up : .down
                statusValue.lastError = outcome.error ?? ""
                statusValue.lastScrape = started
                statusValue.lastScrapeDuration = duration
                statusValue.lastScrapeTimestamp = stamped
            }
            if let e = outcome.error {
                logger.debug("scrape failed", metadata: ["pool": "\(pool)", "target": "\(target.scrapeURL)", "error": "\(e)"])
            }
            // The next slot in the future: a scrape that overran skips slots rather than
            // stamping two scrapes close together.
            next += interval
            let now = wallClockMilliseconds()
            if next <= now { next += ((now - next) / interval + 1) * interval }
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

func wallClockMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
