import ArgumentParser
import BenchSupport
import CBenchShims
import TSDB

/// Benchmark 4: resident memory per active series in the head.
struct MemoryFigures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Head memory per active series, from /proc/self/statm (benchmark 4).")

    @OptionGroup var scratch: ScratchOptions
    @Option(help: "Series to create.")
    var series = 100_000
    @Option(help: "Samples per series (15 s apart).")
    var samples = 3

    func run() throws {
        let report = Report()
        try Self.measure(report, series: series, samples: samples, scratch: scratch.scratch)
        report.printTable(title: "Head memory")
    }

    static func snapshot() -> (rss: Int, sqlite: Int) {
        ProcessStats.trimHeap()
        return (ProcessStats.residentBytes(), Int(sqlite3_memory_used()))
    }

    static func measure(_ report: Report, series: Int, samples: Int, scratch: String?) throws {
        print("\n### 4. Head memory: \(grouped(series)) series {__name__, job, instance, method, status, path}, \(samples) samples each\n")
        let dir = ScratchDirectory(prefix: "vigil-bench-memory", base: scratch)
        defer { dir.remove() }
        let db = try TSDB.open(directory: dir.path, options: benchOptions(), logger: quietLogger())
        // The refs array belongs to the benchmark, not the head: allocate it before the baseline.
        var refs: [SeriesRef] = []
        refs.reserveCapacity(series)
        var batch = AppendBatch(capacity: 10_000)
        let before = snapshot()
        let (_, createSecs) = try BenchSupport.measure {
            for i in 0..<series {
                refs.append(try db.seriesRef(for: LabelSets.service(i)))
                if i % 10_000 == 9_999 { try db.append(AppendBatch()) }
            }
            try db.append(AppendBatch())
        }
        let afterCreate = snapshot()
        var app = RoundRobinAppender(refs: refs)
        let (_, appendSecs) = try BenchSupport.measure {
            var done = 0
            while done < series * samples {
                app.fill(&batch)
                try db.append(batch)
                done += batch.count
            }
        }
        let afterAppend = snapshot()
        let (_, checkpointSecs) = try BenchSupport.measure { try db.checkpoint() }
        let afterCheckpoint = snapshot()
        let n = Double(series)
        func perSeries(_ s: (rss: Int, sqlite: Int)) -> (Double, Double) {
            let rss = Double(s.rss - before.rss) / n
            let withoutSQLite = Double((s.rss - before.rss) - (s.sqlite - before.sqlite)) / n
            return (rss, withoutSQLite)
        }
        var rows: [[String]] = []
        for (stage, s) in [("series created", afterCreate), ("after \(samples) samples each", afterAppend),
                           ("after checkpoint()", afterCheckpoint)] {
            let (a, b) = perSeries(s)
            rows.append([stage, formatBytes(s.rss - before.rss), formatBytes(s.sqlite - before.sqlite),
                         format(a, 0), format(b, 0)])
        }
        printMarkdownTable(header: ["stage", "RSS growth", "of which SQLite (sqlite3_memory_used)", "RSS bytes/series",
                                    "RSS − SQLite bytes/series"], rows: rows)
        print("\nBaseline RSS \(formatBytes(before.rss)); peak RSS \(formatBytes(ProcessStats.peakResidentBytes())). Series created in \(format(createSecs, 2)) s (\(rate(series, createSecs))), \(grouped(series * samples)) samples appended in \(format(appendSecs, 2)) s, checkpoint \(format(checkpointSecs, 2)) s.")
        let (rss, heapOnly) = perSeries(afterAppend)
        report.add(Figure("4", "head RSS per active series (\(grouped(series)) series, \(samples) samples each)",
                          format(rss, 0) + " B", goal: "≤ 1024 B", met: rss <= 1024))
        report.add(Figure("4", "  same, minus SQLite's own memory (page cache)", format(heapOnly, 0) + " B",
                          goal: "≤ 1024 B", met: heapOnly <= 1024))
        let (rssC, _) = perSeries(afterCheckpoint)
        report.add(Figure("4", "  after checkpoint()", format(rssC, 0) + " B"))
        report.add(Figure("4", "  series creation rate (seriesRef(for:) new series)", rate(series, createSecs)))
        try db.close()
    }
}
