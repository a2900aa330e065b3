import Foundation
import TSDB
import Yams

extension PrometheusConfig {
    /// Reads and validates a `prometheus.yml`.
    public static func load(file: String) throws(ConfigError) -> PrometheusConfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, position: nil, promtoolMessage: "open \(file): no such file or directory")
        }
        let dir = (file as NSString).deletingLastPathComponent
        return try parse(String(decoding: data, as: UTF8.self), file: file, directory: dir)
    }

    /// Parses config text; `file` names it in errors, `directory` anchors relative paths.
    public static func parse(_ text: String, file: String, directory: String) throws(ConfigError) -> PrometheusConfig {
        func failure(_ m: String, _ p: ConfigPosition?) -> ConfigError {
            ConfigError(file: file, position: p, promtoolMessage: "parsing YAML file \(file): " + m)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw failure(yamlErrorText(e), yamlErrorPosition(e))
        } catch {
            throw failure("yaml: \(error)", nil)
        }
        var r = ConfigReader()
        var c: PrometheusConfig
        do {
            c = try decodeRoot(root, directory: directory, &r)
        } catch {
            throw failure(error.message, error.position)
        }
        if !r.typeErrors.isEmpty {
            // go-yaml meets them in document order (inlined HTTP client fields are read
            // after the rest here).
            let sorted = r.typeErrors.enumerated().sorted {
                ($0.element.position.line, $0.element.position.column, $0.offset) < ($1.element.position.line, $1.element.position.column, $1.offset)
            }.map(\.element)
            r.typeErrors = sorted
            let lines = r.typeErrors.map { "  " + $0.text }.joined(separator: "\n")
            throw failure("yaml: unmarshal errors:\n" + lines, r.typeErrors[0].position)
        }
        c.directory = directory
        return c
    }

    static func yamlErrorText(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, let mark, _):
            return "yaml: line \(mark.line): \(problem)"
        case .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            // go-yaml prints a parser error's 0-based line as it is (one less than the
            // line an editor shows); a scanner error's it adds one to.
            return "yaml: line \(max(mark.line - 1, 1)): \(problem)"
        case .duplicatedKeysInMapping(let keys, let ctx):
            return "yaml: line \(ctx.mark.line): mapping key \(keys.map(goQuote).joined(separator: ", ")) already defined"
        default:
            return "yaml: \(e)"
        }
    }

    static func yamlErrorPosition(_ e: YamlError) -> ConfigPosition? {
        switch e {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _):
            return ConfigPosition(line: m.line, column: m.column)
        case .duplicatedKeysInMapping(_, let ctx):
            return ConfigPosition(line: ctx.mark.line, column: ctx.mark.column)
        default: return nil
        }
    }

    static let rootKeys: Set<String> = ["global", "rule_files", "scrape_configs", "alerting", "remote_write",
                                        "remote_read", "storage", "tracing"]

    /// `Config.UnmarshalYAML` of Prometheus 2.42.
    static func decodeRoot(_ root: Node?, directory dir: String, _ r: inout ConfigReader) throws(ConfigAbort) -> PrometheusConfig {
        var c = PrometheusConfig()
        guard let root, let fields = r.fields(root, type: "config.plain", known: rootKeys) else { return c }
        let before = r.typeErrors.count
        for (k, v) in fields {
            switch k {
            case "global": c.global = try decodeGlobal(v, &r)
            case "rule_files": c.ruleFiles = r.strings(v)
            case "scrape_configs":
                c.scrapeConfigs = try r.list(v, type: "[]*config.ScrapeConfig") { (r, n) throws(ConfigAbort) in
                    try decodeScrape(n, directory: dir, &r)
                }
            case "alerting": c.alerting = try decodeAlerting(v, directory: dir, &r)
            case "remote_write":
                c.remoteWrite = try r.list(v, type: "[]*config.RemoteWriteConfig") { (r, n) throws(ConfigAbort) in
                    try decodeRemoteWrite(n, directory: dir, &r)
                }
            default: break  // remote_read, storage, tracing: accepted, not used by Vigil
            }
        }
        guard r.typeErrors.count == before else { return c }
        for rf in c.ruleFiles where !isValidRulePath(rf) {
            throw ConfigAbort(message: "invalid rule file path \(goQuote(rf))", position: ConfigReader.position(root))
        }
        var jobs = Set<String>()
        for (i, s) in c.scrapeConfigs.enumerated() {
            try c.scrapeConfigs[i].inherit(from: c.global)
            guard jobs.insert(s.jobName).inserted else {
                throw ConfigAbort(message: "found multiple scrape configs with job name \(goQuote(s.jobName))", position: nil)
            }
        }
        var names = Set<String>()
        for rw in c.remoteWrite where !rw.name.isEmpty {
            guard names.insert(rw.name).inserted else {
                throw ConfigAbort(message: "found multiple remote write configs with job name \(goQuote(rw.name))", position: nil)
            }
        }
        return c
    }

    /// `^[^*]*(\*[^/]*)?$`: at most one `*`, and only in the last path element.
    static func isValidRulePath(_ p: String) -> Bool {
        guard let star = p.firstIndex(of: "*") else { return true }
        return !p[star...].contains("/")
    }

    static func decodeGlobal(_ n: Node, _ r: inout ConfigReader) throws(ConfigAbort) -> GlobalConfig {
        var g = GlobalConfig()
        let keys: Set<String> = ["scrape_interval", "scrape_timeout", "evaluation_interval", "query_log_file", "external_labels"]
        guard let fields = r.fields(n, type: "config.plain", known: keys) else { return g }
        let before = r.typeErrors.count
        var interval: Int64 = 0, timeout: Int64 = 0, eval: Int64 = 0
        for (k, v) in fields {
            switch k {
            case "scrape_interval": interval = try r.duration(v)
            case "scrape_timeout": timeout = try r.duration(v)
            case "evaluation_interval": eval = try r.duration(v)
            case "query_log_file": g.queryLogFile = r.string(v)
            default: g.externalLabels = r.stringMap(v, type: "labels.Labels")
            }
        }
        guard r.typeErrors.count == before else { return g }
        let pos = ConfigReader.position(n)
        for (name, value) in g.externalLabels {
            if !Labels.isValidName(name) { throw ConfigAbort(message: "\(goQuote(name)) is not a valid label name", position: pos) }
            _ = value
        }
        g.scrapeInterval = interval == 0 ? 60_000 : interval
        if timeout > g.scrapeInterval { throw ConfigAbort(message: "global scrape timeout greater than scrape interval", position: pos) }
        g.scrapeTimeout = timeout == 0 ? min(10_000, g.scrapeInterval) : timeout
        g.evaluationInterval = eval == 0 ? 60_000 : eval
        return g
    }
}
