import TSDB

/// Realistic label sets, generated from an index so any count can be made without storing them.
public enum LabelSets {
    public static let methods = ["GET", "POST", "PUT", "DELETE"]
    public static let statuses = ["200", "201", "204", "301", "304", "400", "404", "500", "502", "503"]
    public static let paths = [
        "/", "/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels",
        "/api/v1/write", "/api/v2/alerts", "/api/v2/silences", "/metrics", "/-/healthy",
        "/-/ready", "/login", "/logout", "/users/:id", "/users/:id/orders", "/orders",
        "/orders/:id", "/cart", "/cart/items", "/checkout", "/search", "/static/*path",
        "/graph", "/targets", "/rules",
    ]
    public static let jobs = ["api", "frontend", "checkout", "payments", "search", "node", "prometheus", "db", "cache", "queue"]
    static let namesByKind: [SeriesKind: [String]] = [
        .counterInt: ["http_requests_total", "http_request_duration_seconds_bucket", "http_response_size_bytes_sum",
                      "grpc_server_handled_total", "node_network_receive_bytes_total", "process_open_fds_total",
                      "db_queries_total", "cache_hits_total", "cache_misses_total", "queue_messages_total",
                      "errors_total", "node_disk_written_bytes_total"],
        .counterFloat: ["node_cpu_seconds_total", "process_cpu_seconds_total", "container_cpu_usage_seconds_total",
                        "http_request_duration_seconds_sum", "go_gc_duration_seconds_sum", "node_disk_io_time_seconds_total",
                        "db_query_seconds_total", "queue_wait_seconds_total", "grpc_server_seconds_total", "job_runtime_seconds_total",
                        "cache_latency_seconds_sum", "node_schedstat_running_seconds_total"],
        .gaugeBytes: ["node_memory_Active_bytes", "process_resident_memory_bytes", "go_memstats_heap_inuse_bytes",
                      "container_memory_working_set_bytes", "node_filesystem_avail_bytes", "jvm_memory_used_bytes",
                      "db_pool_bytes", "cache_size_bytes", "queue_buffer_bytes", "node_memory_Cached_bytes",
                      "go_memstats_alloc_bytes", "process_virtual_memory_bytes"],
        .gaugeTemperature: ["node_hwmon_temp_celsius", "node_thermal_zone_temp", "ipmi_temperature_celsius",
                            "smartmon_temperature_celsius", "gpu_temperature_celsius", "room_temperature_celsius",
                            "disk_temp_celsius", "psu_temp_celsius", "cpu_die_temp_celsius", "nvme_temp_celsius",
                            "chassis_temp_celsius", "inlet_temp_celsius"],
        .gaugeRatio: ["cache_hit_ratio", "node_load_ratio", "slo_availability_ratio", "cpu_utilisation_ratio",
                      "disk_used_ratio", "pool_usage_ratio", "error_ratio", "apdex_ratio", "queue_fill_ratio",
                      "gc_cpu_fraction", "memory_utilisation_ratio", "saturation_ratio"],
        .constant: ["up", "build_info", "node_cpu_count", "target_info", "node_memory_MemTotal_bytes", "go_info",
                    "process_max_fds", "node_uname_info", "config_last_reload_successful", "version_info",
                    "scrape_series_added", "kube_pod_info"],
    ]

    static func instance(_ n: Int) -> String {
        "10.\(n / 65536 % 256).\(n / 256 % 256).\(n % 256):9100"
    }

    /// A series of an HTTP-instrumented service: `{__name__, job, instance, method, status, path}`.
    /// Within an instance the (name, method, status) triple is unique, so every index gives a
    /// distinct series; 480 series per instance, 12 metric names.
    public static func service(_ i: Int) -> Labels {
        let inst = i / 480, j = i % 480
        let names = namesByKind[.counterInt]!
        let pairs: [(String, String)] = [
            ("__name__", names[j % 12]),
            ("job", jobs[inst % jobs.count]),
            ("instance", instance(inst)),
            ("method", methods[(j / 12) % 4]),
            ("status", statuses[(j / 48) % 10]),
            ("path", paths[(inst &+ j) % paths.count]),
        ]
        return try! Labels(pairs)
    }

    /// One series of metric `name` with every (method, status, path) combination per instance
    /// (1,000 series per instance): the data for `{__name__="name", status=~"5.."}`, which
    /// selects 30% of them.
    public static func requests(_ i: Int, name: String = "http_requests_total") -> Labels {
        let inst = i / 1000, j = i % 1000
        return try! Labels([
            ("__name__", name),
            ("job", jobs[inst % jobs.count]),
            ("instance", instance(inst)),
            ("method", methods[j % 4]),
            ("status", statuses[(j / 4) % 10]),
            ("path", paths[j / 40]),
        ])
    }

    /// A series of the realistic value mix (`SeriesKind.of(seriesIndex:)`): a metric name fitting
    /// its kind, job, instance, and one distinguishing label.
    public static func mix(_ i: Int) -> Labels {
        let kind = SeriesKind.of(seriesIndex: i)
        let names = namesByKind[kind]!
        let inst = i / 100, j = i % 100
        return try! Labels([
            ("__name__", names[j % names.count]),
            ("job", jobs[inst % jobs.count]),
            ("instance", instance(inst)),
            ("series", String(j / names.count)),
            ("kind", kind.rawValue),
        ])
    }
}
