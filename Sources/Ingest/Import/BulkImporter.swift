import Foundation
import TSDB

/// What an import stored and what it could not.
public struct ImportSummary: Sendable, Equatable {
    public var samples = 0
    public var series = 0
    /// Stored, after the TSDB's per-sample checks.
    public var appended = 0
    /// Rejected by the TSDB: older than the series' newest sample, duplicates, out of
    /// retention (counted, the rest of the import goes on).
    public var outOfOrder = 0
    public var duplicate = 0
    public var outOfBounds = 0
    public var batches = 0
}

public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// What was stored before the error (earlier batches are durable).
    public var summary: ImportSummary
    public var description: String { message }
}

/// Streams an exposition-format input with timestamps into the TSDB: read in chunks cut at
/// line ends, parsed in place, appended in batches of `batchSize` samples. Memory stays
/// bounded by the chunk, the batch and the series cache, whatever the input's size. Series
/// are found through a cache keyed by their bytes, as in scraping.
///
/// Like `promtool tsdb create-blocks-from openmetrics`, every sample needs a timestamp.
/// Unlike it (it writes 2h blocks in any order), samples are appended: within a series they
/// must come in time order, others are counted as out of order and skipped.
public final class BulkImporter {
    public let db: TSDB
    public let format: ExpositionFormat
    public let batchSize: Int
    public let chunkSize: Int
    private var cache = SeriesCache()
    private var batch: AppendBatch
    private var summary = ImportSummary()

    public init(db: TSDB, format: ExpositionFormat, batchSize: Int = 50_000, chunkSize: Int = 4 << 20) {
        self.db = db
        self.format = format
        self.batchSize = batchSize
        self.chunkSize = chunkSize
        batch = AppendBatch(capacity: batchSize)
    }

    /// Imports a file (`-` for standard input).
    public func importFile(_ path: String) throws(ImportError) -> ImportSummary {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw ImportError(message: "open \(path): no such file or not readable", summary: summary)
            }
            handle = h
        }
        defer { if path != "-" { try? handle.close() } }
        return try importStream { max in
            let d = handle.readData(ofLength: max)
            return d.isEmpty ? nil : [UInt8](d)
        }
    }

    /// Imports from `read`, which returns up to `max` bytes, or nil at the end.
    public func importStream(_ read: (Int) throws -> [UInt8]?) throws(ImportError) -> ImportSummary {
        var pending: [UInt8] = []
        var lines = 0
        var sawEOF = false
        var finished = false
        while !finished {
            let more: [UInt8]?
            do { more = try read(chunkSize) } catch { throw ImportError(message: "reading: \(error)", summary: summary) }
            var cut: Int
            if let more {
                pending += more
                guard let nl = pending.lastIndex(of: 0x0A) else { continue }
                cut = nl + 1
            } else {
                finished = true
                cut = pending.count
            }
            if sawEOF && cut > 0 { throw ImportError(message: "line \(lines + 1): unexpected data after # EOF", summary: summary) }
            let r = pending.withUnsafeBufferPointer { buf -> Result<(Int, Bool), ImportError> in
                let chunk = UnsafeBufferPointer(rebasing: buf[0..<cut])
                do throws(ImportError) { return .success(try parseChunk(chunk, firstLine: lines)) } catch { return .failure(error) }
            }
            let (n, eof) = try r.get()
            lines = n
            sawEOF = sawEOF || eof
            pending.removeSubrange(0..<cut)
        }
        if format == .openMetrics && !sawEOF {
            throw ImportError(message: "line \(lines): OpenMetrics input does not end with # EOF", summary: summary)
        }
        try flush()
        summary.series = db.activeSeries
        return summary
    }

    private func parseChunk(_ chunk: UnsafeBufferPointer<UInt8>, firstLine: Int) throws(ImportError) -> (Int, Bool) {
        var p = ExpositionParser(bytes: chunk, format: format, isWholeInput: false, firstLine: firstLine)
        do {
            while let e = try p.next() {
                guard case .sample = e else { continue }
                guard let t = p.timestamp else {
                    throw ImportError(message: "line \(p.line): expected a timestamp for \(p.text(p.series))", summary: summary)
                }
                let span = p.series
                let h = SeriesCache.hash(chunk, span)
                let ref: SeriesRef
                if let i = cache.find(chunk, span, hash: h), let r = cache.entries[i].ref {
                    ref = r
                } else {
                    do { ref = try db.seriesRef(for: try p.currentLabels()) } catch {
                        throw ImportError(message: "line \(p.line): \(error)", summary: summary)
                    }
                    if cache.count >= 1_000_000 { cache = SeriesCache() }
                    _ = cache.insert(chunk, span, hash: h, ref: ref, seen: 0)
                }
                batch.add(ref, t, p.value)
                summary.samples += 1
                if batch.count >= batchSize { try flush() }
            }
        } catch let e as ImportError {
            throw e
        } catch {
            throw ImportError(message: "\(error)", summary: summary)
        }
        return (p.line, p.sawEOF)
    }

    private func flush() throws(ImportError) {
        guard !batch.isEmpty else { return }
        do {
            let r = try db.append(batch)
            summary.appended += r.appended
            summary.outOfOrder += r.outOfOrder
            summary.duplicate += r.duplicate + r.duplicatesIgnored
            summary.outOfBounds += r.outOfBounds
            summary.batches += 1
        } catch {
            throw ImportError(message: "appending: \(error)", summary: summary)
        }
        batch.removeAll()
    }
}
