#if canImport(Glibc)
import Glibc
#endif

/// The two exposition formats a scrape can return.
public enum ExpositionFormat: Sendable, Equatable {
    /// `text/plain; version=0.0.4`: timestamps in milliseconds, no `# EOF`.
    case prometheusText
    /// `application/openmetrics-text; version=1.0.0`: timestamps in seconds, exemplars,
    /// `# UNIT`, and a mandatory `# EOF`.
    case openMetrics

    /// The format a response's Content-Type names (Prometheus falls back to the text format).
    public static func from(contentType: String?) -> ExpositionFormat {
        guard let ct = contentType?.lowercased() else { return .prometheusText }
        return ct.hasPrefix("application/openmetrics-text") ? .openMetrics : .prometheusText
    }
}

/// A metric family's type as declared by `# TYPE`.
public enum MetricType: String, Sendable {
    case counter, gauge, histogram, gaugehistogram, summary, info, stateset, untyped, unknown
}

/// Why a page could not be parsed: the 1-based line and what was wrong there.
public struct ExpositionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// A byte range in the page being parsed.
public struct ByteSpan: Sendable, Equatable {
    public var start: Int
    public var end: Int
    @inline(__always) public var count: Int { end - start }
}

/// One label of the current sample: spans into the page; `escaped` when the value contains
/// backslash escapes and must be decoded (most values are copied as they are).
public struct LabelSpan: Sendable {
    public var name: ByteSpan
    public var value: ByteSpan
    public var escaped: Bool
}

/// What `ExpositionParser.next()` found.
public enum ExpositionEntry: Sendable, Equatable {
    case sample
    case help(name: ByteSpan, text: ByteSpan)
    case type(name: ByteSpan, MetricType)
    case unit(name: ByteSpan, unit: ByteSpan)
    case comment
}

/// A pull parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0 over a page's
/// bytes, in the manner of Prometheus's `textparse`: byte-level, no regular expressions, and
/// no allocation per sample. After `.sample`, `series` spans the sample's `name{labels}` text
/// (the key scrape caches use), `labels` holds spans of its labels (a buffer reused from
/// sample to sample), `value` and `timestamp` the numbers (milliseconds; OpenMetrics seconds
/// are converted). Exemplars are skipped. The bytes must outlive the parser.
public struct ExpositionParser {
    public let bytes: UnsafeBufferPointer<UInt8>
    public let format: ExpositionFormat
    public private(set) var position = 0
    public private(set) var line = 0

    public private(set) var series = ByteSpan(start: 0, end: 0)
    public private(set) var metricName = ByteSpan(start: 0, end: 0)
    public private(set) var labels: [LabelSpan] = []
    public private(set) var value: Double = 0
    public private(set) var timestamp: Int64?
    /// Whether `# EOF` was read (OpenMetrics).
    public private(set) var sawEOF = false
    /// False for a chunk of a longer stream that continues after `bytes` (import): the
    /// OpenMetrics `# EOF` is then checked by the caller at the end of the stream.
    private let isWholeInput: Bool

    /// `firstLine`: the number of lines before `bytes` (a chunk of a stream), so errors name
    /// the line in the whole input.
    public init(bytes: UnsafeBufferPointer<UInt8>, format: ExpositionFormat, isWholeInput: Bool = true, firstLine: Int = 0) {
        self.bytes = bytes
        self.format = format
        self.isWholeInput = isWholeInput
        line = firstLine
        labels.reserveCapacity(16)
    }

    /// The next entry, or nil at the end of the page.
    public mutating func next() throws(ExpositionError) -> ExpositionEntry? {
        let b = bytes
        while position < b.count {
            line += 1
            if sawEOF { throw err("unexpected data after # EOF") }
            let start = position
            var end = start
            while end < b.count && b[end] != 0x0A { end += 1 }
            position = end + 1
            if format == .prometheusText {
                var s = start
                while s < end && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
                if s == end { continue }
                if b[s] == 0x23 { return try comment(s, end) }
                try sample(s, end)
                return .sample
            }
            if end == start { throw err("empty line in OpenMetrics") }
            if b[start] == 0x23 { return try comment(start, end) }
            try sample(start, end)
            return .sample
        }
        if format == .openMetrics && !sawEOF && isWholeInput {
            throw ExpositionError(line: line, message: "OpenMetrics page does not end with # EOF")
        }
        return nil
    }

    // MARK: Comments

