import TSDB

/// A target after discovery and relabelling, as Prometheus 2.42's `PopulateLabels` builds it.
public struct ScrapeTarget: Sendable, Hashable {
    /// Labels before relabelling (`__address__`, `__meta_*`, `job`, `__scheme__`, ...).
    public var discoveredLabels: Labels
    /// Labels after relabelling, `__`-prefixed ones included (`__address__`, `__scheme__`, ...).
    public var labels: Labels
    public var scrapeURL: String

    public init(discoveredLabels: Labels, labels: Labels, scrapeURL: String) {
        self.discoveredLabels = discoveredLabels
        self.labels = labels
        self.scrapeURL = scrapeURL
    }

    /// The labels every scraped sample gets: those without a `__` prefix.
    public var targetLabels: [Label] { labels.filter { !$0.name.hasPrefix("__") } }

    public static func == (a: ScrapeTarget, b: ScrapeTarget) -> Bool { a.labels == b.labels }
    public func hash(into h: inout Hasher) { h.combine(labels) }
}

/// A target that relabelling dropped, or one that could not be built.
public struct DroppedTarget: Sendable {
    public var discoveredLabels: Labels
    public var error: String?
}

public enum TargetPopulation {
    /// The targets of one group for one scrape config.
    public static func targets(of group: TargetGroup, config c: ScrapeConfig) -> (active: [ScrapeTarget], dropped: [DroppedTarget]) {
        var active: [ScrapeTarget] = [], dropped: [DroppedTarget] = []
        for t in group.targets {
            var lb = LabelBuilder(group.labels)
            lb.set("__address__", t)
            switch populate(lb, config: c) {
            case .success(let target?): active.append(target)
            case .success(nil): dropped.append(DroppedTarget(discoveredLabels: discovered(lb, c), error: nil))
            case .failure(let e): dropped.append(DroppedTarget(discoveredLabels: discovered(lb, c), error: e.message))
            }
        }
        return (active, dropped)
    }

    public struct PopulateError: Error, Sendable { public var message: String }

    static func withDefaults(_ base: LabelBuilder, _ c: ScrapeConfig) -> LabelBuilder {
        var lb = base
        let defaults: [(String, String)] = [("job", c.jobName),
                                            ("__scrape_interval__", PromDuration.format(c.scrapeInterval)),
                                            ("__scrape_timeout__", PromDuration.format(c.scrapeTimeout)),
                                            ("__metrics_path__", c.metricsPath), ("__scheme__", c.scheme)]
        for (n, v) in defaults where lb.get(n).isEmpty { lb.set(n, v) }
        for (k, vs) in c.params { if let v = vs.first { lb.set("__param_" + k, v) } }
        return lb
    }

    static func discovered(_ base: LabelBuilder, _ c: ScrapeConfig) -> Labels {
        (try? withDefaults(base, c).labels()) ?? Labels.empty
    }

    /// nil when relabelling dropped the target.
    public static func populate(_ base: LabelBuilder, config c: ScrapeConfig) -> Result<ScrapeTarget?, PopulateError> {
        let pre = withDefaults(base, c)
        guard let discoveredLabels = try? pre.labels() else { return .failure(PopulateError(message: "invalid label set")) }
        var lb = pre
        guard Relabeler.process(&lb, c.relabelConfigs) else { return .success(nil) }
        var addr = lb.get("__address__")
        guard !addr.isEmpty else { return .failure(PopulateError(message: "no address")) }
        addr = TargetAddress.withDefaultPort(addr, scheme: lb.get("__scheme__"))
        lb.set("__address__", addr)
        if addr.contains("/") { return .failure(PopulateError(message: "\(goQuote(addr)) is not a valid hostname")) }
        lb.pairs.removeAll { $0.name.hasPrefix("__meta_") }
        if lb.get("instance").isEmpty { lb.set("instance", addr) }
        guard let labels = try? lb.labels() else { return .failure(PopulateError(message: "invalid label set after relabelling")) }
        return .success(ScrapeTarget(discoveredLabels: discoveredLabels, labels: labels, scrapeURL: url(labels)))
    }

    /// `scheme://address/path?params` from the target's labels.
    static func url(_ l: Labels) -> String {
        var path = l["__metrics_path__"] ?? "/metrics"
        if !path.hasPrefix("/") { path = "/" + path }
        var query: [String] = []
        for lab in l where lab.name.hasPrefix("__param_") {
            query.append(percentEncode(String(lab.name.dropFirst(8))) + "=" + percentEncode(lab.value))
        }
        let q = query.isEmpty ? "" : (path.contains("?") ? "&" : "?") + query.joined(separator: "&")
        return "\(l["__scheme__"] ?? "http")://\(l["__address__"] ?? "")\(path)\(q)"
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E {
                out.unicodeScalars.append(UnicodeScalar(b))
            } else if b == 0x20 {
                out += "+"
            } else {
                let h = String(b, radix: 16, uppercase: true)
                out += "%" + (h.count < 2 ? "0" + h : h)
            }
        }
        return out
    }
}
