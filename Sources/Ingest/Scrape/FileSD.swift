import Foundation
import Yams

/// Reading `file_sd_configs` files: a list of `{targets: [...], labels: {...}}` in JSON
/// (`.json`) or YAML, as Prometheus's file discovery reads them.
public enum FileSD {
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    /// The target groups in `file`; each group's source is `file:index`.
    public static func read(file: String) throws(FileError) -> [TargetGroup] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw FileError(file: file, message: "open \(file): no such file or directory")
        }
        return try parse(data, file: file)
    }

    public static func parse(_ data: Data, file: String) throws(FileError) -> [TargetGroup] {
        let lower = file.lowercased()
        let raw: Any?
        if lower.hasSuffix(".json") {
            do { raw = try JSONSerialization.jsonObject(with: data) } catch {
                throw FileError(file: file, message: "invalid JSON: \(error.localizedDescription)")
            }
        } else {
            do { raw = try Yams.load(yaml: String(decoding: data, as: UTF8.self)) } catch {
                throw FileError(file: file, message: "invalid YAML: \(error)")
            }
        }
        if raw == nil || raw is NSNull { return [] }
        guard let list = raw as? [Any] else { throw FileError(file: file, message: "expected a list of target groups") }
        var groups: [TargetGroup] = []
        for (i, item) in list.enumerated() {
            guard let m = item as? [String: Any] else { throw FileError(file: file, message: "group \(i): expected a mapping") }
            for k in m.keys where k != "targets" && k != "labels" {
                throw FileError(file: file, message: "group \(i): field \(k) not found in type targetgroup")
            }
            var g = TargetGroup(source: "\(file):\(i)")
            if let t = m["targets"] {
                guard let ts = t as? [Any] else { throw FileError(file: file, message: "group \(i): targets must be a list") }
                g.targets = ts.map { "\($0)" }
            }
            if let l = m["labels"], !(l is NSNull) {
                guard let ls = l as? [String: Any] else { throw FileError(file: file, message: "group \(i): labels must be a mapping") }
                for (k, v) in ls.sorted(by: { $0.key < $1.key }) {
                    guard isLabelName(k) else { throw FileError(file: file, message: "\(goQuote(k)) is not a valid label name") }
                    g.labels.append((k, "\(v)"))
                }
            }
            groups.append(g)
        }
        return groups
    }

    static func isLabelName(_ s: String) -> Bool {
        var first = true
        for c in s.utf8 {
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || (!first && c >= 0x30 && c <= 0x39)
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Go's `filepath.Glob`: sorted matches; a pattern without metacharacters matches itself
    /// when the file exists.
    public static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out
    }
}
