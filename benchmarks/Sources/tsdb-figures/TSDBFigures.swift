import ArgumentParser
import BenchSupport

/// Size, memory and recovery figures of the storage engine (and one-shot timings of append
/// and select), printed as a Markdown table. ordo-one/benchmark (`swift package benchmark`)
/// covers the timings with distributions; this tool covers what is not a timing.
@main
struct TSDBFigures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsdb-figures",
        abstract: "Bytes per sample, head memory, recovery time and one-shot throughput of Vigil's TSDB.",
        subcommands: [
            All.self, AppendFigures.self, ChunkFigures.self, StorageFigures.self, MemoryFigures.self,
            SelectFigures.self, RecoveryFigures.self, RecoveryPhase.self,
        ],
        defaultSubcommand: All.self)
}

/// Where scratch databases go (default $TMPDIR or /tmp).
struct ScratchOptions: ParsableArguments {
    @Option(help: "Directory under which scratch databases are created (default: $TMPDIR or /tmp).")
    var scratch: String?
}

struct All: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every figure at a moderate size (recovery at --recovery-series; use `recovery` for 1M series).")

    @OptionGroup var scratch: ScratchOptions

    @Option(help: "Series for the recovery figure.")
    var recoverySeries = 100_000

    @Option(help: "Minutes of samples per series for the recovery figure.")
    var recoveryMinutes = 60

    func run() throws {
        let report = Report()
        print("# tsdb-figures all — \(ProcessStats.machineDescription())")
        try AppendFigures.measure(report, seriesCounts: [10_000, 100_000, 1_000_000], labelsSeries: 100_000,
                                  samples: 10_000_000, scratch: scratch.scratch)
        try ChunkFigures.measure(report, series: 2_000, hours15s: 24, hours1s: 2, jitterMs: 4)
        try StorageFigures.measure(report, series: 2_000, hours: 24, intervalSeconds: 15, checkpointMinutes: 30,
                                   scratch: scratch.scratch)
        try MemoryFigures.measure(report, series: 100_000, samples: 3, scratch: scratch.scratch)
        try SelectFigures.measure(report, series: 100_000, samples: 360, runs: 5, scratch: scratch.scratch)
        try RecoveryFigures.measure(report, series: recoverySeries, minutes: recoveryMinutes, intervalSeconds: 15,
                                    batch: 10_000, scratch: scratch.scratch)
        try RecoveryFigures.measure(report, series: recoverySeries, minutes: recoveryMinutes, intervalSeconds: 15,
                                    batch: 10_000, scratch: scratch.scratch, backgroundMaintenance: true)
        report.printTable(title: "Summary")
    }
}
