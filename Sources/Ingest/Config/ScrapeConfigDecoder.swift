import TSDB
import Yams

extension ScrapeConfig {
    static let ownKeys: Set<String> = ["job_name", "honor_labels", "honor_timestamps", "params", "scrape_interval",
                                       "scrape_timeout", "metrics_path", "scheme", "body_size_limit", "sample_limit",
                                       "target_limit", "label_limit", "label_name_length_limit", "label_value_length_limit",
                                       "static_configs", "file_sd_configs", "relabel_configs", "metric_relabel_configs"]

    /// `ScrapeConfig.Validate(global)`: interval and timeout from the global section.
    mutating func inherit(from g: GlobalConfig) throws(ConfigAbort) {
        if scrapeInterval == 0 { scrapeInterval = g.scrapeInterval }
        if scrapeTimeout > scrapeInterval {
            throw ConfigAbort(message: "scrape timeout greater than scrape interval for scrape config with job name \(goQuote(jobName))",
                              position: nil)
        }
        if scrapeTimeout == 0 { scrapeTimeout = min(g.scrapeTimeout, scrapeInterval) }
    }
}

extension PrometheusConfig {
    /// `ScrapeConfig.UnmarshalYAML` of Prometheus 2.42.
    static func decodeScrape(_ n: Node, directory dir: String, _ r: inout ConfigReader) throws(ConfigAbort) -> ScrapeConfig {
        var c = ScrapeConfig()
        let pos = ConfigReader.position(n)
        if ConfigReader.isNull(n) { throw ConfigAbort(message: "empty or null scrape config section", position: pos) }
        let before = r.typeErrors.count
        guard let fields = r.fields(n, type: "config.ScrapeConfig", known: ScrapeConfig.ownKeys.union(HTTPClientConfig.keys)) else { return c }
        for (k, v) in fields {
            switch k {
            case "job_name": c.jobName = r.string(v)
            case "honor_labels": c.honorLabels = r.bool(v)
            case "honor_timestamps": c.honorTimestamps = r.bool(v)
            case "params":
                guard case .mapping(let m) = v else { _ = r.stringMap(v, type: "url.Values"); continue }
                c.params = m.map { (r.string($0.key), r.strings($0.value)) }
            case "scrape_interval": c.scrapeInterval = try r.duration(v)
            case "scrape_timeout": c.scrapeTimeout = try r.duration(v)
            case "metrics_path": c.metricsPath = r.string(v)
            case "scheme": c.scheme = r.string(v)
            case "body_size_limit":
                switch Base2Bytes.parse(r.string(v)) {
                case .success(let b): c.bodySizeLimit = b
                case .failure(let e): throw ConfigAbort(message: e.message, position: ConfigReader.position(v))
                }
            case "sample_limit": c.sampleLimit = r.uint(v)
            case "target_limit": c.targetLimit = r.uint(v)
            case "label_limit": c.labelLimit = r.uint(v)
            case "label_name_length_limit": c.labelNameLengthLimit = r.uint(v)
            case "label_value_length_limit": c.labelValueLengthLimit = r.uint(v)
            case "static_configs": c.staticConfigs = try decodeStaticConfigs(v, &r)
            case "file_sd_configs": c.fileSDConfigs = try decodeFileSD(v, directory: dir, &r)
            case "relabel_configs":
                c.relabelConfigs = try r.list(v, type: "[]*relabel.Config") { (r, n) throws(ConfigAbort) in
                    if ConfigReader.isNull(n) { throw ConfigAbort(message: "empty or null target relabeling rule in scrape config", position: pos) }
                    return try RelabelConfig.decode(n, &r)
                }
            case "metric_relabel_configs":
                c.metricRelabelConfigs = try r.list(v, type: "[]*relabel.Config") { (r, n) throws(ConfigAbort) in
                    if ConfigReader.isNull(n) { throw ConfigAbort(message: "empty or null metric relabeling rule in scrape config", position: pos) }
                    return try RelabelConfig.decode(n, &r)
                }
            default: break
            }
        }
        c.http = try HTTPClientConfig.decode(fields.filter { HTTPClientConfig.keys.contains($0.key) }, dir: dir, &r, at: n)
        guard r.typeErrors.count == before else { return c }
        if c.jobName.isEmpty { throw ConfigAbort(message: "job_name is empty", position: pos) }
        if c.relabelConfigs.isEmpty { try checkStaticTargets(c.staticConfigs) }
        return c
    }

