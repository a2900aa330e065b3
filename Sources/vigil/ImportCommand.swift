import ArgumentParser
import Foundation
import Ingest
import Logging
import TSDB

/// `vigil import openmetrics FILE --storage.tsdb.path DIR`: bulk import of history, like
/// `promtool tsdb create-blocks-from openmetrics`, streaming (the file is never read whole).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import samples with timestamps into the database.",
        subcommands: [ImportOpenMetricsCommand.self, ImportPrometheusTextCommand.self]
    )
}

struct ImportOptions: ParsableArguments {
    @Argument(help: "The input file (- for standard input).")
    var file: String

    @Option(name: .customLong("storage.tsdb.path"), help: "Directory of the database.")
    var storagePath = "data"

    func run(format: ExpositionFormat) throws {
        var logger = Logger(label: "vigil.import")
        logger.logLevel = .warning
        var options = TSDBOptions()
        options.backgroundMaintenance = false
        let db = try TSDB.open(directory: storagePath, options: options, logger: logger)
        let importer = BulkImporter(db: db, format: format)
        let err: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
        let s: ImportSummary
        do {
            s = try importer.importFile(file)
        } catch {
            try? db.close()
            err("import failed: \(error.message)\n")
            err("stored before the error: \(error.summary.appended) samples\n")
            throw ExitCode(1)
        }
        try db.close()
        print("imported \(s.appended) samples of \(s.samples) read (\(s.series) series in the database) into \(storagePath)")
        let rejected = s.outOfOrder + s.duplicate + s.outOfBounds
        if rejected > 0 {
            print("skipped \(rejected): \(s.outOfOrder) out of order, \(s.duplicate) duplicate, \(s.outOfBounds) out of bounds")
        }
    }
}

struct ImportOpenMetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openmetrics",
        abstract: "Import an OpenMetrics file (timestamps in seconds, ending with # EOF)."
    )
    @OptionGroup var options: ImportOptions
    func run() throws { try options.run(format: .openMetrics) }
}

struct ImportPrometheusTextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prometheus",
        abstract: "Import a Prometheus text format 0.0.4 file (timestamps in milliseconds)."
    )
    @OptionGroup var options: ImportOptions
    func run() throws { try options.run(format: .prometheusText) }
}
