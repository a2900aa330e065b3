import Hummingbird
import PromQL
import RemoteWrite
import Rules
import TSDB

/// `/metrics`: Vigil's own metrics in the Prometheus text format.
enum MetricsEndpoint {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext, alertmanager: BuiltinAlertmanager?,
                         remoteStorage: RemoteStorage? = nil) {
        router.get("/metrics") { _, _ -> Response in
            var text = render(ctx)
            if let r = remoteStorage, !r.queues.isEmpty { text += render(r.metricFamilies()) }
            if let d = alertmanager?.dispatcher { text += await d.metricsText() }
            return APIResponse.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        for f in families {
            out += "# HELP \(f.name) \(f.help)\n# TYPE \(f.name) \(f.type)\n"
            for (labels, v) in f.samples { out += f.name + labels + " " + formatFloatF(v) + "\n" }
        }
        return out
    }

    static func render(_ ctx: APIContext) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, v) in samples { out += name + labels + " " + formatFloatF(v) + "\n" }
        }
        let s = ctx.db.stats
        metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [("", Double(residentBytes()))])
        metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", [("", cpuSeconds())])
        metric("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
               [("", Double(ctx.startTime) / 1000)])
        metric("vigil_tsdb_head_series", "gauge", "Active series in the head.", [("", Double(s.activeSeries))])
        metric("vigil_tsdb_head_series_created_total", "counter", "Series created.", [("", Double(s.seriesCreated))])
        metric("vigil_tsdb_head_samples_appended_total", "counter", "Samples appended.", [("", Double(s.samplesAppended))])
        metric("vigil_tsdb_append_batches_total", "counter", "Append batches committed.", [("", Double(s.appendBatches))])
        metric("vigil_tsdb_samples_rejected_total", "counter", "Samples rejected, by reason.",
               s.rejected.sorted { $0.key.rawValue < $1.key.rawValue }.map { ("{reason=\"\($0.key.rawValue)\"}", Double($0.value)) })
        metric("vigil_tsdb_checkpoints_total", "counter", "Checkpoints written.", [("", Double(s.checkpoints))])
        metric("vigil_tsdb_database_bytes", "gauge", "Size of vigil.db and its SQLite WAL.",
               [("", Double(s.databaseBytes + s.sqliteWALBytes))])
        let groups = ctx.rules.groups
        func groupLabel(_ g: RuleGroup) -> String { "{rule_group=" + Labels.quote(g.file + ";" + g.name) + "}" }
        metric("prometheus_rule_group_last_duration_seconds", "gauge", "The duration of the last rule group evaluation.",
               groups.map { (groupLabel($0), $0.evaluationSeconds) })
        metric("prometheus_rule_group_iterations_missed_total", "counter", "Rule group evaluations missed due to slow evaluation.",
               groups.map { (groupLabel($0), Double($0.missedIterations)) })
        metric("prometheus_rule_group_rules", "gauge", "The number of rules.", groups.map { (groupLabel($0), Double($0.rules.count)) })
        return out
    }
}
