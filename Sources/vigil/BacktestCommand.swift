import ArgumentParser
import Foundation
import Logging
import PromQL
import Rules
import Server
import TSDB

/// `vigil backtest rules FILE...`: how rules would have behaved over stored history.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay rules over stored history.",
        subcommands: [BacktestRulesCommand.self]
    )
}

struct BacktestRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Replay rule files over stored history and report when each alert was pending and firing."
    )

    @Option(name: .customLong("storage.tsdb.path"), help: "Directory of the database (opened read-only).")
    var storagePath = "data"

    @Option(name: .customLong("from"), help: "Start of the replay (RFC3339 or unix seconds).")
    var from: String

    @Option(name: .customLong("to"), help: "End of the replay (RFC3339 or unix seconds); default now.")
    var to: String?

    @Option(name: .customLong("for"), help: "Compare 'for' values: replay once per value (e.g. 1m,5m,10m).")
    var forValues: String?

    @Option(name: .customLong("evaluation-interval"), help: "Interval of groups that set none.")
    var evaluationInterval = "1m"

    @Option(name: .customLong("format"), help: "text or json.")
    var format = "text"

    @Option(name: .customLong("alertmanager.config"), help: "Also list the notifications this alertmanager.yml would have sent (nothing is sent).")
    var alertmanagerConfig: String?

    @Option(name: .customLong("web.external-url"), help: "The external URL used in links of replayed notifications.")
    var externalURL = "http://localhost:9090"

    @Argument(help: "Rule files.")
    var files: [String]

    func run() async throws {
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        var options = Backtest.Options(from: try QueryCommand.parseTime(from, flag: "--from"),
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
        let holds: [Int64?] = try forValues.map { list in
            try list.split(separator: ",").map { try QueryCommand.parseDuration(String($0), flag: "--for") }
        } ?? [nil]
        var logger = Logger(label: "vigil.tsdb")
        logger.logLevel = .warning
        var storeOptions = TSDBOptions()
        storeOptions.readOnly = true
        storeOptions.backgroundMaintenance = false
        storeOptions.retentionMilliseconds = 0
        let db = try TSDB.open(directory: storagePath, options: storeOptions, logger: logger)
        defer { try? db.close() }
        var outputs: [String] = []
        options.captureNotifications = alertmanagerConfig != nil
        options.externalURL = externalURL
        for hold in holds {
            options.forOverride = hold
            let result = try Backtest.run(parsed, history: db, options: options, defaultInterval: interval)
            var text = format == "json" ? result.json : result.text
            if let am = alertmanagerConfig {
                let sent: [NotificationReplay.Notification]
                do {
                    sent = try await NotificationReplay.run(result.sentAlerts, alertmanagerConfig: am, from: options.from,
                                                            to: options.to, externalURL: externalURL)
                } catch {
                    FileHandle.standardError.write(Data("vigil: error: \(error)\n".utf8))
                    throw ExitCode(1)
                }
                text = format == "json" ? NotificationReplayFormat.json(sent, into: text) : text + NotificationReplayFormat.text(sent, file: am)
            }
            outputs.append(text)
        }
        print(format == "json" ? (holds.count == 1 ? outputs[0] : "[" + outputs.joined(separator: ",") + "]") : outputs.joined(separator: "\n"))
    }
}

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

    @Option(name: .customLong("from"), help: "Start (RFC3339 or unix seconds).")
    var from: String

    @Option(name: .customLong("to"), help: "End (RFC3339 or unix seconds); default now.")
    var to: String?

    @Option(name: .customLong("evaluation-interval"), help: "Interval of groups that set none.")
    var evaluationInterval = "1m"

    @Argument(help: "Rule files.")
    var files: [String]

    func run() throws {
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
        var logger = Logger(label: "vigil.tsdb")
        logger.logLevel = .warning
        let db = try TSDB.open(directory: storagePath, logger: logger)
        defer { try? db.close() }
        let o = try Backfill.run(parsed, into: db, options: options, defaultInterval: interval)
        for e in o.errors { print("rule \(e.rule) failed at \(e.time): \(e.message)") }
        print("backfilled \(o.series) series, \(o.appended) samples (\(o.rejected) refused: newer samples already stored), \(o.evaluations) group evaluations")
    }
}

/// The replayed notifications in the backtest report.
enum NotificationReplayFormat {
    static func text(_ list: [NotificationReplay.Notification], file: String) -> String {
        var out = "\nNotifications \(file) would have sent: \(list.count)\n"
        let f = ISO8601DateFormatter()
        for n in list {
            out += "  \(f.string(from: n.at))  \(n.receiver) (\(n.integration))  \(n.status.uppercased())  \(n.title)\n"
        }
        return out
    }

    static func json(_ list: [NotificationReplay.Notification], into report: String) -> String {
        let f = ISO8601DateFormatter()
        func q(_ s: String) -> String {
            String(data: try! JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed]), encoding: .utf8)!
                .dropFirst().dropLast().description
        }
        let items = list.map {
            "{\"at\":\(q(f.string(from: $0.at))),\"receiver\":\(q($0.receiver)),\"integration\":\(q($0.integration)),\"status\":\(q($0.status)),\"firing\":\($0.firing),\"resolved\":\($0.resolved),\"title\":\(q($0.title))}"
        }
        return String(report.dropLast()) + ",\"notifications\":[" + items.joined(separator: ",") + "]}"
    }
}