    private mutating func comment(_ s: Int, _ end: Int) throws(ExpositionError) -> ExpositionEntry {
        let b = bytes
        var i = s + 1
        if format == .openMetrics {
            if end - s == 5 && b[s + 1] == 0x20 && b[s + 2] == 0x45 && b[s + 3] == 0x4F && b[s + 4] == 0x46 {
                sawEOF = true
                return .comment
            }
            guard i < end && b[i] == 0x20 else { throw err("invalid comment: OpenMetrics comments are `# HELP`, `# TYPE`, `# UNIT` or `# EOF`") }
        }
        while i < end && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        guard i > s + 1 else { return .comment }
        let kwStart = i
        while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
        let kw = ByteSpan(start: kwStart, end: i)
        let isHelp = matches(kw, "HELP"), isType = matches(kw, "TYPE"), isUnit = format == .openMetrics && matches(kw, "UNIT")
        guard isHelp || isType || isUnit else {
            if format == .openMetrics { throw err("unknown OpenMetrics comment \(text(kw))") }
            return .comment
        }
        guard i < end else { throw err("expected metric name after \(text(kw))") }
        while i < end && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        let nameStart = i
        guard i < end, isMetricNameStart(b[i]) else { throw err("invalid metric name in \(text(kw)) line") }
        while i < end && isMetricNameChar(b[i]) { i += 1 }
        let name = ByteSpan(start: nameStart, end: i)
        var restStart = i
        if i < end {
            guard b[i] == 0x20 || b[i] == 0x09 else { throw err("invalid metric name in \(text(kw)) line") }
            restStart = i + 1
            if format == .prometheusText { while restStart < end && (b[restStart] == 0x20 || b[restStart] == 0x09) { restStart += 1 } }
        }
        let rest = ByteSpan(start: restStart, end: end)
        if isHelp { return .help(name: name, text: rest) }
        if isUnit { return .unit(name: name, unit: rest) }
        var typeEnd = end
        while typeEnd > restStart && (b[typeEnd - 1] == 0x20 || b[typeEnd - 1] == 0x09) { typeEnd -= 1 }
        let t = text(ByteSpan(start: restStart, end: typeEnd))
        let type: MetricType?
        if format == .openMetrics {
            type = t == "untyped" ? nil : MetricType(rawValue: t)
        } else {
            type = ["counter", "gauge", "histogram", "summary", "untyped"].contains(t) ? MetricType(rawValue: t) : nil
        }
        guard let type else { throw err("invalid metric type \(goQuote(t))") }
        return .type(name: name, type)
    }

    // MARK: Samples

    private mutating func sample(_ s: Int, _ end: Int) throws(ExpositionError) {
        let b = bytes
        labels.removeAll(keepingCapacity: true)
        timestamp = nil
        var i = s
        guard isMetricNameStart(b[i]) else { throw err("invalid metric name at \(excerpt(s, end))") }
        while i < end && isMetricNameChar(b[i]) { i += 1 }
        metricName = ByteSpan(start: s, end: i)
        var j = i
        if format == .prometheusText { while j < end && (b[j] == 0x20 || b[j] == 0x09) { j += 1 } }
        if j < end && b[j] == 0x7B {
            i = try labelSet(j + 1, end)
        }
        series = ByteSpan(start: s, end: i)
        guard i < end, b[i] == 0x20 || b[i] == 0x09 else { throw err("expected value after metric \(text(metricName))") }
        i = skipBlanks(i, end)
        let vStart = i
        while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
        guard vStart < i, let v = FloatParsing.parseDouble(b, vStart, i) else {
            throw err("invalid value \(goQuote(text(ByteSpan(start: vStart, end: i)))) for metric \(text(metricName))")
        }
        value = v
        i = skipBlanks(i, end)
        if i >= end { return }
        if format == .openMetrics && b[i] == 0x23 { return try skipExemplar(i, end) }
        let tStart = i
        while i < end && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
        let tSpan = ByteSpan(start: tStart, end: i)
        if format == .prometheusText {
            guard let t = FloatParsing.parseInt64(b, tStart, i) else { throw err("invalid timestamp \(goQuote(text(tSpan)))") }
            timestamp = t
        } else {
            guard let secs = FloatParsing.parseDouble(b, tStart, i), secs.isFinite else {
                throw err("invalid timestamp \(goQuote(text(tSpan)))")
            }
            timestamp = Int64((secs * 1000).rounded(.down))
        }
        i = skipBlanks(i, end)
        if i < end {
            if format == .openMetrics && b[i] == 0x23 { return try skipExemplar(i, end) }
            throw err("unexpected \(goQuote(text(ByteSpan(start: i, end: end)))) after timestamp")
        }
    }

