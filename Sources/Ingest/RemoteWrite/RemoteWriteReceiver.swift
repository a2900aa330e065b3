import Foundation
import TSDB
#if canImport(Glibc)
import Glibc
#endif

/// What to answer a remote-write request with.
public struct RemoteWriteResponse: Sendable, Equatable {
    /// 204 stored; 400 bad payload (senders do not retry); 415 wrong encoding; 500/503 when
    /// retrying later can help (storage failure, database closed).
    public var status: Int
    /// The body for errors (plain text), empty on success.
    public var message: String
    public var result = AppendResult()
    public var series = 0
}

/// `POST /api/v1/write`, the remote-write 1.0 protocol: a snappy-compressed protobuf
/// `WriteRequest`, decoded and appended as one batch. The Server mounts `handle` on the
/// route; this type knows nothing about HTTP beyond the status it returns.
///
/// Out-of-order, duplicate and too-old samples are counted and dropped, the rest stored,
/// and the answer is 204 (Prometheus 2.42 answers 400 for the whole request instead; either
/// way the sender does not retry, and here nothing else of the request is lost). A request
/// that cannot be decoded, or holds an invalid label set, is rejected whole with 400 and
/// nothing of it stored.
public final class RemoteWriteReceiver: @unchecked Sendable {
    public let db: TSDB
    /// Largest decompressed request accepted.
    public let maxDecompressedBytes: Int
    /// Series remembered by their label bytes; cleared when it grows past this.
    public let maxCachedSeries: Int

    private let lock = NSLock()
    private var cache = SeriesCache()
    private var batch = AppendBatch(capacity: 4096)

    public init(db: TSDB, maxDecompressedBytes: Int = 64 << 20, maxCachedSeries: Int = 1_000_000) {
        self.db = db
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxCachedSeries = maxCachedSeries
    }

    /// Handles one request body. Header values as received (nil when absent):
    /// `contentEncoding` (remote write 1.0 always sends `snappy`, which is assumed),
    /// `contentType` and `protocolVersion` (`X-Prometheus-Remote-Write-Version`): a 2.0
    /// request is refused with 415, so a sender can fall back to 1.0.
    public func handle(body: UnsafeRawBufferPointer, contentEncoding: String? = "snappy", contentType: String? = nil,
                       protocolVersion: String? = nil) -> RemoteWriteResponse {
        if let v = protocolVersion, v.hasPrefix("2.") {
            return RemoteWriteResponse(status: 415, message: "remote write protocol version \(v) is not supported; this receiver speaks 1.0 (0.1.0)")
        }
        if let ct = contentType?.lowercased(), ct.contains("proto=io.prometheus.write.v2") {
            return RemoteWriteResponse(status: 415, message: "remote write 2.0 messages are not supported; send prometheus.WriteRequest (1.0)")
        }
        if let enc = contentEncoding?.lowercased(), !enc.isEmpty, enc != "snappy" {
            return RemoteWriteResponse(status: 415, message: "unsupported Content-Encoding \(goQuote(enc)): remote write 1.0 bodies are snappy-compressed")
        }
        let raw: [UInt8]
        do { raw = try Snappy.decompress(body, limit: maxDecompressedBytes) } catch {
            return RemoteWriteResponse(status: 400, message: error.message)
        }
        return raw.withUnsafeBufferPointer { decodeAndAppend($0) }
    }

    public func handle(body: [UInt8], contentEncoding: String? = "snappy", contentType: String? = nil,
                       protocolVersion: String? = nil) -> RemoteWriteResponse {
        body.withUnsafeBytes { handle(body: $0, contentEncoding: contentEncoding, contentType: contentType, protocolVersion: protocolVersion) }
    }

    /// An uncompressed `WriteRequest` (for the benchmark and tests).
    public func handle(uncompressed: UnsafeBufferPointer<UInt8>) -> RemoteWriteResponse {
        decodeAndAppend(uncompressed)
    }

