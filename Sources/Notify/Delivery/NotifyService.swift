import Foundation
import Template

/// The built-in Alertmanager assembled from files: alertmanager.yml, its templates and the
/// SQLite state under a data directory. What `vigil run` and the restart tests start.
public enum NotifyService {
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads the config (errors carry file:line:col), the templates and the state in
    /// `<dataDirectory>/notify.db`, and builds a dispatcher that restores the active alerts.
    public static func make(
        configFile: String, dataDirectory: String, clock: NotifyClock = SystemClock(),
        options: NotifierOptions = NotifierOptions(), sender: HTTPSender = HTTPSender()
    ) throws -> Dispatcher {
        let config: AlertmanagerConfig
        do {
            config = try ConfigLoader.load(file: configFile)
        } catch {
            throw LoadError(description: error.description)
        }
        let templates: TemplateSet
        do {
            templates = try TemplateLoader.load(globs: config.templates, baseDirectory: config.baseDirectory)
        } catch {
            throw LoadError(description: "\(configFile): failed to parse templates: \(error)")
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let store = try NotifyStore(path: (dataDirectory as NSString).appendingPathComponent("notify.db"))
        return try Dispatcher(config: config, templates: templates, store: store, sender: sender, clock: clock, options: options)
    }
}
