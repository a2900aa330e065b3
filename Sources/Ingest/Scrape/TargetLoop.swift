import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
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
///
/// The loop lives on one event loop of the scrape group: its timer, the HTTP exchange and
/// the ingestion of the page all run there, one after another, with no task or thread
/// hand-off. Targets are fetched over the loop's own kept-alive connection
/// (`ScrapeConnection`, TLS included); targets that answered with a redirect, or whose URL
/// needs escaping, through AsyncHTTPClient. Everything below `eventLoop` is confined to it; the status
/// and the forced error are read from other threads under `lock`.
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

    let eventLoop: EventLoop
    /// The grid slot of the next (or running) scrape.
    private var next: Int64 = 0
    private var stopped = false
    private var timer: Scheduled<Void>?
    private var inflight: InFlight?
    /// The target's own connection; nil when the general client fetches its pages.
    private var connection: ScrapeConnection?
    /// Completed when the in-flight scrape has ended after `stop`.
    private var drained: EventLoopPromise<Void>?
    /// The last page's buffer, reused for the next body.
    private var spareBody: ByteBuffer?
    private var requests: HTTPScraper.RequestCache

    init(pool: String, target: ScrapeTarget, config: ScrapeConfig, scraper: HTTPScraper, db: TSDB, logger: Logger) {
        self.pool = pool
        self.target = target
        self.config = config
        self.scraper = scraper
        self.logger = logger
        eventLoop = scraper.nextEventLoop()
        requests = HTTPScraper.RequestCache(url: target.scrapeURL, http: config.http, timeoutMilliseconds: config.scrapeTimeout)
        let loop = eventLoop
        connection = ScrapeEndpoint(url: target.scrapeURL).flatMap { endpoint in
            var tls: ScrapeTLS?
            if endpoint.tls {
                guard let t = scraper.tls(host: endpoint.host) else { return nil }
                tls = t
            }
            return ScrapeConnection(endpoint: endpoint, eventLoop: loop, followRedirects: config.http.followRedirects, tls: tls)
        }
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
        eventLoop.execute { [self] in
            let interval = config.scrapeInterval
            next = Self.firstSlot(now: wallClockMilliseconds(), interval: interval, offset: Self.offset(target, interval: interval))
            schedule()
        }
    }

    /// Stops scraping (an in-flight scrape is cancelled and ingests nothing); with
    /// `staleMarkers`, ends every series the target last exposed (the target went away).
    /// Without (shutdown, or a reload that restarts the pool), the series just pause, as
    /// in Prometheus.
    func stop(staleMarkers: Bool) async {
        let ended = eventLoop.flatSubmit { [self] () -> EventLoopFuture<Void> in
            stopped = true
            timer?.cancel()
            timer = nil
            guard let fetch = inflight else {
                connection?.close()
                return eventLoop.makeSucceededVoidFuture()
            }
            if let already = drained { return already.futureResult }  // a second stop waits too
            let p = eventLoop.makePromise(of: Void.self)
            drained = p
            fetch.cancel()
            connection?.close()
            return p.futureResult
        }
        try? await ended.get()
        guard staleMarkers else { return }
        let last = lock.withLock { statusValue.lastScrapeTimestamp }
        ingester.stop(time: max(wallClockMilliseconds(), last + 1))
    }

    /// Arms the timer for `next` (on the event loop).
    private func schedule() {
        guard !stopped else { return }
        let wait = next - wallClockMilliseconds()
        timer = eventLoop.scheduleTask(in: .milliseconds(max(wait, 0))) { [self] in scrape() }
    }

    /// A fetch in flight, for `stop` to cancel.
    private enum InFlight {
        case own(ScrapeConnection)
        case general(HTTPClient.Task<FetchedPage>)

        func cancel() {
            switch self {
            case .own(let c): c.cancel()
            case .general(let t): t.cancel()
            }
        }
    }

    private func scrape() {
        timer = nil
        guard !stopped else { return }
        let started = wallClockMilliseconds()
        let clock = ContinuousClock.now
        do throws(ScrapeFetchError) {
            if let forced = forcedError { throw ScrapeFetchError(message: forced) }
            if let connection {
                let head = try requests.head(for: connection.endpoint)
                fetchOwn(head, on: connection, started: started, clock: clock)
            } else {
                fetchGeneral(try requests.next(), timeoutMilliseconds: config.scrapeTimeout, started: started, clock: clock)
            }
        } catch {
            finish(.failure(error), started: started, clock: clock)
        }
    }

    private func fetchOwn(_ head: HTTPRequestHead, on connection: ScrapeConnection, started: Int64, clock: ContinuousClock.Instant) {
        let body = spareBody.take() ?? ByteBufferAllocator().buffer(capacity: 16 * 1024)
        inflight = .own(connection)
        connection.fetch(head, timeoutMilliseconds: config.scrapeTimeout, bodySizeLimit: config.bodySizeLimit, into: body)
            .whenComplete { [self] result in
                if case .failure(ScrapeConnectionError.redirected) = result, !stopped {
                    // Redirects are followed by the general client, for good: this
                    // target's pages come from somewhere else.
                    inflight = nil
                    connection.close()
                    self.connection = nil
                    do throws(ScrapeFetchError) {
                        // One deadline for the whole redirect chain, as in Prometheus.
                        let spent = Int64(Self.seconds(ContinuousClock.now - clock) * 1000)
                        fetchGeneral(try requests.next(), timeoutMilliseconds: max(1, config.scrapeTimeout - spent),
                                     started: started, clock: clock)
                    } catch {
                        finish(.failure(error), started: started, clock: clock)
                    }
                    return
                }
                completed(result, started: started, clock: clock)
            }
    }

    private func fetchGeneral(_ request: HTTPClient.Request, timeoutMilliseconds: Int64, started: Int64, clock: ContinuousClock.Instant) {
        let body = spareBody.take() ?? ByteBufferAllocator().buffer(capacity: 16 * 1024)
        let task = scraper.fetch(request, timeoutMilliseconds: timeoutMilliseconds, bodySizeLimit: config.bodySizeLimit,
                                 into: body, on: eventLoop)
        inflight = .general(task)
        task.futureResult.hop(to: eventLoop).whenComplete { [self] result in
            completed(result, started: started, clock: clock)
        }
    }

    private func completed(_ result: Result<FetchedPage, Error>, started: Int64, clock: ContinuousClock.Instant) {
        inflight = nil
        if stopped {
            drained?.succeed()
            drained = nil
            return
        }
        finish(result.mapError { HTTPScraper.fetchError($0, url: target.scrapeURL) }, started: started, clock: clock)
    }

    /// Ingests the page (or the failure), records the status and arms the next slot.
    private func finish(_ result: Result<FetchedPage, ScrapeFetchError>, started: Int64, clock: ContinuousClock.Instant) {
        let outcome: ScrapeOutcome
        switch result {
        case .success(let page):
            let d = Self.seconds(ContinuousClock.now - clock)
            outcome = page.body.withUnsafeReadableBytes { raw in
                ingester.ingest(page: UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count),
                                format: page.format, time: next, duration: d)
            }
            spareBody = page.body
        case .failure(let error):
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
        let interval = config.scrapeInterval
        next += interval
        let now = wallClockMilliseconds()
        if next <= now { next += ((now - next) / interval + 1) * interval }
        schedule()
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
