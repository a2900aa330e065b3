import ArgumentParser
import Foundation
import Rules

/// `vigil check ...`: promtool's `check` commands.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the resources for validity.",
        subcommands: [CheckConfigCommand.self, CheckRulesCommand.self]
    )
}

/// `vigil check rules FILE...`: `promtool check rules`, same validation, output and exit codes.
struct CheckRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check if the rule files are valid or not."
    )

    @Option(name: .long, help: "Linting checks to apply. Available options are: all, duplicate-rules, none. Use --lint=none to disable linting")
    var lint = "duplicate-rules"

    @Flag(name: .customLong("lint-fatal"), help: "Make lint errors exit with exit code 3.")
    var lintFatal = false

    @Argument(help: "The rule files to check.")
    var ruleFiles: [String] = []

    func run() throws {
        let out: (String) -> Void = { s in FileHandle.standardOutput.write(Data(s.utf8)) }
        let err: (String) -> Void = { s in FileHandle.standardError.write(Data(s.utf8)) }
        // promtool (kingpin) reports a missing or absent path itself, with exit code 1.
        if ruleFiles.isEmpty {
            err("vigil: error: required argument 'rule-files' not provided, try --help\n")
            throw ExitCode(1)
        }
        for f in ruleFiles where !FileManager.default.fileExists(atPath: f) {
            err("vigil: error: path '\(f)' does not exist, try --help\n")
            throw ExitCode(1)
        }
        let settings = CheckRules.LintSettings.parse(lint, fatal: lintFatal, warn: out)
        let code = CheckRules.run(files: ruleFiles, lint: settings, stdout: out, stderr: err)
        if code != 0 { throw ExitCode(code) }
    }
}