    /// Users putting URLs in target lists: `CheckTargetAddress`.
    static func checkStaticTargets(_ groups: [TargetGroup]) throws(ConfigAbort) {
        for g in groups {
            for t in g.targets where t.contains("/") {
                throw ConfigAbort(message: "\(goQuote(t)) is not a valid hostname", position: nil)
            }
        }
    }

    static let staticConfigType = #"struct { Targets []string "yaml:\"targets\""; Labels model.LabelSet "yaml:\"labels\"" }"#

    static func decodeStaticConfigs(_ n: Node, _ r: inout ConfigReader) throws(ConfigAbort) -> [TargetGroup] {
        try r.list(n, type: "[]*targetgroup.Group") { (r, e) throws(ConfigAbort) in
            var g = TargetGroup()
            guard let f = r.fields(e, type: staticConfigType, known: ["targets", "labels"]) else { return g }
            for (k, v) in f {
                if k == "targets" {
                    g.targets = r.strings(v)
                } else {
                    g.labels = r.stringMap(v, type: "model.LabelSet")
                    for (name, _) in g.labels where !Labels.isValidName(name) {
                        throw ConfigAbort(message: "\(goQuote(name)) is not a valid label name", position: ConfigReader.position(v))
                    }
                }
            }
            return g
        }
    }

    static func decodeFileSD(_ n: Node, directory dir: String, _ r: inout ConfigReader) throws(ConfigAbort) -> [FileSDConfig] {
        try r.list(n, type: "discovery.Configs") { (r, e) throws(ConfigAbort) in
            var c = FileSDConfig()
            let before = r.typeErrors.count
            guard let f = r.fields(e, type: "file.plain", known: ["files", "refresh_interval"]) else { return c }
            for (k, v) in f {
                if k == "files" { c.files = r.strings(v) } else { c.refreshInterval = try r.duration(v) }
            }
            guard r.typeErrors.count == before else { return c }
            let pos = ConfigReader.position(e)
            if c.files.isEmpty {
                throw ConfigAbort(message: "file service discovery config must contain at least one path name", position: pos)
            }
            for name in c.files where !isValidFileSDName(name) {
                throw ConfigAbort(message: "path name \(goQuote(name)) is not valid for file discovery", position: pos)
            }
            c.files = c.files.map { HTTPClientConfig.resolve($0, dir) }
            return c
        }
    }

    /// `^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$`
    static func isValidFileSDName(_ p: String) -> Bool {
        guard isValidRulePath(p) else { return false }
        return [".json", ".yml", ".yaml", ".JSON", ".YML", ".YAML"].contains { p.hasSuffix($0) }
    }

    static func decodeAlerting(_ n: Node, directory dir: String, _ r: inout ConfigReader) throws(ConfigAbort) -> AlertingConfig {
        var a = AlertingConfig()
        guard let f = r.fields(n, type: "config.plain", known: ["alert_relabel_configs", "alertmanagers"]) else { return a }
        for (k, v) in f {
            if k == "alert_relabel_configs" {
                a.alertRelabelConfigs = try r.list(v, type: "[]*relabel.Config") { (r, n) throws(ConfigAbort) in try RelabelConfig.decode(n, &r) }
            } else {
                a.alertmanagers = try r.list(v, type: "[]*config.AlertmanagerConfig") { (r, n) throws(ConfigAbort) in
                    try decodeAlertmanager(n, directory: dir, &r)
                }
            }
        }
        return a
    }

    static func decodeAlertmanager(_ n: Node, directory dir: String, _ r: inout ConfigReader) throws(ConfigAbort) -> AlertmanagerConfig {
        var c = AlertmanagerConfig()
        let own: Set<String> = ["scheme", "path_prefix", "timeout", "api_version", "static_configs", "file_sd_configs", "relabel_configs"]
        let before = r.typeErrors.count
        guard let f = r.fields(n, type: "config.AlertmanagerConfig", known: own.union(HTTPClientConfig.keys)) else { return c }
        for (k, v) in f {
            switch k {
            case "scheme": c.scheme = r.string(v)
            case "path_prefix": c.pathPrefix = r.string(v)
            case "timeout": c.timeout = try r.duration(v)
            case "api_version":
                c.apiVersion = r.string(v)
                guard c.apiVersion == "v1" || c.apiVersion == "v2" else {
                    throw ConfigAbort(message: "expected Alertmanager api version to be one of [v1 v2] but got \(c.apiVersion)",
                                      position: ConfigReader.position(v))
                }
            case "static_configs": c.staticConfigs = try decodeStaticConfigs(v, &r)
            case "file_sd_configs": c.fileSDConfigs = try decodeFileSD(v, directory: dir, &r)
            case "relabel_configs":
                c.relabelConfigs = try r.list(v, type: "[]*relabel.Config") { (r, n) throws(ConfigAbort) in try RelabelConfig.decode(n, &r) }
            default: break
            }
        }
        c.http = try HTTPClientConfig.decode(f.filter { HTTPClientConfig.keys.contains($0.key) }, dir: dir, &r, at: n)
        guard r.typeErrors.count == before else { return c }
        if c.relabelConfigs.isEmpty { try checkStaticTargets(c.staticConfigs) }
        return c
    }