    /// Labels from after `{` to `}`; returns the index after `}`.
    private mutating func labelSet(_ from: Int, _ end: Int) throws(ExpositionError) -> Int {
        let b = bytes
        var i = skipBlanks(from, end)
        while i < end && b[i] != 0x7D {
            let nStart = i
            guard isLabelNameStart(b[i]) else { throw err("invalid label name in metric \(text(metricName))") }
            while i < end && isLabelNameChar(b[i]) { i += 1 }
            let name = ByteSpan(start: nStart, end: i)
            i = skipBlanks(i, end)
            guard i < end && b[i] == 0x3D else { throw err("expected '=' after label name \(text(name))") }
            i = skipBlanks(i + 1, end)
            guard i < end && b[i] == 0x22 else { throw err("expected '\"' to start the value of label \(text(name))") }
            i += 1
            let vStart = i
            var escaped = false
            while i < end && b[i] != 0x22 {
                if b[i] == 0x5C {
                    escaped = true
                    i += 1
                    guard i < end else { break }
                    let c = b[i]
                    if c != 0x5C && c != 0x22 && c != 0x6E {
                        throw err("invalid escape sequence '\\\(String(UnicodeScalar(c)))' in label value")
                    }
                }
                i += 1
            }
            guard i < end else { throw err("unterminated value of label \(text(name))") }
            for l in labels where equal(l.name, name) { throw err("duplicate label name \(text(name))") }
            labels.append(LabelSpan(name: name, value: ByteSpan(start: vStart, end: i), escaped: escaped))
            i = skipBlanks(i + 1, end)
            if i < end && b[i] == 0x2C {
                i = skipBlanks(i + 1, end)
            } else if i < end && b[i] != 0x7D {
                throw err("expected ',' or '}' after the value of label \(text(name))")
            }
        }
        guard i < end else { throw err("unterminated label set in metric \(text(metricName))") }
        return i + 1
    }

    /// ` # {labels} value [timestamp]` after an OpenMetrics sample: checked for shape, dropped.
    private mutating func skipExemplar(_ from: Int, _ end: Int) throws(ExpositionError) {
        let b = bytes
        guard from + 2 < end, b[from + 1] == 0x20, b[from + 2] == 0x7B else { throw err("invalid exemplar") }
        var i = from + 3
        var inQuotes = false
        while i < end {
            if inQuotes && b[i] == 0x5C { i += 2; continue }
            if b[i] == 0x22 { inQuotes.toggle() }
            if !inQuotes && b[i] == 0x7D { break }
            i += 1
        }
        guard i < end else { throw err("unterminated exemplar label set") }
        i += 1
        guard i < end, b[i] == 0x20 else { throw err("expected exemplar value") }
        i += 1
        let vStart = i
        while i < end && b[i] != 0x20 { i += 1 }
        guard FloatParsing.parseDouble(b, vStart, i) != nil else { throw err("invalid exemplar value") }
    }

    // MARK: Helpers

    /// The value of a label, unescaped (`\\`, `\"`, `\n`).
    public func labelValue(_ l: LabelSpan) -> String {
        if !l.escaped { return text(l.value) }
        var out: [UInt8] = []
        out.reserveCapacity(l.value.count)
        var i = l.value.start
        while i < l.value.end {
            var c = bytes[i]
            if c == 0x5C && i + 1 < l.value.end {
                i += 1
                c = bytes[i] == 0x6E ? 0x0A : bytes[i]
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    public func text(_ s: ByteSpan) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[s.start..<s.end]), as: UTF8.self)
    }

    @inline(__always) func equal(_ a: ByteSpan, _ b: ByteSpan) -> Bool {
        guard a.count == b.count else { return false }
        return memcmp(bytes.baseAddress! + a.start, bytes.baseAddress! + b.start, a.count) == 0
    }

    func matches(_ s: ByteSpan, _ lit: StaticString) -> Bool {
        guard s.count == lit.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress! + s.start, lit.utf8Start, s.count) == 0
    }

    private func excerpt(_ s: Int, _ end: Int) -> String { goQuote(text(ByteSpan(start: s, end: min(end, s + 40)))) }

    @inline(__always) private func skipBlanks(_ from: Int, _ end: Int) -> Int {
        var i = from
        if format == .openMetrics {
            if i < end && bytes[i] == 0x20 { i += 1 }
            return i
        }
        while i < end && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
        return i
    }

    private func err(_ m: String) -> ExpositionError { ExpositionError(line: line, message: m) }
}

@inline(__always) func isMetricNameStart(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c == 0x3A
}
@inline(__always) func isMetricNameChar(_ c: UInt8) -> Bool { isMetricNameStart(c) || (c >= 0x30 && c <= 0x39) }
@inline(__always) func isLabelNameStart(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F }
@inline(__always) func isLabelNameChar(_ c: UInt8) -> Bool { isLabelNameStart(c) || (c >= 0x30 && c <= 0x39) }
