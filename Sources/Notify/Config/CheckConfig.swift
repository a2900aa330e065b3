import Foundation

/// `amtool check-config` for alertmanager.yml: the same text, the same exit codes, plus the
/// warnings Vigil adds where a config will not do what it seems to say.
public enum CheckConfig {
    public struct Result: Sendable, Equatable {
        /// What amtool prints on stdout (plus Vigil's warning lines).
        public var output: String
        /// What amtool prints on stderr (`amtool: error: …`).
        public var errorOutput: String
        public var exitCode: Int32
    }

    /// Checks each file as amtool does; `program` names the tool in the stderr line.
    public static func run(files: [String], program: String = "amtool") -> Result {
        for f in files where !FileManager.default.fileExists(atPath: f) {
            return Result(output: "", errorOutput: "\(program): error: path '\(f)' does not exist\n", exitCode: 1)
        }
        var out = ""
        var failed = 0
        for f in files {
            out += "Checking '\(f)'"
            do {
                let cfg = try ConfigLoader.load(file: f)
                out += "  SUCCESS\n"
                out += "Found:\n - global config\n - route\n"
                out += " - \(cfg.inhibitRules.count) inhibit rules\n"
                out += " - \(cfg.receivers.count) receivers\n"
                out += " - \(cfg.templates.count) templates\n"
                if !cfg.templates.isEmpty {
                    do {
                        _ = try TemplateLoader.load(globs: cfg.templates, baseDirectory: cfg.baseDirectory)
                        out += "  SUCCESS\n"
                    } catch {
                        out += "  FAILED: \(error)\n"
                        failed += 1
                    }
                }
                for w in warnings(cfg) { out += "  WARNING: \(w)\n" }
            } catch {
                out += "  FAILED: \(error.message)\n"
                failed += 1
            }
            out += "\n"
        }
        if failed > 0 {
            return Result(output: out, errorOutput: "\(program): error: failed to validate \(failed) file(s)\n\n", exitCode: 1)
        }
        return Result(output: out, errorOutput: "", exitCode: 0)
    }

    /// Places where the config says one thing and Alertmanager 0.25 (and Vigil, which keeps
    /// its behaviour) does another.
    public static func warnings(_ cfg: AlertmanagerConfig) -> [String] {
        var out: [String] = []
        let tree = Route(cfg.route)
        tree.walk { r in
            let o = r.options
            if o.repeatInterval < o.groupInterval {
                let ticks = "notifications repeat only on group_interval ticks, so every \(o.groupInterval)"
                out.append(
                    "route at line \(r.position.line) (receiver \(GoQuote.quote(o.receiver))): repeat_interval \(o.repeatInterval) "
                        + "is shorter than group_interval \(o.groupInterval); \(ticks), not every \(o.repeatInterval)")
            }
        }
        for rc in cfg.receivers where !rc.unsupportedIntegrations.isEmpty {
            out.append("receiver \(GoQuote.quote(rc.name)): \(rc.unsupportedIntegrations.joined(separator: ", ")) notifications are not sent by Vigil")
        }
        return out
    }
}
