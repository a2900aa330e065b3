import ArgumentParser
import Foundation
import Ingest
import Notify
import Rules

/// `vigil check config FILE...`: `promtool check config`: the config (Ingest) and then the
/// rule files it names (Rules), same output and exit codes; an alertmanager.yml is checked
/// as `amtool check-config` checks it (Notify).
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check if the config files are valid or not."
    )

    @Flag(name: .customLong("syntax-only"), help: "Only check the config file syntax, ignoring file and content validation referenced in the config")
    var syntaxOnly = false

    @Option(name: .long, help: "Linting checks to apply to the rules specified in the config. Available options are: all, duplicate-rules, none. Use --lint=none to disable linting")
    var lint = "duplicate-rules"

    @Flag(name: .customLong("lint-fatal"), help: "Make lint errors exit with exit code 3.")
    var lintFatal = false

    @Argument(help: "The config files to check.")
    var configFiles: [String] = []

    func run() throws {
        let out: (String) -> Void = { s in FileHandle.standardOutput.write(Data(s.utf8)) }
        let err: (String) -> Void = { s in FileHandle.standardError.write(Data(s.utf8)) }
        if configFiles.isEmpty {
            err("vigil: error: required argument 'config-files' not provided, try --help\n")
            throw ExitCode(1)
        }
        for f in configFiles where !FileManager.default.fileExists(atPath: f) {
            err("vigil: error: path '\(f)' does not exist, try --help\n")
            throw ExitCode(1)
        }
        let settings = CheckRules.LintSettings.parse(lint, fatal: lintFatal, warn: out)
        var failed = false, lintProblem = false
        for f in configFiles {
            // An alertmanager.yml is checked as `amtool check-config` checks it.
            if let text = try? String(contentsOfFile: f, encoding: .utf8), ConfigLoader.looksLikeAlertmanagerConfig(text) {
                let r = Notify.CheckConfig.run(files: [f], program: "vigil")
                out(r.output)
                err(r.errorOutput)
                if r.exitCode != 0 { failed = true }
                continue
            }
            let outcome = Ingest.CheckConfig.check(file: f, syntaxOnly: syntaxOnly, stdout: out, stderr: err)
            if !outcome.ok { failed = true; continue }
            // promtool's checkConfig: like `check rules`, but errors indented by five spaces.
            for rf in outcome.ruleFiles {
                out("Checking \(rf)\n")
                switch CheckRules.check(file: rf, lint: settings) {
                case .success(let n):
                    out("  SUCCESS: \(n) rules found\n")
                case .failure(let problem):
                    err("  FAILED:\n")
                    for e in problem.errors { err("     \(e)\n") }
                    if problem.lintOnly { lintProblem = true } else { failed = true }
                }
                out("\n")
            }
        }
        if failed { throw ExitCode(1) }
        if lintProblem && settings.fatal { throw ExitCode(3) }
    }
}
