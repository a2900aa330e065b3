import TSDB

/// Label changes applied to each sample of a rule's result (set `__name__`, the rule's
/// labels, `alertname`...). They are merged into the sample's sorted labels in one pass, so
/// an output costs one new array instead of one per changed label.
struct LabelOverrides: Sendable {
    /// Sorted by name, one per name (the last written wins); an empty value removes the label.
    private let changes: [Label]

    init(_ list: [(String, String)]) {
        var byName: [String: String] = [:]
        for (n, v) in list { byName[n] = v }
        changes = byName.map { Label($0.key, $0.value) }.sorted { $0.name.utf8Precedes($1.name) }
    }

    func apply(to l: Labels) -> Labels {
        var out: [Label] = []
        out.reserveCapacity(l.count + changes.count)
        var i = l.startIndex, j = 0
        while i < l.endIndex || j < changes.count {
            if j == changes.count || (i < l.endIndex && l[i].name.utf8Precedes(changes[j].name)) {
                out.append(l[i])
                i += 1
                continue
            }
            if i < l.endIndex && l[i].name.utf8Equals(changes[j].name) { i += 1 }
            if !changes[j].value.isEmpty { out.append(changes[j]) }
            j += 1
        }
        return Labels(sortedUnchecked: out)
    }
}
