import ArgumentParser
import BenchSupport
import Foundation
import TSDB

/// Benchmark 7: time of `TSDB.open` on an existing directory, (a) after a crash with the
/// append log not checkpointed (the builder process kills itself with SIGKILL), and (b) after
/// `checkpoint()` + `close()`. Every phase runs in its own process, so each open starts from
/// an empty heap (the files are in the OS page cache: this is not a cold-disk figure).
struct RecoveryFigures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery", abstract: "Reopen (recovery) time after kill -9 and after a clean checkpoint (benchmark 7).")

    @OptionGroup var scratch: ScratchOptions
    @Option(help: "Series.")
    var series = 1_000_000
    @Option(help: "Minutes of samples per series.")
    var minutes = 60
    @Option(help: "Scrape interval in seconds.")
    var interval = 15
    @Option(help: "Samples per append batch.")
    var batch = 10_000
    @Flag(help: "Keep the database directory (its path is printed).")
    var keep = false
    @Flag(help: "Leave the background maintenance thread on while building (it then checkpoints at 64 MiB of log, so the log replayed after the kill is short).")
    var backgroundMaintenance = false

    func run() throws {
        let report = Report()
        try Self.measure(report, series: series, minutes: minutes, intervalSeconds: interval, batch: batch,
                         scratch: scratch.scratch, keep: keep, backgroundMaintenance: backgroundMaintenance)
        report.printTable(title: "Recovery")
    }

    /// Runs this executable with `arguments`; returns its key=value output lines and how it ended.
    static func runPhase(_ arguments: [String]) throws -> (values: [String: String], signal: Int32?, status: Int32) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        var values: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            if let eq = line.firstIndex(of: "=") {
                values[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
        }
        if p.terminationReason == .uncaughtSignal { return (values, p.terminationStatus, p.terminationStatus) }
        return (values, nil, p.terminationStatus)
    }

    static func measure(_ report: Report, series: Int, minutes: Int, intervalSeconds: Int, batch: Int,
                        scratch: String?, keep: Bool = false, backgroundMaintenance: Bool = false) throws {
        let perSeries = minutes * 60 / intervalSeconds
        print("\n### 7. Recovery: \(grouped(series)) series × \(minutes) min at \(intervalSeconds) s = \(grouped(series * perSeries)) samples, background maintenance \(backgroundMaintenance ? "on" : "off") while building\n")
        let dir = ScratchDirectory(prefix: "vigil-bench-recovery", base: scratch)
        defer { if keep { print("kept \(dir.path)") } else { dir.remove() } }
        progress("recovery: building in \(dir.path) (child process, killed with SIGKILL when done)")
        let build = try runPhase(["recovery-phase", "build", "--dir", dir.path, "--series", "\(series)", "--minutes", "\(minutes)",
                                  "--interval", "\(intervalSeconds)", "--batch", "\(batch)"]
                                 + (backgroundMaintenance ? ["--background-maintenance"] : []))
        guard build.signal == SIGKILL, build.values["append_seconds"] != nil else {
            throw ValidationError("build phase did not finish as expected (status \(build.status), output \(build.values))")
        }
        let dbAfterBuild = dir.size(of: "vigil.db"), walAfterBuild = dir.size(of: "vigil.db-wal")
        progress("recovery: built; reopening after kill -9")
        let crash = try runPhase(["recovery-phase", "open", "--dir", dir.path, "--checkpoint-and-close"])
        guard crash.status == 0, let crashOpen = crash.values["open_seconds"].flatMap(Double.init) else {
            throw ValidationError("reopen after kill failed (status \(crash.status), output \(crash.values))")
        }
        let dbAfterClose = dir.size(of: "vigil.db"), walAfterClose = dir.size(of: "vigil.db-wal")
        progress("recovery: reopening after checkpoint + close")
        let clean = try runPhase(["recovery-phase", "open", "--dir", dir.path])
        guard clean.status == 0, let cleanOpen = clean.values["open_seconds"].flatMap(Double.init) else {
            throw ValidationError("clean reopen failed (status \(clean.status), output \(clean.values))")
        }
        let v = build.values
        let samples = Int(v["samples"] ?? "0") ?? 0
        let appendSecs = Double(v["append_seconds"] ?? "0") ?? 0
        let createSecs = Double(v["series_seconds"] ?? "0") ?? 0
        func mib(_ s: String?) -> String { formatBytes(Int(s ?? "0") ?? 0) }
        printMarkdownTable(header: ["phase", "time", "detail"], rows: [
            ["build: create series", format(createSecs, 1) + " s", rate(series, createSecs)],
            ["build: append", format(appendSecs, 1) + " s", "\(grouped(samples)) samples, \(rate(samples, appendSecs)); RSS \(mib(v["rss"])); files: vigil.db \(formatBytes(dbAfterBuild)), -wal \(formatBytes(walAfterBuild))"],
            ["open after kill -9 (" + (backgroundMaintenance ? "background checkpoints were on" : "log not checkpointed") + ")",
             "**" + format(crashOpen, 2) + " s**",
             "replayed \(grouped(Int(crash.values["recovered_samples"] ?? "0") ?? 0)) samples, \(crash.values["active_series"] ?? "?") series; RSS \(mib(crash.values["rss"]))"],
            ["checkpoint() after that", format(Double(crash.values["checkpoint_seconds"] ?? "0") ?? 0, 2) + " s", ""],
            ["close()", format(Double(crash.values["close_seconds"] ?? "0") ?? 0, 2) + " s", "files: vigil.db \(formatBytes(dbAfterClose)), -wal \(formatBytes(walAfterClose))"],
            ["open after checkpoint + close", "**" + format(cleanOpen, 2) + " s**",
             "\(clean.values["active_series"] ?? "?") series; RSS \(mib(clean.values["rss"]))"],
        ])
        let label = "\(grouped(series)) series × \(perSeries) samples"
        let crashCase = backgroundMaintenance ? "background checkpoints on" : "log not checkpointed"
        report.add(Figure("7", "reopen after kill -9, \(crashCase) (\(label))", format(crashOpen, 2) + " s",
                          goal: "≤ 10 s", met: crashOpen <= 10))
        report.add(Figure("7", "reopen after checkpoint() + close() (\(label))", format(cleanOpen, 2) + " s",
                          goal: "≤ 10 s", met: cleanOpen <= 10))
        report.add(Figure("7", "  build time: series creation + append", format(createSecs, 1) + " s + " + format(appendSecs, 1) + " s"))
    }
}

