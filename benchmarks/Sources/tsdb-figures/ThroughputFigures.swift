import ArgumentParser
import BenchSupport
import TSDB

/// Benchmark 1 as a one-shot run (the ordo-one suite gives the distributions).
struct AppendFigures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append", abstract: "Append throughput on one thread, batches of 10k (benchmark 1, one shot).")

    @OptionGroup var scratch: ScratchOptions
    @Option(parsing: .upToNextOption, help: "Series counts for the by-ref runs.")
    var series: [Int] = [10_000, 100_000, 1_000_000]
    @Option(help: "Series for the by-Labels run (0 to skip).")
    var labelsSeries = 100_000
    @Option(help: "Samples appended per run (at least 3 rounds over the series).")
    var samples = 10_000_000

    func run() throws {
        let report = Report()
        try Self.measure(report, seriesCounts: series, labelsSeries: labelsSeries, samples: samples, scratch: scratch.scratch)
        report.printTable(title: "Append")
    }

    static func measure(_ report: Report, seriesCounts: [Int], labelsSeries: Int, samples: Int, scratch: String?) throws {
        print("\n### 1. Append throughput (one thread, batches of 10,000 samples)\n")
        var rows: [[String]] = []
        for n in seriesCounts {
            let dir = ScratchDirectory(prefix: "vigil-bench-append", base: scratch)
            defer { dir.remove() }
            let db = try TSDB.open(directory: dir.path, options: benchOptions(), logger: quietLogger())
            let (refs, createSecs) = try BenchSupport.measure { try createSeries(db, count: n) { LabelSets.service($0) } }
            var app = RoundRobinAppender(refs: refs)
            var batch = AppendBatch(capacity: 10_000)
            // One warm-up round so every series has an open chunk (first-sample path excluded).
            var warm = 0
            while warm < n { app.fill(&batch); try db.append(batch); warm += batch.count }
            let total = max(samples, 3 * n)
            var appendSecs = 0.0, cpuSecs = 0.0
            var done = 0
            let clock = ContinuousClock()
            while done < total {
                app.fill(&batch)
                let t0 = clock.now, c0 = threadCPUSeconds()
                let r = try db.append(batch)
                cpuSecs += threadCPUSeconds() - c0
                appendSecs += (clock.now - t0).seconds
                precondition(r.rejected == 0, "rejected: \(r)")
                done += batch.count
            }
            let perSec = Double(done) / appendSecs, perCPUSec = Double(done) / cpuSecs
            rows.append(["by ref", grouped(n), grouped(done), format(appendSecs, 2), format(perSec / 1e6, 2) + " M/s",
                         format(perCPUSec / 1e6, 2) + " M/s", format(1e9 / perCPUSec, 0) + " ns", rate(n, createSecs)])
            report.add(Figure("1", "append by ref, \(grouped(n)) series (per CPU-second)", format(perCPUSec / 1e6, 2) + " M samples/s",
                              goal: "≥ 5 M/s", met: perCPUSec >= 5e6))
            try db.close()
        }
        if labelsSeries > 0 {
            let n = labelsSeries
            let dir = ScratchDirectory(prefix: "vigil-bench-append", base: scratch)
            defer { dir.remove() }
            let db = try TSDB.open(directory: dir.path, options: benchOptions(), logger: quietLogger())
            let labels = (0..<n).map { LabelSets.service($0) }
            let (_, createSecs) = try BenchSupport.measure { _ = try createSeries(db, count: n) { labels[$0] } }
            var app = RoundRobinAppender(refs: (0..<n).map { SeriesRef(UInt64($0)) })  // positions only
            var batch = AppendBatch(capacity: 10_000)
            var tuples: [(Labels, Int64, Double)] = []
            tuples.reserveCapacity(10_000)
            let total = max(samples / 2, 3 * n)
            var secs = 0.0, cpuSecs = 0.0, done = 0
            let clock = ContinuousClock()
            while done < total {
                app.fill(&batch)
                tuples.removeAll(keepingCapacity: true)
                for i in 0..<batch.count {
                    tuples.append((labels[Int(batch.refs[i].raw)], batch.timestamps[i], batch.values[i]))
                }
                let t0 = clock.now, c0 = threadCPUSeconds()
                let r = try db.append(tuples)
                cpuSecs += threadCPUSeconds() - c0
                secs += (clock.now - t0).seconds
                precondition(r.rejected == 0, "rejected: \(r)")
                done += tuples.count
            }
            let perSec = Double(done) / secs, perCPUSec = Double(done) / cpuSecs
            rows.append(["by Labels", grouped(n), grouped(done), format(secs, 2), format(perSec / 1e6, 2) + " M/s",
                         format(perCPUSec / 1e6, 2) + " M/s", format(1e9 / perCPUSec, 0) + " ns", rate(n, createSecs)])
            report.add(Figure("1", "append by Labels (lookup included), \(grouped(n)) series (per CPU-second)",
                              format(perCPUSec / 1e6, 2) + " M samples/s"))
            try db.close()
        }
        printMarkdownTable(header: ["variant", "series", "samples", "append wall time (s)", "samples/s (wall)",
                                    "samples/s (thread CPU)", "CPU per sample", "series creation"], rows: rows)
    }
}

