import Foundation
import Synchronization

/// The regular expressions behind `match` and `reReplaceAll`.
///
/// Go uses RE2; this wraps Foundation's ICU engine behind one type (so it can later be
/// swapped for the project's RE2 engine) and papers over the differences templates meet:
/// `(?P<name>…)` groups, ASCII-only `\d \w \s`, `$` meaning end of text, Go's `$1`/`${name}`
/// replacement syntax, and Go's rule that an empty match right after a match is not replaced.
/// Compiled patterns are cached, so a template evaluated per alert compiles each pattern once.
final class TemplateRegex: @unchecked Sendable {
    private let regex: NSRegularExpression
    private let groupNames: [String: Int]

    private static let cache = Mutex<[String: TemplateRegex]>([:])

    private init(regex: NSRegularExpression, groupNames: [String: Int]) {
        self.regex = regex
        self.groupNames = groupNames
    }

    static func compile(_ pattern: String) throws -> TemplateRegex {
        if let cached = cache.withLock({ $0[pattern] }) { return cached }
        var (translated, names) = translate(pattern)
        if translated.isEmpty { translated = "(?:)" }
        let re: NSRegularExpression
        do {
            re = try NSRegularExpression(pattern: translated, options: [])
        } catch {
            throw TemplateFunctionError("error parsing regexp: invalid regular expression: `\(pattern)`")
        }
        let compiled = TemplateRegex(regex: re, groupNames: names)
        cache.withLock { c in
            if c.count > 512 { c.removeAll() }
            c[pattern] = compiled
        }
        return compiled
    }

    /// Go's regexp.MatchString: is there a match anywhere?
    func matches(_ s: String) -> Bool {
        let ns = s as NSString
        return regex.firstMatch(in: s, options: [], range: NSRange(location: 0, length: ns.length)) != nil
    }

    /// Go's Regexp.ReplaceAllString.
    func replaceAll(_ s: String, with template: String) -> String {
        let ns = s as NSString
        let end = ns.length
        var out = ""
        var lastMatchEnd = 0
        var searchPos = 0
        let options: NSRegularExpression.MatchingOptions = [.withoutAnchoringBounds, .withTransparentBounds]
        while searchPos <= end {
            guard
                let m = regex.firstMatch(
                    in: s, options: options, range: NSRange(location: searchPos, length: end - searchPos))
            else { break }
            let start = m.range.location
            let stop = m.range.location + m.range.length
            out += ns.substring(with: NSRange(location: lastMatchEnd, length: start - lastMatchEnd))
            if stop > lastMatchEnd || start == 0 { expand(template, m, ns, into: &out) }
            lastMatchEnd = stop
            var width = 1
            if searchPos < end, UTF16.isLeadSurrogate(ns.character(at: searchPos)) { width = 2 }
            if searchPos + width > stop {
                searchPos += width
            } else if searchPos + 1 > stop {
                searchPos += 1
            } else {
                searchPos = stop
            }
        }
        out += ns.substring(from: min(lastMatchEnd, end))
        return out
    }

    /// Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; a name is the longest run
    /// of letters, digits and underscores, so `$1x` names group "1x".
    private func expand(_ template: String, _ m: NSTextCheckingResult, _ src: NSString, into out: inout String) {
        let t = Array(template.unicodeScalars)
        var i = 0
        func group(_ n: Int) -> String {
            guard n < m.numberOfRanges else { return "" }
            let r = m.range(at: n)
            return r.location == NSNotFound ? "" : src.substring(with: r)
        }
        while i < t.count {
            let c = t[i]
            if c != "$" {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            i += 1
            if i < t.count && t[i] == "$" {
                out += "$"
                i += 1
                continue
            }
            var j = i
            let brace = j < t.count && t[j] == "{"
            if brace { j += 1 }
            let nameStart = j
            while j < t.count && (UnicodeClass.isLetter(t[j]) || UnicodeClass.isDigit(t[j]) || t[j] == "_") { j += 1 }
            if j == nameStart || (brace && (j >= t.count || t[j] != "}")) {
                out += "$"
                continue
            }
            let name = String(String.UnicodeScalarView(t[nameStart..<j]))
            i = brace ? j + 1 : j
            let isNumber = name.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && !(name.hasPrefix("0") && name.count > 1)
            if isNumber, name.count < 9, let n = Int(name) {
                out += group(n)
            } else if let n = groupNames[name] {
                out += group(n)
            }
        }
    }

    /// RE2 syntax to ICU syntax, and the capture-group numbers of named groups.
    private static func translate(_ pattern: String) -> (String, [String: Int]) {
        let p = Array(pattern.unicodeScalars)
        var out = ""
        var names: [String: Int] = [:]
        var group = 0
        var inClass = false
        let multiline = pattern.range(of: #"\(\?[a-zA-Z]*m"#, options: .regularExpression) != nil
        var i = 0
        while i < p.count {
            let c = p[i]
            if c == "\\" && i + 1 < p.count {
                let n = p[i + 1]
                switch n {
                case "d": out += inClass ? "0-9" : "[0-9]"
                case "w": out += inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"
                case "s": out += inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]"
                case "D" where !inClass: out += "[^0-9]"
                case "W" where !inClass: out += "[^0-9A-Za-z_]"
                case "S" where !inClass: out += "[^\\t\\n\\f\\r ]"
                default:
                    out.unicodeScalars.append(c)
                    out.unicodeScalars.append(n)
                }
                i += 2
                continue
            }
            if inClass {
                if c == "[" && i + 1 < p.count && p[i + 1] == ":" {
                    // POSIX class [:alpha:] — copy through to the closing ":]".
                    var j = i + 2
                    while j + 1 < p.count && !(p[j] == ":" && p[j + 1] == "]") { j += 1 }
                    out += String(String.UnicodeScalarView(p[i..<min(j + 2, p.count)]))
                    i = j + 2
                    continue
                }
                if c == "]" { inClass = false }
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            switch c {
            case "[":
                inClass = true
                out += "["
                i += 1
                // A leading ] (or ^]) is a literal in both syntaxes.
                if i < p.count && p[i] == "^" {
                    out += "^"
                    i += 1
                }
                if i < p.count && p[i] == "]" {
                    out += "\\]"
                    i += 1
                }
                continue
            case "(":
                if i + 1 < p.count && p[i + 1] == "?" {
                    if i + 2 < p.count && (p[i + 2] == "P" || p[i + 2] == "<") {
                        let nameStart = p[i + 2] == "P" ? i + 4 : i + 3
                        var j = nameStart
                        while j < p.count && p[j] != ">" { j += 1 }
                        group += 1
                        names[String(String.UnicodeScalarView(p[nameStart..<min(j, p.count)]))] = group
                        // ICU restricts group names; groups are looked up by number instead.
                        out += "("
                        i = j + 1
                        continue
                    }
                } else {
                    group += 1
                }
                out += "("
            case "$":
                out += multiline ? "$" : "\\z"
            default:
                out.unicodeScalars.append(c)
            }
            i += 1
        }
        return (out, names)
    }
}
