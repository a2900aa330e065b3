import RE2
import TSDB

/// A label set being relabelled: a small array of name/value pairs, unsorted while steps run
/// (a step sees the result of the previous ones, as with Prometheus's label builder).
public struct LabelBuilder: Sendable {
    public var pairs: [(name: String, value: String)]

    public init(_ pairs: [(String, String)] = []) { self.pairs = pairs.map { (name: $0.0, value: $0.1) } }
    public init(_ labels: Labels) { pairs = labels.map { (name: $0.name, value: $0.value) } }

    public func get(_ name: String) -> String {
        for p in pairs where p.name == name { return p.value }
        return ""
    }

    /// Sets a label; an empty value removes it.
    public mutating func set(_ name: String, _ value: String) {
        if value.isEmpty { return del(name) }
        if let i = pairs.firstIndex(where: { $0.name == name }) {
            pairs[i].value = value
        } else {
            pairs.append((name, value))
        }
    }

    public mutating func del(_ name: String) { pairs.removeAll { $0.name == name } }

    /// The sorted, validated label set (empty values dropped).
    public func labels() throws(LabelError) -> Labels {
        try Labels(pairs.map { Label($0.name, $0.value) })
    }
}

/// Prometheus 2.42's relabelling (`relabel.Process`).
public enum Relabeler {
    /// Applies `configs` in order; false when a `keep`/`drop`-style step drops the set.
    public static func process(_ lb: inout LabelBuilder, _ configs: [RelabelConfig]) -> Bool {
        for c in configs where !step(&lb, c) { return false }
        return true
    }

    static func step(_ lb: inout LabelBuilder, _ c: RelabelConfig) -> Bool {
        var val = ""
        for (i, name) in c.sourceLabels.enumerated() {
            if i > 0 { val += c.separator }
            val += lb.get(name)
        }
        switch c.action {
        case .drop:
            if c.regex.matches(val) { return false }
        case .keep:
            if !c.regex.matches(val) { return false }
        case .dropequal:
            if lb.get(c.targetLabel) == val { return false }
        case .keepequal:
            if lb.get(c.targetLabel) != val { return false }
        case .replace:
            guard let groups = c.regex.match(val) else { break }
            let target = expand(c.targetLabel, groups, c.regex)
            guard Labels.isValidName(target) else { break }
            let res = expand(c.replacement, groups, c.regex)
            if res.isEmpty { lb.del(target) } else { lb.set(target, res) }
        case .lowercase:
            lb.set(c.targetLabel, val.lowercased())
        case .uppercase:
            lb.set(c.targetLabel, val.uppercased())
        case .hashmod:
            let mod = MD5.prometheusSum64(Array(val.utf8)) % c.modulus
            lb.set(c.targetLabel, String(mod))
        case .labelmap:
            for p in lb.pairs {
                guard let groups = c.regex.match(p.name) else { continue }
                lb.set(expand(c.replacement, groups, c.regex), p.value)
            }
        case .labeldrop:
            lb.pairs.removeAll { c.regex.matches($0.name) }
        case .labelkeep:
            lb.pairs.removeAll { !c.regex.matches($0.name) }
        }
        return true
    }

    /// Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` and `$$`; a name is the longest
    /// run of letters, digits and `_` (so `$1x` means the group named `1x`); unknown groups
    /// expand to nothing; a malformed `$` stays as it is.
    public static func expand(_ template: String, _ groups: [Substring?], _ regex: PromRegex) -> String {
        guard template.utf8.contains(0x24) else { return template }
        var out = ""
        let t = Array(template.unicodeScalars)
        var i = 0
        func isWord(_ u: Unicode.Scalar) -> Bool {
            u == "_" || u.properties.isAlphabetic || u.properties.numericType == .decimal
        }
        while i < t.count {
            let u = t[i]
            guard u == "$" else { out.unicodeScalars.append(u); i += 1; continue }
            i += 1
            if i < t.count && t[i] == "$" { out += "$"; i += 1; continue }
            var j = i
            let brace = j < t.count && t[j] == "{"
            if brace { j += 1 }
            let nameStart = j
            while j < t.count && isWord(t[j]) { j += 1 }
            if j == nameStart || (brace && (j >= t.count || t[j] != "}")) {
                out += "$"
                continue
            }
            var name = String.UnicodeScalarView()
            name.append(contentsOf: t[nameStart..<j])
            let nameString = String(name)
            i = brace ? j + 1 : j
            var num = -1
            if let n = Int(nameString), n < 100_000_000, !(nameString.hasPrefix("0") && nameString.count > 1),
               nameString.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                num = n
            }
            if num >= 0 {
                if num < groups.count, let g = groups[num] { out += g }
            } else if let idx = regex.groupNames[nameString], idx < groups.count, let g = groups[idx] {
                out += g
            }
        }
        return out
    }
}
