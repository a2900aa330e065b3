import TSDB

/// Prometheus's stale marker: a NaN with this exact bit pattern ends a series.
public let staleNaN = Double(bitPattern: 0x7FF0_0000_0000_0002)

/// What one scrape did, for the `scrape_*` series and the target's status.
public struct ScrapeOutcome: Sendable, Equatable {
    public var samplesScraped = 0
    public var samplesPostRelabeling = 0
    public var seriesAdded = 0
    public var staleMarkers = 0
    /// What the TSDB said about the batch (out-of-order samples etc. are counted there).
    public var append = AppendResult()
    /// Why the scrape failed (`up` 0), or nil.
    public var error: String?
}

/// The limits of a scrape config that apply to a page.
public struct ScrapeLimits: Sendable {
    public var sampleLimit = 0
    public var labelLimit = 0
    public var labelNameLengthLimit = 0
    public var labelValueLengthLimit = 0

    public init(_ c: ScrapeConfig) {
        sampleLimit = c.sampleLimit
        labelLimit = c.labelLimit
        labelNameLengthLimit = c.labelNameLengthLimit
        labelValueLengthLimit = c.labelValueLengthLimit
    }

    public init() {}
}

struct ScrapeFailure: Error { var message: String }

/// Turns each scrape of one target into one TSDB append batch: parse, attach target labels
/// (honor_labels or `exported_` renaming), metric relabelling, limits, staleness, and the
/// `up` / `scrape_*` report series. The hot path is a cache hit per sample: hash the
/// series' bytes, compare, append (ref, t, v) to a reused batch.
///
/// Not thread-safe: one scrape at a time (the target's loop owns it).
public final class PageIngester: @unchecked Sendable {
    public let db: TSDB
    public let targetLabels: [Label]
    let honorLabels: Bool
    let honorTimestamps: Bool
    let metricRelabel: [RelabelConfig]
    let limits: ScrapeLimits

    private var cache = SeriesCache()
    private var generation: UInt64 = 0
    /// Cache entries appended without an explicit timestamp in the last successful or failed
    /// scrape: the candidates for stale markers.
    private var previous: [Int32] = []
    private var current: [Int32] = []
    private var batch = AppendBatch(capacity: 1024)
    private var reportRefs: [SeriesRef]?
    let metadataStore = TargetMetadataStore()

    /// The metric families the target's pages declared (`# TYPE` / `# HELP` / `# UNIT`).
    public var metadata: [String: ScrapedMetadata] { metadataStore.snapshot }

    public init(db: TSDB, target: ScrapeTarget, config: ScrapeConfig) {
        self.db = db
        targetLabels = target.targetLabels
        honorLabels = config.honorLabels
        honorTimestamps = config.honorTimestamps
        metricRelabel = config.metricRelabelConfigs
        limits = ScrapeLimits(config)
    }

    init(db: TSDB, targetLabels: [Label], honorLabels: Bool = false, honorTimestamps: Bool = true,
         metricRelabel: [RelabelConfig] = [], limits: ScrapeLimits = ScrapeLimits()) {
        self.db = db
        self.targetLabels = targetLabels
        self.honorLabels = honorLabels
        self.honorTimestamps = honorTimestamps
        self.metricRelabel = metricRelabel
        self.limits = limits
    }

    /// Ingests a successfully fetched page scheduled at `time` (ms); a parse error or a
    /// limit fails the scrape like an unreachable target: nothing of the page is kept.
    public func ingest(page: UnsafeBufferPointer<UInt8>, format: ExpositionFormat, time: Int64,
                       duration: Double) -> ScrapeOutcome {
        generation += 1
        batch.removeAll()
        current.removeAll(keepingCapacity: true)
        var outcome = ScrapeOutcome()
        do {
            try appendPage(page, format, time, &outcome)
        } catch {
            return fail(error: error.message, time: time, duration: duration)
        }
        appendStaleMarkers(time, &outcome)
        swap(&previous, &current)
        appendReport(up: true, time: time, duration: duration, outcome)
        commit(&outcome)
        // Every 16 scrapes, forget series unseen for 32 (they were marked stale long ago).
        if generation % 16 == 0, generation > 32, let map = cache.evict(olderThan: generation - 32) {
            previous = previous.compactMap { map[Int($0)] >= 0 ? map[Int($0)] : nil }
        }
        return outcome
    }

    /// A scrape that failed before a page arrived (or whose page was rejected): `up` 0, and
    /// stale markers for everything the last scrape had, as Prometheus writes them.
    public func fail(error: String, time: Int64, duration: Double) -> ScrapeOutcome {
        // A generation of its own: nothing counts as seen, even what a rejected page had.
        generation += 1
        batch.removeAll()
        current.removeAll(keepingCapacity: true)
        var outcome = ScrapeOutcome()
        outcome.error = error
        appendStaleMarkers(time, &outcome)
        swap(&previous, &current)
        appendReport(up: false, time: time, duration: duration, outcome)
        commit(&outcome)
        return outcome
    }

    /// Stale markers for every series of the last scrape: the target went away.
    public func stop(time: Int64) {
        batch.removeAll()
        current.removeAll(keepingCapacity: true)
        var outcome = ScrapeOutcome()
        generation += 1
        appendStaleMarkers(time, &outcome)
        previous.removeAll()
        if let refs = reportRefs {
            for r in refs { batch.add(r, time, staleNaN) }
        }
        commit(&outcome)
    }

    private func commit(_ outcome: inout ScrapeOutcome) {
        guard !batch.isEmpty else { return }
        do {
            outcome.append = try db.append(batch)
        } catch {
            if outcome.error == nil { outcome.error = "appending to storage: \(error)" }
        }
    }

