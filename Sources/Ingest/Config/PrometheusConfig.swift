import TSDB

/// A `prometheus.yml` as Prometheus 2.42 reads it, with its defaults applied. Durations are
/// milliseconds. Paths inside (file_sd files, TLS and password files) are already resolved
/// against the config file's directory; `ruleFiles` stay as written (globs).
public struct PrometheusConfig: Sendable {
    public var global = GlobalConfig()
    public var ruleFiles: [String] = []
    public var scrapeConfigs: [ScrapeConfig] = []
    public var alerting = AlertingConfig()
    public var remoteWrite: [RemoteWriteConfig] = []
    /// Directory of the config file, against which relative paths are resolved.
    public var directory = ""

    public init() {}
}

public struct GlobalConfig: Sendable {
    public var scrapeInterval: Int64 = 60_000
    public var scrapeTimeout: Int64 = 10_000
    public var evaluationInterval: Int64 = 60_000
    public var externalLabels: [(String, String)] = []
    public var queryLogFile = ""

    public init() {}
}

/// One `scrape_configs` entry.
public struct ScrapeConfig: Sendable {
    public var jobName = ""
    public var honorLabels = false
    public var honorTimestamps = true
    public var params: [(String, [String])] = []
    public var scrapeInterval: Int64 = 0
    public var scrapeTimeout: Int64 = 0
    public var metricsPath = "/metrics"
    public var scheme = "http"
    public var bodySizeLimit: Int64 = 0
    public var sampleLimit = 0
    public var targetLimit = 0
    public var labelLimit = 0
    public var labelNameLengthLimit = 0
    public var labelValueLengthLimit = 0
    public var http = HTTPClientConfig()
    public var staticConfigs: [TargetGroup] = []
    public var fileSDConfigs: [FileSDConfig] = []
    public var relabelConfigs: [RelabelConfig] = []
    public var metricRelabelConfigs: [RelabelConfig] = []

    public init(jobName: String = "") { self.jobName = jobName }
}

/// A group of targets sharing labels: a `static_configs` entry or one group of a file_sd file.
public struct TargetGroup: Sendable, Equatable {
    public var targets: [String] = []
    public var labels: [(String, String)] = []
    /// Where the group came from (`file.json:0` for file_sd), as Prometheus names it.
    public var source = ""

    public init(targets: [String] = [], labels: [(String, String)] = [], source: String = "") {
        self.targets = targets
        self.labels = labels
        self.source = source
    }

    public static func == (a: TargetGroup, b: TargetGroup) -> Bool {
        a.targets == b.targets && a.source == b.source && a.labels.elementsEqual(b.labels, by: { $0 == $1 })
    }
}

/// `file_sd_configs`: files (globs allowed in the last path element) of target groups in
/// JSON or YAML, re-read every `refreshInterval` and whenever they change.
public struct FileSDConfig: Sendable {
    public var files: [String] = []
    public var refreshInterval: Int64 = 300_000
}

public struct AlertingConfig: Sendable {
    public var alertRelabelConfigs: [RelabelConfig] = []
    public var alertmanagers: [AlertmanagerConfig] = []
}

/// An `alerting.alertmanagers` entry.
public struct AlertmanagerConfig: Sendable {
    public var scheme = "http"
    public var pathPrefix = ""
    public var timeout: Int64 = 10_000
    public var apiVersion = "v2"
    public var http = HTTPClientConfig()
    public var staticConfigs: [TargetGroup] = []
    public var fileSDConfigs: [FileSDConfig] = []
    public var relabelConfigs: [RelabelConfig] = []
}

/// A `remote_write` entry: parsed and validated now; sending is another issue.
public struct RemoteWriteConfig: Sendable {
    public var url = ""
    public var name = ""
    public var remoteTimeout: Int64 = 30_000
    public var headers: [(String, String)] = []
    public var writeRelabelConfigs: [RelabelConfig] = []
    public var sendExemplars = false
    public var sendNativeHistograms = false
    public var http = HTTPClientConfig()
    public var queue = QueueConfig()
    public var metadata = MetadataConfig()

    public struct QueueConfig: Sendable {
        public var capacity = 2500
        public var maxShards = 200
        public var minShards = 1
        public var maxSamplesPerSend = 500
        public var batchSendDeadline: Int64 = 5000
        public var minBackoff: Int64 = 30
        public var maxBackoff: Int64 = 5000
        public var retryOnHTTP429 = false
    }

    public struct MetadataConfig: Sendable {
        public var send = true
        public var sendInterval: Int64 = 60_000
        public var maxSamplesPerSend = 500
    }
}

/// Why a config file was rejected: promtool's wording, plus where in the file.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var position: ConfigPosition?
    /// What `promtool check config` prints after `FAILED: `.
    public var promtoolMessage: String

    /// `file:line:col: message`, for logs and `vigil run`.
    public var description: String {
        if let p = position { return "\(file):\(p.line):\(p.column): \(promtoolMessage)" }
        return "\(file): \(promtoolMessage)"
    }
}
