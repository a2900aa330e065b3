import ArgumentParser
import Foundation
import Rules

/// `vigil test ...`: promtool's `test` commands.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Unit testing.",
        subcommands: [TestRulesCommand.self]
    )
}

/// `vigil test rules FILE...`: `promtool test rules`, same file format, output and exit codes.
struct TestRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Unit tests for rules (the file format of `promtool test rules`)."
    )

    @Argument(help: "The unit test file(s).")
    var testRuleFiles: [String]

    func run() throws {
        let code = RuleUnitTests.run(
            files: testRuleFiles,
            stdout: { s in FileHandle.standardOutput.write(Data(s.utf8)) },
            stderr: { s in FileHandle.standardError.write(Data(s.utf8)) }
        )
        if code != 0 { throw ExitCode(code) }
    }
}
