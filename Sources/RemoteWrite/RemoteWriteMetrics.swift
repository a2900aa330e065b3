import TSDB

/// One queue's counters, named as Prometheus 2.42's `prometheus_remote_storage_*`.
public struct QueueCounters: Sendable, Equatable {
    /// Samples the remote acknowledged.
    public var samplesSent = 0
    /// Samples the remote refused for good (4xx, or 429 without `retry_on_http_429`).
    public var samplesFailed = 0
    /// Samples sent again after a recoverable error (counted once per retry).
    public var samplesRetried = 0
    /// Samples read from the log but never sent: dropped by `write_relabel_configs`, of a
    /// series no longer known, or trimmed by the log's retention before they were read.
    public var samplesDropped = 0
    /// Of `samplesDropped`, those lost to the log's retention.
    public var samplesDroppedByRetention = 0
    /// Samples read from the log and not yet acknowledged or given up.
    public var samplesPending = 0
    public var bytesSent = 0
    /// Metric metadata entries (`metadata_config`) acknowledged, given up, retried; their bytes.
    public var metadataSent = 0
    public var metadataFailed = 0
    public var metadataRetried = 0
    public var metadataBytesSent = 0
    public var requestsSent = 0
    /// Newest sample timestamp the remote acknowledged (ms; 0 before the first).
    public var highestSentTimestamp: Int64 = 0
    public var shards = 0
    public var desiredShards = 0
    /// Log records appended but not yet handled by this queue.
    public var recordsBehind: Int64 = 0
    /// Request durations: counts per bucket of `QueueCounters.durationBuckets`, sum, count.
    public var durationBucketCounts = [Int](repeating: 0, count: QueueCounters.durationBuckets.count)
    public var durationSum = 0.0
    public var durationCount = 0

    /// `prometheus_remote_storage_sent_batch_duration_seconds` buckets (Prometheus's).
    public static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300]

    mutating func observe(duration: Double) {
        for (i, b) in Self.durationBuckets.enumerated() where duration <= b { durationBucketCounts[i] += 1 }
        durationSum += duration
        durationCount += 1
    }
}

/// A metric family for `/metrics`, rendered by the server.
public struct MetricFamily: Sendable {
    public var name: String
    public var type: String
    public var help: String
    /// Label sets in text form (`{a="b"}`, or empty) and values.
    public var samples: [(labels: String, value: Double)]
}

extension RemoteStorage {
    /// Every queue's metrics, as Prometheus names them, plus Vigil's log lag.
    public func metricFamilies() -> [MetricFamily] {
        let queues = self.queues
        let rows = queues.map { q in ("{remote_name=\(quote(q.remoteName)),url=\(quote(q.displayURL))}", q.counters, q) }
        func family(_ name: String, _ type: String, _ help: String, _ value: (QueueCounters, QueueManager) -> Double) -> MetricFamily {
            MetricFamily(name: name, type: type, help: help, samples: rows.map { ($0.0, value($0.1, $0.2)) })
        }
        var out = [
            family("prometheus_remote_storage_samples_total", "counter", "Total number of samples sent to remote storage.") { c, _ in Double(c.samplesSent) },
            family("prometheus_remote_storage_samples_failed_total", "counter",
                   "Total number of samples which failed on send to remote storage, non-recoverable errors.") { c, _ in Double(c.samplesFailed) },
            family("prometheus_remote_storage_samples_retried_total", "counter",
                   "Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.") { c, _ in Double(c.samplesRetried) },
            family("prometheus_remote_storage_samples_dropped_total", "counter",
                   "Total number of samples which were dropped after being read from the append log before being sent via remote write, either via relabelling, an unknown series or the log's retention.") { c, _ in Double(c.samplesDropped) },
            family("prometheus_remote_storage_samples_pending", "gauge", "The number of samples pending in the queues shards to be sent to the remote storage.") { c, _ in Double(c.samplesPending) },
            family("prometheus_remote_storage_bytes_total", "counter",
                   "The total number of bytes of data (not metadata) sent by the queue after compression.") { c, _ in Double(c.bytesSent) },
            family("prometheus_remote_storage_metadata_total", "counter", "Total number of metadata entries sent to remote storage.") { c, _ in Double(c.metadataSent) },
            family("prometheus_remote_storage_metadata_failed_total", "counter",
                   "Total number of metadata entries which failed on send to remote storage, non-recoverable errors.") { c, _ in Double(c.metadataFailed) },
            family("prometheus_remote_storage_metadata_retried_total", "counter",
                   "Total number of metadata entries which failed on send to remote storage but were retried because the send error was recoverable.") { c, _ in Double(c.metadataRetried) },
            family("prometheus_remote_storage_metadata_bytes_total", "counter",
                   "The total number of bytes of metadata sent by the queue after compression.") { c, _ in Double(c.metadataBytesSent) },
            family("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", "gauge",
                   "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.") { c, _ in Double(c.highestSentTimestamp) / 1000 },
            family("prometheus_remote_storage_shards", "gauge", "The number of shards used for parallel sending to the remote storage.") { c, _ in Double(c.shards) },
            family("prometheus_remote_storage_shards_desired", "gauge", "The number of shards that the queues shard calculation wants to run based on the rate of samples in vs. samples out.") { c, _ in Double(c.desiredShards) },
            family("prometheus_remote_storage_shards_min", "gauge", "The minimum number of shards that the queue is allowed to run.") { _, q in Double(q.config.queue.minShards) },
            family("prometheus_remote_storage_shards_max", "gauge", "The maximum number of shards that the queue is allowed to run.") { _, q in Double(q.config.queue.maxShards) },
            family("vigil_remote_storage_samples_dropped_retention_total", "counter",
                   "Samples trimmed from the append log by its retention before this queue read them.") { c, _ in Double(c.samplesDroppedByRetention) },
            family("vigil_remote_storage_log_records_behind", "gauge", "Append-log records not yet sent by this queue.") { c, _ in Double(c.recordsBehind) },
        ]
        var hist = MetricFamily(name: "prometheus_remote_storage_sent_batch_duration_seconds", type: "histogram",
                                help: "Duration of send calls to the remote storage.", samples: [])
        for (labels, c, _) in rows {
            let inner = labels.dropFirst().dropLast()
            for (i, b) in QueueCounters.durationBuckets.enumerated() {
                hist.samples.append(("_bucket{\(inner),le=\"\(bucketLabel(b))\"}", Double(c.durationBucketCounts[i])))
            }
            hist.samples.append(("_bucket{\(inner),le=\"+Inf\"}", Double(c.durationCount)))
            hist.samples.append(("_sum" + labels, c.durationSum))
            hist.samples.append(("_count" + labels, Double(c.durationCount)))
        }
        out.append(hist)
        out.append(MetricFamily(name: "prometheus_remote_storage_highest_timestamp_in_seconds", type: "gauge",
                                help: "Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.",
                                samples: [("", Double(max(db.maxTime, 0)) / 1000)]))
        return out
    }

    private func bucketLabel(_ b: Double) -> String {
        b == b.rounded() ? String(Int(b)) : String(b)
    }

    private func quote(_ s: String) -> String { Labels.quote(s) }
}
