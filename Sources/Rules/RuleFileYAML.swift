import TSDB
import Yams

/// Composing a rule file's YAML while keeping repeated mapping keys, so they can be reported
/// where go-yaml v3 reports them (when it decodes that mapping, together with the other
/// errors) instead of failing the whole document as Yams does.
///
/// Yams stops at the first repeated key; each repeat is renamed to a unique placeholder in the
/// text and the document composed again. `originals` maps placeholders back to the keys.
struct DuplicateTolerantYAML {
    var root: Node?
    var originals: [String: String] = [:]

    static func compose(_ text: String) throws -> DuplicateTolerantYAML {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result = DuplicateTolerantYAML()
        for attempt in 0..<1000 {
            do {
                var docs = try Yams.compose_all(yaml: attempt == 0 ? text : lines.joined(separator: "\n"))
                result.root = docs.next()
                if result.root == nil, let e = docs.error { throw e }
                return result
            } catch let YamlError.duplicatedKeysInMapping(keys, context) {
                guard let key = keys.first,
                      let (line, range) = secondOccurrence(of: key, after: context.mark, in: lines)
                else { throw YamlError.duplicatedKeysInMapping(duplicates: keys, context: context) }
                let placeholder = "__vigil_repeated_key_\(attempt)__"
                result.originals[placeholder] = key
                var scalars = Array(lines[line].unicodeScalars)
                scalars.replaceSubrange(range, with: placeholder.unicodeScalars)
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars)
                lines[line] = String(view)
            }
        }
        return result
    }

    /// The 0-based line and scalar range of the next `key:` at the same column as the first.
    private static func secondOccurrence(of key: String, after mark: Mark, in lines: [String]) -> (Int, Range<Int>)? {
        let indent = mark.column - 1
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        // A flow mapping: a later `key:` on the same line, after `,` or `{`.
        let first = Array(lines[mark.line - 1].unicodeScalars)
        var p = indent + key.unicodeScalars.count
        while p < first.count {
            var q = p
            if first[q] == "," || first[q] == "{" {
                q += 1
                while q < first.count, first[q] == " " { q += 1 }
                let rest = String(String.UnicodeScalarView(first[q...]))
                for written in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(written + ":") {
                    return (mark.line - 1, q..<(q + written.unicodeScalars.count))
                }
            }
            p += 1
        }
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

    /// The key as written in the original text.
    func keyText(_ k: Node) -> String? {
        guard case .scalar(let s) = k else { return nil }
        return originals[s.string] ?? s.string
    }

    /// go-yaml v3's check when it decodes a mapping: every later key equal to an earlier one.
    func repeatedKeyErrors(_ m: Node.Mapping) -> [String] {
        let keys = Array(m.keys)
        var out: [String] = []
        for i in keys.indices {
            guard let a = keyText(keys[i]) else { continue }
            for j in keys.indices where j > i {
                if keyText(keys[j]) == a {
                    out.append("line \(keys[j].mark?.line ?? 0): mapping key \(Labels.quote(a)) already defined at line \(keys[i].mark?.line ?? 0)")
                }
            }
        }
        return out
    }
}
