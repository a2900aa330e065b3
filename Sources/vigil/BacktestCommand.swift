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

    @OptionGroup var replay: ReplayArguments

    @Option(name: .customLong("for"), help: "Compare 'for' values: replay once per value (e.g. 1m,5m,10m).")
    var forValues: String?

    @Option(name: .customLong("format"), help: "text or json.")
    var format = "text"

    @Option(name: .customLong("alertmanager.config"), help: "Also list the notifications this alertmanager.yml would have sent (nothing is sent).")
    var alertmanagerConfig: String?

    @Option(name: .customLong("web.external-url"), help: "The external URL used in links of replayed notifications.")
    var externalURL = "http://localhost:9090"

    func run() async throws {
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
        var (options, interval, parsed) = try replay.resolve()
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
