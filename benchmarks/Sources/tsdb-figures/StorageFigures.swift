import ArgumentParser
import BenchSupport
import SQLite
import TSDB

/// Benchmarks 3 and 6: bytes per sample of the SQLite file after `checkpoint()` and after
/// `compact()`, for the realistic mix appended as scrapes (one batch per target per round).
struct StorageFigures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sqlite",
        abstract: "Bytes per sample of vigil.db (+ -wal) after checkpoint() and after compact() (benchmarks 3 and 6).")

    @OptionGroup var scratch: ScratchOptions
    @Option(help: "Series (kinds in mix proportions, 100 per target).")
    var series = 2_000
    @Option(help: "Hours of samples.")
    var hours = 24
    @Option(help: "Scrape interval in seconds.")
    var interval = 15
    @Option(help: "Simulated minutes between checkpoints while appending (as `vigil run` does every 5 min or 256 MiB).")
    var checkpointMinutes = 30

    func run() throws {
        let report = Report()
        try Self.measure(report, series: series, hours: hours, intervalSeconds: interval,
                         checkpointMinutes: checkpointMinutes, scratch: scratch.scratch)
        report.printTable(title: "SQLite file")
    }

    struct ChunkTable {
        var rows = 0
        var bytes = 0
        var samples = 0
        var xorBytes = 0, xorSamples = 0
        var compactBytes = 0, compactSamples = 0
        var perKind: [SeriesKind: (bytes: Int, samples: Int)] = [:]
        var headBytes = 0
        var pageSize = 0, pageCount = 0, freePages = 0
        /// name, bytes, unused bytes inside its pages, overflow pages.
        var tableBytes: [(String, Int, Int, Int)] = []
    }

    /// Reads the chunks table directly: blob bytes and samples, per encoding and per kind.
    static func inspect(_ path: String, kindOf: (Int64) -> SeriesKind?) throws -> ChunkTable {
        var out = ChunkTable()
        let conn = try Connection(path: path, mode: .readOnly)
        try conn.query("SELECT series_id, data FROM chunks") { row in
            let id = row.int64(0)
            let data = row.blob(1)
            let n = (try? ChunkDecoder.count(of: data)) ?? 0
            out.rows += 1
            out.bytes += data.count
            out.samples += n
            if data.first == ChunkEncoding.compact.rawValue {
                out.compactBytes += data.count; out.compactSamples += n
            } else {
                out.xorBytes += data.count; out.xorSamples += n
            }
            if let k = kindOf(id) {
                let p = out.perKind[k] ?? (0, 0)
                out.perKind[k] = (p.bytes + data.count, p.samples + n)
            }
        }
        // Head state: a row per series (`head`) in older schemas, blocks of series (`head_blocks`) in newer.
        for table in ["head", "head_blocks"]
        where try conn.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1", .text(table)) == 1 {
            out.headBytes += Int(try conn.scalarInt("SELECT coalesce(sum(length(data)), 0) FROM \(table)") ?? 0)
        }
        out.pageSize = Int(try conn.scalarInt("PRAGMA page_size") ?? 0)
        out.pageCount = Int(try conn.scalarInt("PRAGMA page_count") ?? 0)
        out.freePages = Int(try conn.scalarInt("PRAGMA freelist_count") ?? 0)
        // Per-table sizes when SQLite was built with the dbstat virtual table.
        do {
            try conn.query("""
                SELECT name, sum(pgsize), sum(unused), sum(pagetype = 'overflow') FROM dbstat GROUP BY name ORDER BY 2 DESC
                """) { row in
                out.tableBytes.append((row.text(0), Int(row.int64(1)), Int(row.int64(2)), Int(row.int64(3))))
            }
        } catch {}
        return out
    }

    static func measure(_ report: Report, series: Int, hours: Int, intervalSeconds: Int, checkpointMinutes: Int,
                        scratch: String?) throws {
        print("\n### 3 and 6. SQLite file: \(series) series × \(hours) h at \(intervalSeconds) s (checkpoint every \(checkpointMinutes) simulated min)\n")
        let dir = ScratchDirectory(prefix: "vigil-bench-sqlite", base: scratch)
        defer { dir.remove() }
        let db = try TSDB.open(directory: dir.path, options: benchOptions(), logger: quietLogger())
        let refs = try createSeries(db, count: series) { LabelSets.mix($0) }
        var kinds: [Int64: SeriesKind] = [:]
        for (i, r) in refs.enumerated() { kinds[Int64(bitPattern: r.raw)] = SeriesKind.of(seriesIndex: i) }
        var gens = (0..<series).map { ValueGenerator(kind: SeriesKind.of(seriesIndex: $0), seed: UInt64($0) &* 7919 &+ 11) }
        let intervalMs = Int64(intervalSeconds) * 1000
        let rounds = hours * 3600 / intervalSeconds
        let perTarget = 100
        let checkpointEvery = max(1, checkpointMinutes * 60 / intervalSeconds)
        let start: Int64 = 1_700_006_400_000
        var batch = AppendBatch(capacity: perTarget)
        var total = 0
        var checkpointSeconds = 0.0, checkpoints = 0
        let (_, appendSecs) = try BenchSupport.measure {
            for round in 0..<rounds {
                var first = 0
                while first < series {
                    let target = first / perTarget
                    let t = scrapeTime(round: round &* 10_007 &+ target, start: start, intervalMilliseconds: 0) &+ Int64(round) &* intervalMs
                    batch.removeAll()
                    for i in first..<min(first + perTarget, series) {
                        batch.add(refs[i], t, gens[i].next(intervalSeconds: Double(intervalSeconds)))
                    }
                    let r = try db.append(batch)
                    precondition(r.rejected == 0, "rejected samples: \(r)")
                    total += r.appended
                    first += perTarget
                }
                if round % checkpointEvery == checkpointEvery - 1 {
                    let (_, s) = try BenchSupport.measure { try db.checkpoint() }
                    checkpointSeconds += s
                    checkpoints += 1
                }
            }
        }
        progress("sqlite: appended \(grouped(total)) samples in \(format(appendSecs, 1)) s (\(rate(total, appendSecs)), incl. \(checkpoints) checkpoints taking \(format(checkpointSeconds, 2)) s)")
        let (_, lastCheckpoint) = try BenchSupport.measure { try db.checkpoint() }
        let path = dir.path + "/vigil.db"
        func sizes() -> (db: Int, wal: Int) { (dir.size(of: "vigil.db"), dir.size(of: "vigil.db-wal")) }
        let afterCheckpoint = sizes()
        let t1 = try inspect(path) { kinds[$0] }
        let bps = Double(afterCheckpoint.db + afterCheckpoint.wal) / Double(total)
        var rows: [[String]] = []
        func row(_ stage: String, _ s: (db: Int, wal: Int), _ t: ChunkTable) {
            rows.append([stage, formatBytes(s.db), formatBytes(s.wal), format(Double(s.db + s.wal) / Double(total), 3),
                         format(Double(s.db) / Double(total), 3),
                         t.xorSamples > 0 ? format(Double(t.xorBytes) / Double(t.xorSamples), 3) : "–",
                         t.compactSamples > 0 ? format(Double(t.compactBytes) / Double(t.compactSamples), 3) : "–",
                         format(Double(t.samples) / Double(total) * 100, 1) + " %",
                         formatBytes(t.headBytes), "\(t.freePages)"])
        }
        row("after checkpoint()", afterCheckpoint, t1)
        report.add(Figure("3", "SQLite (vigil.db + -wal) bytes/sample after checkpoint(), \(series) series × \(hours) h @\(intervalSeconds)s",
                          format(bps, 3), goal: "≤ 1.5", met: bps <= 1.5))
        report.add(Figure("3", "  of which vigil.db alone", format(Double(afterCheckpoint.db) / Double(total), 3)))
        report.add(Figure("3", "  chunk blobs alone (XOR, in `chunks`)", format(Double(t1.xorBytes) / Double(max(1, t1.xorSamples)), 3)))

        let (cr, compactSecs) = try BenchSupport.measure { try db.compact() }
        let afterCompact = sizes()
        let t2 = try inspect(path) { kinds[$0] }
        row("after compact()", afterCompact, t2)
        let bpsCompact = Double(afterCompact.db + afterCompact.wal) / Double(total)
        let compactBlock = Double(t2.compactBytes) / Double(max(1, t2.compactSamples))
        let compactedShare = Double(t2.compactSamples) / Double(total) * 100
        report.add(Figure("6", "SQLite (vigil.db + -wal) bytes/sample after compact(), whole file (\(format(compactedShare, 0)) % of samples compacted)",
                          format(bpsCompact, 3), goal: "≤ 0.8", met: bpsCompact <= 0.8))
        report.add(Figure("6", "  compacted blocks alone (blob bytes / samples in them)", format(compactBlock, 3),
                          goal: "≤ 0.8", met: compactBlock <= 0.8))
        report.add(Figure("6", "  compaction ratio (bytes after / before, compacted windows)",
                          format(Double(cr.bytesAfter) / Double(max(1, cr.bytesBefore)), 3)))

        try db.close()
        let afterClose = sizes()
        let t3 = try inspect(path) { kinds[$0] }
        row("after close()", afterClose, t3)

        print("")
        printMarkdownTable(header: ["stage", "vigil.db", "-wal", "(db+wal)/sample", "db/sample", "XOR blob B/sample",
                                    "compact blob B/sample", "samples in `chunks`", "head state blobs", "free pages"], rows: rows)
        print("\nAppended \(grouped(total)) samples in \(format(appendSecs, 1)) s; final checkpoint \(format(lastCheckpoint, 2)) s; compact() \(format(compactSecs, 2)) s: \(cr.windows) windows, \(cr.chunksMerged) chunks → \(cr.blocksWritten) blocks, \(formatBytes(cr.bytesBefore)) → \(formatBytes(cr.bytesAfter)).")
        print("Page size \(t2.pageSize), \(t2.pageCount) pages after compact().")
        if !t1.tableBytes.isEmpty {
            print("\nSpace per table/index after checkpoint() (dbstat):\n")
            printMarkdownTable(header: ["table/index", "bytes", "bytes/sample", "unused bytes in its pages", "overflow pages"],
                               rows: t1.tableBytes.map {
                                   [$0.0, formatBytes($0.1), format(Double($0.1) / Double(total), 3),
                                    formatBytes($0.2) + " (" + format(Double($0.2) / Double(max(1, $0.1)) * 100, 0) + " %)", grouped($0.3)]
                               })
        }
        if !t2.tableBytes.isEmpty {
            print("\nSpace per table/index after compact() (dbstat):\n")
            printMarkdownTable(header: ["table/index", "bytes", "bytes/sample", "unused bytes in its pages", "overflow pages"],
                               rows: t2.tableBytes.map {
                                   [$0.0, formatBytes($0.1), format(Double($0.1) / Double(total), 3),
                                    formatBytes($0.2) + " (" + format(Double($0.2) / Double(max(1, $0.1)) * 100, 0) + " %)", grouped($0.3)]
                               })
        }
        print("\nChunk blobs per kind after checkpoint() (XOR, closed chunks as cut by the head):\n")
        printMarkdownTable(header: ["kind", "samples", "bytes/sample"], rows: SeriesKind.allCases.map { k in
            let p = t1.perKind[k] ?? (0, 0)
            return [k.rawValue, grouped(p.samples), p.samples > 0 ? format(Double(p.bytes) / Double(p.samples), 3) : "–"]
        })
        print("\nChunk blobs per kind after compact() (XOR and compact blocks mixed):\n")
        printMarkdownTable(header: ["kind", "samples", "bytes/sample"], rows: SeriesKind.allCases.map { k in
            let p = t2.perKind[k] ?? (0, 0)
            return [k.rawValue, grouped(p.samples), p.samples > 0 ? format(Double(p.bytes) / Double(p.samples), 3) : "–"]
        })
    }
}
