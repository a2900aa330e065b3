import ArgumentParser

/// The `vigil` command: Prometheus, promtool, Alertmanager and amtool in one binary.
@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A single-node metrics and alerting system: Prometheus + Alertmanager in one binary.",
        version: VigilVersion.string,
        subcommands: [RunCommand.self, TestCommand.self, QueryCommand.self, CheckCommand.self, BacktestCommand.self, BackfillCommand.self, NotifyCommand.self, TemplateCommand.self, ImportCommand.self]
    )
}

enum VigilVersion {
    static let string = "vigil 0.1.0 (storage engine preview)"
}
