/// One label: a name and a value. An empty value means "no such label", as in Prometheus.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (a: Label, b: Label) -> Bool {
        a.name.utf8Equals(b.name) ? a.value.utf8Precedes(b.value) : a.name.utf8Precedes(b.name)
    }
}

/// A series identity: labels sorted by name, names unique, no empty values.
///
/// Sorting and validation happen once, at construction, so equality and hashing are plain
/// array comparisons and every consumer (index, storage, API) can rely on the order.
public struct Labels: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    public private(set) var labels: [Label]

    public static let metricName = "__name__"
    public static let empty = Labels(sortedUnchecked: [])

    /// Builds a label set from pairs in any order, validating names; empty values are dropped.
    public init(_ pairs: [(String, String)]) throws(LabelError) {
        try self.init(pairs.map { Label($0.0, $0.1) })
    }

    /// Builds a label set from labels in any order, validating names; empty values are dropped.
    public init(_ labels: [Label]) throws(LabelError) {
        var ls = labels.filter { !$0.value.isEmpty }
        ls.sort()
        for i in ls.indices {
            guard Labels.isValidName(ls[i].name) else { throw .invalidName(ls[i].name) }
            if i > 0, ls[i - 1].name == ls[i].name { throw .duplicateName(ls[i].name) }
        }
        self.labels = ls
    }

    /// Wraps labels the caller guarantees are sorted, unique, valid and without empty values.
    public init(sortedUnchecked labels: [Label]) {
        self.labels = labels
    }

    public init(dictionaryLiteral pairs: [String: String]) throws(LabelError) {
        try self.init(pairs.map { Label($0.key, $0.value) })
    }

    public var startIndex: Int { labels.startIndex }
    public var endIndex: Int { labels.endIndex }
    public subscript(position: Int) -> Label { labels[position] }

    /// The value of label `name`, or nil when the series has no such label.
    public subscript(name: String) -> String? {
        // Label sets are small; a linear scan beats binary search below ~16 entries.
        for l in labels where l.name == name { return l.value }
        return nil
    }

    public var name: String? { self[Labels.metricName] }

    /// A copy with `name` set to `value` (removed when `value` is empty).
    public func setting(_ name: String, to value: String) -> Labels {
        var ls = labels.filter { $0.name != name }
        if !value.isEmpty {
            let i = ls.firstIndex { $0.name > name } ?? ls.endIndex
            ls.insert(Label(name, value), at: i)
        }
        return Labels(sortedUnchecked: ls)
    }

    /// A copy without the labels named in `names`.
    public func removing(_ names: Set<String>) -> Labels {
        Labels(sortedUnchecked: labels.filter { !names.contains($0.name) })
    }

    /// A copy without `__name__` (the same labels when there is none): one scan with plain
    /// string equality, no hashing.
    public func removingName() -> Labels {
        guard let i = labels.firstIndex(where: { $0.name == Labels.metricName }) else { return self }
        var kept = labels
        kept.remove(at: i)
        return Labels(sortedUnchecked: kept)
    }

    /// A copy keeping only the labels named in `names` (a short list, as a `by (...)` clause):
    /// compared by string equality instead of hashing every label name.
    public func keeping(_ names: [String]) -> Labels {
        if names.isEmpty { return Labels.empty }
        return Labels(sortedUnchecked: labels.filter { l in names.contains { $0 == l.name } })
    }

    /// A copy keeping only the labels named in `names`.
    public func keeping(_ names: Set<String>) -> Labels {
        Labels(sortedUnchecked: labels.filter { names.contains($0.name) })
    }

    /// Prometheus's notation: `name{a="1", b="2"}`, values escaped as Go's %q would.
    public var description: String {
        var out = ""
        var first = true
        let metric = self.name
        if let metric { out += metric }
        out += "{"
        for l in labels where l.name != Labels.metricName {
            if !first { out += ", " }
            first = false
            out += l.name
            out += "="
            out += Labels.quote(l.value)
        }
        out += "}"
        if metric != nil && first { return metric! }
        return out
    }

    /// A label name is `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValidName(_ name: String) -> Bool {
        var utf8 = name.utf8.makeIterator()
        guard let first = utf8.next(), isNameStart(first) else { return false }
        while let c = utf8.next() {
            guard isNameStart(c) || (c >= 0x30 && c <= 0x39) else { return false }
        }
        return true
    }

    /// A metric name is `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidMetricName(_ name: String) -> Bool {
        var utf8 = name.utf8.makeIterator()
        guard let first = utf8.next(), isNameStart(first) || first == 0x3A else { return false }
        while let c = utf8.next() {
            guard isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x3A else { return false }
        }
        return true
    }

    @inline(__always)
    private static func isNameStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
    }

    /// Quotes a string as Go's `strconv.Quote` does (Prometheus prints label values so).
    public static func quote(_ s: String) -> String { GoQuote.quote(s) }
}

/// Why a label set was rejected.
public enum LabelError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidName(String)
    case duplicateName(String)
    case emptyLabelSet

    public var description: String {
        switch self {
        case .invalidName(let n): return "invalid label name \(Labels.quote(n))"
        case .duplicateName(let n): return "duplicate label name \(Labels.quote(n))"
        case .emptyLabelSet: return "empty label set"
        }
    }
}
