import Foundation
import Template

/// Alertmanager's `template.FromGlobs`: the default templates, then every file the
/// `templates:` globs match, in order, into one set.
public enum TemplateLoader {
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func load(
        globs: [String], baseDirectory: String, functions: FunctionRegistry = .alertmanager
    ) throws -> TemplateSet {
        var set = TemplateSet(functions: functions)
        do {
            try set.parse(AlertmanagerDefaultTemplates.text, name: AlertmanagerDefaultTemplates.name)
        } catch {
            throw LoadError(description: error.message)
        }
        for g in globs {
            let pattern = g.hasPrefix("/") ? g : (baseDirectory as NSString).appendingPathComponent(g)
            for path in glob(pattern) {
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                do {
                    try set.parse(String(decoding: data, as: UTF8.self), name: (path as NSString).lastPathComponent)
                } catch {
                    throw LoadError(description: error.message)
                }
            }
        }
        return set
    }

    /// Files matching a shell glob, sorted as Go's filepath.Glob returns them.
    static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Foundation.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }
}