/// Benchmark 5 as a one-shot run: select + iterate `{__name__="http_requests_total", status=~"5.."}`.
struct SelectFigures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select", abstract: "select + iterate throughput, in memory and after checkpoint (benchmark 5, one shot).")

    @OptionGroup var scratch: ScratchOptions
    @Option(help: "Series of http_requests_total (30 % have a 5xx status).")
    var series = 100_000
    @Option(help: "Samples per series (15 s apart; 120 per chunk).")
    var samples = 360
    @Option(help: "Timed runs per variant (best and median are reported).")
    var runs = 5

    func run() throws {
        let report = Report()
        try Self.measure(report, series: series, samples: samples, runs: runs, scratch: scratch.scratch)
        report.printTable(title: "Select")
    }

    static func measure(_ report: Report, series: Int, samples: Int, runs: Int, scratch: String?) throws {
        print("\n### 5. select + iterate {__name__=\"http_requests_total\", status=~\"5..\"} over \(grouped(series)) series × \(samples) samples\n")
        let dir = ScratchDirectory(prefix: "vigil-bench-select", base: scratch)
        defer { dir.remove() }
        let db = try TSDB.open(directory: dir.path, options: benchOptions(), logger: quietLogger())
        let (_, buildSecs) = try BenchSupport.measure {
            try buildRequestsDatabase(db, series: series, samplesPerSeries: samples)
        }
        progress("select: built \(grouped(series * samples)) samples in \(format(buildSecs, 1)) s")
        let matchers = fiveHundredsSelector()
        var rows: [[String]] = []
        func timed(_ variant: String) throws {
            var times: [Double] = []
            var result = (series: 0, samples: 0, checksum: 0.0)
            for _ in 0..<runs {
                let (r, s) = try BenchSupport.measure { try selectAndIterate(db, matchers) }
                result = r
                times.append(s)
            }
            times.sort()
            let best = times[0], median = times[times.count / 2]
            rows.append([variant, grouped(result.series), grouped(result.samples), format(best * 1000, 1) + " ms",
                         format(median * 1000, 1) + " ms", format(Double(result.samples) / median / 1e6, 1) + " M/s",
                         format(Double(result.series) / median / 1e3, 0) + " k/s"])
            report.add(Figure("5", "select+iterate \(variant): samples/s (median of \(runs))",
                              format(Double(result.samples) / median / 1e6, 1) + " M/s"))
            report.add(Figure("5", "select+iterate \(variant): series/s (median of \(runs))",
                              format(Double(result.series) / median / 1e3, 0) + " k/s"))
        }
        try timed("in memory")
        let (_, cpSecs) = try BenchSupport.measure { try db.checkpoint() }
        progress("select: checkpoint took \(format(cpSecs, 1)) s")
        try timed("after checkpoint (closed chunks from SQLite)")
        // Only the selection, no iteration: the cost of postings + chunk capture.
        let (found, selSecs) = try BenchSupport.measure { try db.querier(mint: .min, maxt: .max).select(matchers) }
        printMarkdownTable(header: ["variant", "series", "samples", "best", "median", "samples/s", "series/s"], rows: rows)
        print("\nselect() alone after checkpoint: \(found.count) series in \(format(selSecs * 1000, 1)) ms; build \(format(buildSecs, 1)) s, checkpoint \(format(cpSecs, 1)) s.")
        try db.close()
    }
}