/// The child processes of `recovery` (not meant to be run by hand).
struct RecoveryPhase: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recovery-phase", shouldDisplay: false)

    @Argument var phase: String
    @Option var dir: String
    @Option var series = 1_000_000
    @Option var minutes = 60
    @Option var interval = 15
    @Option var batch = 10_000
    @Flag var checkpointAndClose = false
    @Flag var backgroundMaintenance = false

    func emit(_ key: String, _ value: CustomStringConvertible) {
        print("\(key)=\(value)")
        flushStdout()
    }

    func run() throws {
        switch phase {
        case "build":
            let db = try TSDB.open(directory: dir, options: benchOptions(backgroundMaintenance: backgroundMaintenance),
                                   logger: quietLogger())
            let (refs, createSecs) = try BenchSupport.measure { try createSeries(db, count: series) { LabelSets.service($0) } }
            emit("series_seconds", createSecs)
            var app = RoundRobinAppender(refs: refs, batchSize: batch, intervalMilliseconds: Int64(interval) * 1000)
            var b = AppendBatch(capacity: batch)
            let total = series * (minutes * 60 / interval)
            var done = 0
            let (_, appendSecs) = try BenchSupport.measure {
                while done < total {
                    app.fill(&b)
                    let r = try db.append(b)
                    precondition(r.rejected == 0, "rejected: \(r)")
                    done += b.count
                    if done % 20_000_000 < batch { progress("  build: \(grouped(done)) / \(grouped(total)) samples") }
                }
            }
            emit("append_seconds", appendSecs)
            emit("samples", done)
            emit("rss", ProcessStats.residentBytes())
            // Kill-like: no close(), no checkpoint, no deinit.
            kill(getpid(), SIGKILL)
        case "open":
            let (db, openSecs) = try BenchSupport.measure {
                try TSDB.open(directory: dir, options: benchOptions(), logger: quietLogger())
            }
            emit("open_seconds", openSecs)
            let stats = db.stats
            emit("recovered_samples", stats.recoveredSamples)
            emit("active_series", stats.activeSeries)
            emit("rss", ProcessStats.residentBytes())
            if checkpointAndClose {
                let (_, cp) = try BenchSupport.measure { try db.checkpoint() }
                emit("checkpoint_seconds", cp)
                let (_, cl) = try BenchSupport.measure { try db.close() }
                emit("close_seconds", cl)
            }
            Foundation.exit(0)  // skip tearing down the head: only the open is measured
        default:
            throw ValidationError("unknown phase \(phase)")
        }
    }
}
