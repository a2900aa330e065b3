import ArgumentParser
import Foundation
import Notify
import Template

/// `vigil notify test RECEIVER`: sends a test notification through a receiver of
/// alertmanager.yml, without waiting for a real incident.
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Notification tools.",
        subcommands: [NotifyTestCommand.self]
    )
}

struct NotifyTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a test notification (sample alerts) through one receiver."
    )

    @Option(name: .customLong("alertmanager.config"), help: "The alertmanager.yml.")
    var configFile = "alertmanager.yml"

    @Option(name: .customLong("web.external-url"), help: "The external URL used in links.")
    var externalURL = "http://localhost:9090"

    @Argument(help: "The receiver's name.")
    var receiver: String

    func run() async throws {
        let config: AlertmanagerConfig
        do { config = try ConfigLoader.load(file: configFile) } catch {
            FileHandle.standardError.write(Data("vigil: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let templates: TemplateSet
        do { templates = try TemplateLoader.load(globs: config.templates, baseDirectory: config.baseDirectory) } catch {
            FileHandle.standardError.write(Data("vigil: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let r = await ReceiverTest.run(receiver: receiver, config: config, templates: templates, sender: HTTPSender(),
                                       store: nil, options: NotifierOptions(externalURL: externalURL))
        FileHandle.standardOutput.write(Data(r.output.utf8))
        if r.exitCode != 0 { throw ExitCode(r.exitCode) }
    }
}

/// `vigil template render TEXT`: a notification template executed with sample alerts.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Template tools.",
        subcommands: [TemplateRenderCommand.self]
    )
}

struct TemplateRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a notification template (e.g. '{{ template \"slack.default.title\" . }}') with sample alerts."
    )

    @Option(name: .customLong("alertmanager.config"), help: "alertmanager.yml whose templates: files to load.")
    var configFile: String?

    @Option(name: .customLong("web.external-url"), help: "The external URL used in links.")
    var externalURL = "http://localhost:9090"

    @Argument(help: "The template text.")
    var text: String

    func run() throws {
        var config: AlertmanagerConfig?
        if let configFile {
            do { config = try ConfigLoader.load(file: configFile) } catch {
                FileHandle.standardError.write(Data("vigil: error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        let r = TemplateRender.render(text, config: config, externalURL: externalURL)
        if r.exitCode != 0 {
            FileHandle.standardError.write(Data(r.output.utf8))
            throw ExitCode(r.exitCode)
        }
        print(r.output)
    }
}