    static let reservedHeaders: Set<String> = ["authorization", "host", "content-encoding", "content-length", "content-type",
                                               "user-agent", "connection", "keep-alive", "proxy-authenticate",
                                               "proxy-authorization", "www-authenticate", "accept-encoding",
                                               "x-prometheus-remote-write-version", "x-prometheus-remote-read-version",
                                               "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"]

    static func decodeRemoteWrite(_ n: Node, directory dir: String, _ r: inout ConfigReader) throws(ConfigAbort) -> RemoteWriteConfig {
        var c = RemoteWriteConfig()
        let pos = ConfigReader.position(n)
        if ConfigReader.isNull(n) { throw ConfigAbort(message: "empty or null remote write config section", position: pos) }
        let own: Set<String> = ["url", "remote_timeout", "headers", "write_relabel_configs", "name", "send_exemplars",
                                "send_native_histograms", "queue_config", "metadata_config"]
        let before = r.typeErrors.count
        guard let f = r.fields(n, type: "config.plain", known: own.union(HTTPClientConfig.keys)) else { return c }
        for (k, v) in f {
            switch k {
            case "url": c.url = r.string(v)
            case "remote_timeout": c.remoteTimeout = try r.duration(v)
            case "headers": c.headers = r.stringMap(v)
            case "name": c.name = r.string(v)
            case "send_exemplars": c.sendExemplars = r.bool(v)
            case "send_native_histograms": c.sendNativeHistograms = r.bool(v)
            case "write_relabel_configs":
                c.writeRelabelConfigs = try r.list(v, type: "[]*relabel.Config") { (r, n) throws(ConfigAbort) in
                    if ConfigReader.isNull(n) { throw ConfigAbort(message: "empty or null relabeling rule in remote write config", position: pos) }
                    return try RelabelConfig.decode(n, &r)
                }
            case "queue_config":
                let keys: Set<String> = ["capacity", "max_shards", "min_shards", "max_samples_per_send", "batch_send_deadline",
                                         "min_backoff", "max_backoff", "retry_on_http_429"]
                for (qk, qv) in r.fields(v, type: "config.QueueConfig", known: keys) ?? [] {
                    switch qk {
                    case "capacity": c.queue.capacity = r.int(qv)
                    case "max_shards": c.queue.maxShards = r.int(qv)
                    case "min_shards": c.queue.minShards = r.int(qv)
                    case "max_samples_per_send": c.queue.maxSamplesPerSend = r.int(qv)
                    case "batch_send_deadline": c.queue.batchSendDeadline = try r.duration(qv)
                    case "min_backoff": c.queue.minBackoff = try r.duration(qv)
                    case "max_backoff": c.queue.maxBackoff = try r.duration(qv)
                    default: c.queue.retryOnHTTP429 = r.bool(qv)
                    }
                }
            case "metadata_config":
                for (mk, mv) in r.fields(v, type: "config.MetadataConfig", known: ["send", "send_interval", "max_samples_per_send"]) ?? [] {
                    switch mk {
                    case "send": c.metadata.send = r.bool(mv)
                    case "send_interval": c.metadata.sendInterval = try r.duration(mv)
                    default: c.metadata.maxSamplesPerSend = r.int(mv)
                    }
                }
            default: break
            }
        }
        c.http = try HTTPClientConfig.decode(f.filter { HTTPClientConfig.keys.contains($0.key) }, dir: dir, &r, at: n)
        guard r.typeErrors.count == before else { return c }
        if c.url.isEmpty { throw ConfigAbort(message: "url for remote_write is empty", position: pos) }
        for (h, _) in c.headers where reservedHeaders.contains(h.lowercased()) {
            throw ConfigAbort(message: "\(h) is a reserved header. It must not be changed", position: pos)
        }
        return c
    }
}
