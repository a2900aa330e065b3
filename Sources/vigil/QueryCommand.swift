import ArgumentParser
import Foundation
import Logging
import PromQL
import TSDB

/// `vigil query`: evaluates a PromQL expression against a database directory, like
/// `promtool query instant|range` does against a server.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Evaluate a PromQL expression (instant, or range with --start/--end/--step)."
    )

    @Option(name: .customLong("storage.tsdb.path"), help: "Directory of the database.")
    var storagePath = "data"

    @Option(name: .customLong("time"), help: "Evaluation time (RFC3339 or unix seconds); default now.")
    var time: String?

    @Option(name: .customLong("start"), help: "Range query start (RFC3339 or unix seconds).")
    var start: String?

    @Option(name: .customLong("end"), help: "Range query end (RFC3339 or unix seconds); default now.")
    var end: String?

    @Option(name: .customLong("step"), help: "Range query step (duration like 15s, or seconds).")
    var step: String?

    @Option(name: .customLong("format"), help: "text or json.")
    var format = "text"

    @Option(name: .customLong("query.lookback-delta"), help: "Lookback of instant selectors.")
    var lookback = "5m"

    @Option(name: .customLong("query.timeout"), help: "Maximum time a query may take.")
    var timeout = "2m"

    @Option(name: .customLong("query.max-samples"), help: "Maximum samples a query may hold in memory.")
    var maxSamples = 50_000_000

    @Argument(help: "The PromQL expression.")
    var expr: String

    func validate() throws {
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
        if time != nil && (start != nil || end != nil || step != nil) {
            throw ValidationError("--time cannot be combined with --start/--end/--step")
        }
    }

    /// Seconds to milliseconds, refusing what does not fit (or is not a number).
    static func milliseconds(_ secs: Double, _ s: String, flag: String) throws -> Int64 {
        let ms = (secs * 1000).rounded()
        guard ms.isFinite, Swift.abs(ms) < 9.2e18 else {
            throw ValidationError("\(flag): \(Labels.quote(s)) is out of range")
        }
        return Int64(ms)
    }

    static func parseTime(_ s: String, flag: String) throws -> Int64 {
        if let secs = Double(s) { return try milliseconds(secs, s, flag: flag) }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
        throw ValidationError("\(flag): cannot parse \(Labels.quote(s)) as RFC3339 or unix seconds")
    }

    static func parseDuration(_ s: String, flag: String) throws -> Int64 {
        if let secs = Double(s) { return try milliseconds(secs, s, flag: flag) }
        do { return try PromQLDuration.parse(s) } catch {
            throw ValidationError("\(flag): \(error)")
        }
    }

    func run() throws {
        var options = EngineOptions()
        options.lookbackDelta = try Self.parseDuration(lookback, flag: "--query.lookback-delta")
        options.timeout = .milliseconds(try Self.parseDuration(timeout, flag: "--query.timeout"))
        options.maxSamples = maxSamples
        let engine = Engine(options: options)
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        var logger = Logger(label: "vigil.tsdb")
        logger.logLevel = .warning
        var storeOptions = TSDBOptions()
        storeOptions.readOnly = true  // safe next to a running `vigil run` on the same directory
        storeOptions.backgroundMaintenance = false
        storeOptions.retentionMilliseconds = 0
        let db = try TSDB.open(directory: storagePath, options: storeOptions, logger: logger)
        defer { try? db.close() }
        let result: QueryResult
        do {
            if start != nil || end != nil || step != nil {
                let e = try end.map { try Self.parseTime($0, flag: "--end") } ?? now
                let s = try start.map { try Self.parseTime($0, flag: "--start") } ?? (e - 300_000)
                let st = try step.map { try Self.parseDuration($0, flag: "--step") } ?? Swift.max(1000, (e - s) / 250 / 1000 * 1000)
                result = try engine.rangeQuery(expr, start: s, end: e, step: st, storage: db)
            } else {
                let t = try time.map { try Self.parseTime($0, flag: "--time") } ?? now
                result = try engine.instantQuery(expr, at: t, storage: db)
            }
        } catch let e as QueryError {
            if format == "json" {
                print(QueryResultJSON.encode(e))
            } else {
                // As promtool prints API errors; parse errors are about the "query" parameter.
                let isParse = e.kind == .badData && e.message.contains("parse error")
                let text = isParse ? "invalid parameter \"query\": \(e.message)" : e.message
                FileHandle.standardError.write(Data("query error: \(e.errorType): \(text)\n".utf8))
            }
            throw ExitCode(1)
        }
        if format == "json" {
            print(QueryResultJSON.encode(result))
        } else {
            let text = QueryResultText.format(result)
            if !text.isEmpty { print(text) }
        }
    }
}
