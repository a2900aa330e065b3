import Yams

/// go-yaml reports a repeated key where it decodes the mapping (`field x already set in
/// type config.plain`, `key "x" already set in map`), together with the other type errors;
/// Yams refuses the whole document. Each repeat is renamed to a placeholder in the text and
/// the document composed again; the reader reports placeholders as go-yaml would.
enum DuplicateKeys {
    static let prefix = "__vigil_repeated_key_"

    /// Composes `text`, returning the root and the placeholder → key map.
    static func compose(_ text: String) throws -> (Node?, [String: String]) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var originals: [String: String] = [:]
        for attempt in 0..<1000 {
            do {
                return (try Yams.compose(yaml: attempt == 0 ? text : lines.joined(separator: "\n")), originals)
            } catch let YamlError.duplicatedKeysInMapping(keys, context) {
                guard let key = keys.first, let (line, range) = secondOccurrence(of: key, after: context.mark, in: lines) else {
                    throw YamlError.duplicatedKeysInMapping(duplicates: keys, context: context)
                }
                let placeholder = prefix + "\(attempt)__"
                originals[placeholder] = key
                var scalars = Array(lines[line].unicodeScalars)
                scalars.replaceSubrange(range, with: placeholder.unicodeScalars)
                lines[line] = String(String.UnicodeScalarView(scalars))
            }
        }
        return (try Yams.compose(yaml: lines.joined(separator: "\n")), originals)
    }

    /// The 0-based line and scalar range of the next `key:` at the column of the first one.
    static func secondOccurrence(of key: String, after mark: Mark, in lines: [String]) -> (Int, Range<Int>)? {
        let indent = mark.column - 1
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        for i in mark.line..<lines.count {
            let l = Array(lines[i].unicodeScalars)
            guard l.count > indent, l[..<indent].allSatisfy({ $0 == " " || $0 == "-" }) else { continue }
            let rest = String(String.UnicodeScalarView(l[indent...]))
            for written in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(written + ":") {
                return (i, indent..<(indent + written.unicodeScalars.count))
            }
        }
        return nil
    }
}
