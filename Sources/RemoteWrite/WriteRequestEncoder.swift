import Ingest
import TSDB

/// Builds remote-write 1.0 bodies: a protobuf `prometheus.WriteRequest`, snappy-compressed.
///
/// Series labels are encoded once per series (`encodeLabels`) and reused for every request;
/// a request groups a series' samples into one `TimeSeries`, in time order. Both buffers are
/// kept between requests, so encoding allocates only when a request outgrows them.
struct WriteRequestEncoder {
    private(set) var raw: [UInt8] = []
    private(set) var compressed: [UInt8] = []

    /// The `labels` fields of a `TimeSeries` (field 1, one `Label` message each).
    static func encodeLabels(_ labels: Labels) -> [UInt8] {
        var out: [UInt8] = []
        for l in labels {
            let n = l.name.utf8.count, v = l.value.utf8.count
            let inner = 1 + varintSize(UInt64(n)) + n + 1 + varintSize(UInt64(v)) + v
            out.append(0x0A)
            appendVarint(&out, UInt64(inner))
            out.append(0x0A)
            appendVarint(&out, UInt64(n))
            out.append(contentsOf: l.name.utf8)
            out.append(0x12)
            appendVarint(&out, UInt64(v))
            out.append(contentsOf: l.value.utf8)
        }
        return out
    }

    /// Encodes the samples `indices` of `segment` (sorted here by series, then order of
    /// arrival, which is time order within a series) and compresses the result.
    mutating func encode(_ segment: Segment, indices: inout [Int32]) {
        indices.sort { a, b in
            let sa = segment.series[Int(a)], sb = segment.series[Int(b)]
            return sa != sb ? sa < sb : a < b
        }
        raw.removeAll(keepingCapacity: true)
        var i = 0
        while i < indices.count {
            let s = segment.series[Int(indices[i])]
            var j = i
            var samplesSize = 0
            while j < indices.count && segment.series[Int(indices[j])] == s {
                let size = Self.sampleSize(segment.timestamps[Int(indices[j])])
                samplesSize += 1 + Self.varintSize(UInt64(size)) + size
                j += 1
            }
            let labels = segment.labels[Int(s)]
            raw.append(0x0A)  // WriteRequest.timeseries
            Self.appendVarint(&raw, UInt64(labels.count + samplesSize))
            raw.append(contentsOf: labels)
            for k in i..<j {
                let idx = Int(indices[k])
                let t = segment.timestamps[idx]
                raw.append(0x12)  // TimeSeries.samples
                Self.appendVarint(&raw, UInt64(Self.sampleSize(t)))
                raw.append(0x09)  // Sample.value, fixed64
                let bits = segment.values[idx].bitPattern
                for b in 0..<8 { raw.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(b)))) }
                raw.append(0x10)  // Sample.timestamp, varint
                Self.appendVarint(&raw, UInt64(bitPattern: t))
            }
            i = j
        }
        compress()
    }

    private mutating func compress() {
        compressedCount = raw.withUnsafeBytes { Snappy.compress($0, into: &compressed) }
    }

    /// Encodes a request of metric metadata only (`WriteRequest.metadata`, field 3): type,
    /// family name, help and unit per metric.
    mutating func encodeMetadata(_ entries: [(name: String, metadata: MetricMetadata)]) {
        raw.removeAll(keepingCapacity: true)
        for (name, m) in entries {
            var inner: [UInt8] = []
            inner.append(0x08)  // MetricMetadata.type
            Self.appendVarint(&inner, Self.metricType(m.type))
            Self.appendString(&inner, field: 2, name)
            if !m.help.isEmpty { Self.appendString(&inner, field: 4, m.help) }
            if !m.unit.isEmpty { Self.appendString(&inner, field: 5, m.unit) }
            raw.append(0x1A)
            Self.appendVarint(&raw, UInt64(inner.count))
            raw.append(contentsOf: inner)
        }
        compress()
    }

    /// `prometheus.MetricMetadata.MetricType` of an exposition `# TYPE`.
    static func metricType(_ type: String) -> UInt64 {
        switch type {
        case "counter": return 1
        case "gauge": return 2
        case "histogram": return 3
        case "gaugehistogram": return 4
        case "summary": return 5
        case "info": return 6
        case "stateset": return 7
        default: return 0
        }
    }

    static func appendString(_ out: inout [UInt8], field: UInt8, _ s: String) {
        out.append(field << 3 | 2)
        appendVarint(&out, UInt64(s.utf8.count))
        out.append(contentsOf: s.utf8)
    }

    /// Bytes of `compressed` that hold the last encoded request.
    private(set) var compressedCount = 0

    @inline(__always)
    static func sampleSize(_ t: Int64) -> Int { 1 + 8 + 1 + varintSize(UInt64(bitPattern: t)) }

    @inline(__always)
    static func varintSize(_ x: UInt64) -> Int {
        var x = x, n = 1
        while x >= 0x80 { x >>= 7; n += 1 }
        return n
    }

    @inline(__always)
    static func appendVarint(_ out: inout [UInt8], _ x: UInt64) {
        var x = x
        while x >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        out.append(UInt8(x))
    }
}

/// Samples read from the log for one round of sending: per sample its series' index into
/// `labels` (the encoded label fields of the series present), time and value.
struct Segment: Sendable {
    var labels: [[UInt8]] = []
    var series: [Int32] = []
    var timestamps: [Int64] = []
    var values: [Double] = []
    var count: Int { series.count }
}
