import ArgumentParser
import Foundation
import Logging
import Rules
import TSDB

/// `vigil backfill rules FILE...`: writes recording rules' output over history into the store.
struct BackfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Materialize rules over stored history.",
        subcommands: [BackfillRulesCommand.self]
    )
}

struct BackfillRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Evaluate recording rules over a past range and store their output (groups see their earlier rules' output)."
    )

    @Option(name: .customLong("storage.tsdb.path"), help: "Directory of the database (not while vigil run uses it).")
    var storagePath = "data"

    @OptionGroup var replay: ReplayArguments

    func run() throws {
        let (options, interval, parsed) = try replay.resolve()
        var logger = Logger(label: "vigil.tsdb")
        logger.logLevel = .warning
        let db = try TSDB.open(directory: storagePath, logger: logger)
        defer { try? db.close() }
        let o = try Backfill.run(parsed, into: db, options: options, defaultInterval: interval)
        for e in o.errors { print("rule \(e.rule) failed at \(e.time): \(e.message)") }
        print("backfilled \(o.series) series, \(o.appended) samples (\(o.rejected) refused: newer samples already stored), \(o.evaluations) group evaluations")
    }
}


/// What backtest and backfill both take: the range, the default interval and the rule files.
struct ReplayArguments: ParsableArguments {
    @Option(name: .customLong("from"), help: "Start of the range (RFC3339 or unix seconds).")
    var from: String

    @Option(name: .customLong("to"), help: "End of the range (RFC3339 or unix seconds); default now.")
    var to: String?

    @Option(name: .customLong("evaluation-interval"), help: "Interval of groups that set none.")
    var evaluationInterval = "1m"

    @Argument(help: "Rule files.")
    var files: [String]

    /// The range as options, the default interval (ms) and the parsed files; a file that does
    /// not parse prints its errors and exits 1.
    func resolve() throws -> (Backtest.Options, Int64, [(RuleFile, String)]) {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let options = Backtest.Options(from: try QueryCommand.parseTime(from, flag: "--from"),
                                       to: try to.map { try QueryCommand.parseTime($0, flag: "--to") } ?? now)
        guard options.to >= options.from else { throw ValidationError("--to must not be before --from") }
        let interval = try QueryCommand.parseDuration(evaluationInterval, flag: "--evaluation-interval")
        var parsed: [(RuleFile, String)] = []
        for f in files {
            switch RuleFile.parseFile(f) {
            case .success(let rf): parsed.append((rf, f))
            case .failure(let e):
                FileHandle.standardError.write(Data("\(e)\n".utf8))
                throw ExitCode(1)
            }
        }
        return (options, interval, parsed)
    }
}