    private func appendPage(_ page: UnsafeBufferPointer<UInt8>, _ format: ExpositionFormat, _ time: Int64,
                            _ outcome: inout ScrapeOutcome) throws(ScrapeFailure) {
        var parser = ExpositionParser(bytes: page, format: format)
        let gen = generation
        do {
            while let entry = try parser.next() {
                guard case .sample = entry else {
                    metadataStore.record(entry, parser)
                    continue
                }
                outcome.samplesScraped += 1
                let span = parser.series
                let h = SeriesCache.hash(page, span)
                var idx = cache.find(page, span, hash: h)
                if idx == nil {
                    let ref = try resolve(parser)
                    if ref != nil { outcome.seriesAdded += 1 }
                    idx = cache.insert(page, span, hash: h, ref: ref, seen: 0)
                }
                let i = idx!
                guard let ref = cache.entries[i].ref else { continue }
                outcome.samplesPostRelabeling += 1
                if limits.sampleLimit > 0 && outcome.samplesPostRelabeling > limits.sampleLimit {
                    throw ScrapeFailure(message: "sample limit exceeded")
                }
                var t = time
                if let ts = parser.timestamp, honorTimestamps {
                    t = ts
                } else if cache.entries[i].lastSeen != gen {
                    current.append(Int32(i))
                }
                cache.markSeen(i, gen)
                batch.add(ref, t, parser.value)
            }
        } catch let e as ExpositionError {
            throw ScrapeFailure(message: "parsing the page: \(e)")
        } catch let e as ScrapeFailure {
            throw e
        } catch {
            throw ScrapeFailure(message: "\(error)")
        }
    }

    /// A series not in the cache: build its labels, relabel, check limits, get its ref
    /// (nil: dropped by metric relabelling).
    private func resolve(_ p: ExpositionParser) throws -> SeriesRef? {
        let exposed = try p.currentLabels()
        var lb = LabelBuilder(exposed)
        if honorLabels {
            for l in targetLabels where lb.get(l.name).isEmpty { lb.set(l.name, l.value) }
        } else {
            var conflicts: [(String, String)] = []
            for l in targetLabels {
                let existing = lb.get(l.name)
                if !existing.isEmpty { conflicts.append((l.name, existing)) }
                lb.set(l.name, l.value)
            }
            for (name, value) in conflicts {
                var newName = "exported_" + name
                while !exposed[newName].isNilOrEmpty || targetLabels.contains(where: { $0.name == newName }) {
                    newName = "exported_" + newName
                }
                lb.set(newName, value)
            }
        }
        if !metricRelabel.isEmpty && !Relabeler.process(&lb, metricRelabel) { return nil }
        let labels = try lb.labels()
        if labels.isEmpty { return nil }
        try checkLimits(labels)
        return try db.seriesRef(for: labels)
    }

    private func checkLimits(_ labels: Labels) throws(ScrapeFailure) {
        let metric = String((labels.name ?? "").prefix(50))
        if limits.labelLimit > 0 && labels.count > limits.labelLimit {
            throw ScrapeFailure(message: "label_limit exceeded (metric: \(metric), number of labels: \(labels.count), limit: \(limits.labelLimit))")
        }
        for l in labels {
            if limits.labelNameLengthLimit > 0 && l.name.utf8.count > limits.labelNameLengthLimit {
                throw ScrapeFailure(message: "label_name_length_limit exceeded (metric: \(metric), label name: \(l.name.prefix(50)), length: \(l.name.utf8.count), limit: \(limits.labelNameLengthLimit))")
            }
            if limits.labelValueLengthLimit > 0 && l.value.utf8.count > limits.labelValueLengthLimit {
                throw ScrapeFailure(message: "label_value_length_limit exceeded (metric: \(metric), label name: \(l.name.prefix(50)), value: \(goQuote(String(l.value.prefix(50)))), length: \(l.value.utf8.count), limit: \(limits.labelValueLengthLimit))")
            }
        }
    }

    private func appendStaleMarkers(_ time: Int64, _ outcome: inout ScrapeOutcome) {
        let gen = generation
        for i in previous {
            let e = cache.entries[Int(i)]
            guard e.lastSeen != gen, let ref = e.ref else { continue }
            batch.add(ref, time, staleNaN)
            outcome.staleMarkers += 1
        }
    }

    private func appendReport(up: Bool, time: Int64, duration: Double, _ o: ScrapeOutcome) {
        guard let refs = reportSeries() else { return }
        batch.add(refs[0], time, up ? 1 : 0)
        batch.add(refs[1], time, duration)
        batch.add(refs[2], time, Double(o.samplesScraped))
        batch.add(refs[3], time, Double(o.samplesPostRelabeling))
        batch.add(refs[4], time, Double(o.seriesAdded))
    }

    static let reportNames = ["up", "scrape_duration_seconds", "scrape_samples_scraped",
                              "scrape_samples_post_metric_relabeling", "scrape_series_added"]

    /// The report series carry the target labels only (no relabelling), as in Prometheus.
    private func reportSeries() -> [SeriesRef]? {
        if let r = reportRefs { return r }
        var refs: [SeriesRef] = []
        for name in Self.reportNames {
            var pairs = targetLabels
            pairs.removeAll { $0.name == Labels.metricName }
            pairs.append(Label(Labels.metricName, name))
            guard let ls = try? Labels(pairs), let ref = try? db.seriesRef(for: ls) else { return nil }
            refs.append(ref)
        }
        reportRefs = refs
        return refs
    }
}

extension Optional where Wrapped == String {
    var isNilOrEmpty: Bool { self?.isEmpty ?? true }
}