    private func decodeAndAppend(_ pb: UnsafeBufferPointer<UInt8>) -> RemoteWriteResponse {
        // One request at a time through the cache and the reused batch; appends from other
        // sources (scrapes, rules) proceed concurrently in the TSDB.
        lock.lock()
        defer { lock.unlock() }
        batch.removeAll()
        // First pass: the whole request must decode and name only valid label sets before
        // anything (series included) is created.
        do {
            var check = WriteRequestDecoder(bytes: pb)
            while try check.nextSeries() {
                try check.forEachSample { _, _ in }
                if let span = check.labelBytes, cache.find(pb, span, hash: SeriesCache.hash(pb, span)) != nil { continue }
                try validate(check)
            }
        } catch let e as WriteRequestDecoder.DecodeError {
            return RemoteWriteResponse(status: 400, message: "decoding WriteRequest: \(e)")
        } catch {
            return RemoteWriteResponse(status: 400, message: "\(error)")
        }
        var d = WriteRequestDecoder(bytes: pb)
        var seriesCount = 0, overLimit = 0
        do {
            while try d.nextSeries() {
                seriesCount += 1
                let ref: SeriesRef
                do { ref = try self.ref(for: d, pb) } catch TSDBError.seriesLimit {
                    // The series cap rejects new series one by one; the rest is kept.
                    try d.forEachSample { _, _ in overLimit += 1 }
                    continue
                }
                try d.forEachSample { t, v in batch.add(ref, t, v) }
            }
        } catch let e as WriteRequestDecoder.DecodeError {
            return RemoteWriteResponse(status: 400, message: "decoding WriteRequest: \(e)")
        } catch let e as TSDBError {
            return storageFailure(e)
        } catch {
            return RemoteWriteResponse(status: 400, message: "\(error)")
        }
        do {
            var r = try db.append(batch)
            r.unknownSeries += overLimit
            return RemoteWriteResponse(status: 204, message: "", result: r, series: seriesCount)
        } catch {
            return storageFailure(error)
        }
    }

    private func storageFailure(_ e: TSDBError) -> RemoteWriteResponse {
        switch e {
        case .closed: return RemoteWriteResponse(status: 503, message: "storage is shutting down")
        case .seriesLimit: return RemoteWriteResponse(status: 400, message: "\(e)")
        default: return RemoteWriteResponse(status: 500, message: "storage: \(e)")
        }
    }

    struct InvalidSeries: Error, CustomStringConvertible {
        var description: String
    }

    private func ref(for d: WriteRequestDecoder, _ pb: UnsafeBufferPointer<UInt8>) throws -> SeriesRef {
        if let span = d.labelBytes {
            let h = SeriesCache.hash(pb, span)
            if let i = cache.find(pb, span, hash: h), let ref = cache.entries[i].ref { return ref }
            let ref = try resolve(d)
            if cache.count >= maxCachedSeries { cache = SeriesCache() }
            _ = cache.insert(pb, span, hash: h, ref: ref, seen: 0)
            return ref
        }
        return try resolve(d)
    }

    /// Label names valid and unique, a valid metric name, at least one label: on bytes.
    private func validate(_ d: WriteRequestDecoder) throws(InvalidSeries) {
        let b = d.bytes
        guard !d.labels.isEmpty else { throw InvalidSeries(description: "a series without labels") }
        for (i, l) in d.labels.enumerated() {
            let isMetric = l.name.count == 8 && d.text(l.name) == Labels.metricName
            var ok = l.name.count > 0
            for k in l.name.start..<l.name.end where ok {
                let c = b[k]
                ok = isLabelNameStart(c) || (k > l.name.start && c >= 0x30 && c <= 0x39)
            }
            guard ok else { throw InvalidSeries(description: "invalid label name \(goQuote(d.text(l.name)))") }
            if isMetric && !Labels.isValidMetricName(d.text(l.value)) {
                throw InvalidSeries(description: "invalid metric name \(goQuote(d.text(l.value)))")
            }
            for m in d.labels[..<i] where m.name.count == l.name.count
                && memcmp(b.baseAddress! + m.name.start, b.baseAddress! + l.name.start, l.name.count) == 0 {
                throw InvalidSeries(description: "duplicate label name \(goQuote(d.text(l.name)))")
            }
        }
    }

    private func resolve(_ d: WriteRequestDecoder) throws -> SeriesRef {
        var pairs: [Label] = []
        pairs.reserveCapacity(d.labels.count)
        for l in d.labels { pairs.append(Label(d.text(l.name), d.text(l.value))) }
        let labels: Labels
        do { labels = try Labels(pairs) } catch {
            throw InvalidSeries(description: "invalid labels \(pairs.map { "\($0.name)=\(goQuote($0.value))" }.joined(separator: ",")): \(error)")
        }
        guard !labels.isEmpty else { throw InvalidSeries(description: "a series without labels") }
        guard labels.name.map(Labels.isValidMetricName) ?? true else {
            throw InvalidSeries(description: "invalid metric name \(goQuote(labels.name ?? ""))")
        }
        return try db.seriesRef(for: labels)
    }
}
