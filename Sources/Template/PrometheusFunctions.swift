import Foundation

/// One sample of a `query` result, as Prometheus templates see it (`.Labels`, `.Value`).
public struct TemplateSample: Sendable {
    public var labels: [String: String]
    public var value: Double

    public init(labels: [String: String], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// Runs a PromQL query for a template's `query` function at the evaluation time and returns
/// an instant vector (a scalar result is one sample with no labels, as Prometheus does).
/// Kept abstract so this module depends on no query engine; Rules plugs PromQL in.
public typealias TemplateQueryFunction = @Sendable (String) throws -> [TemplateSample]

/// Prometheus's `template.queryResult`, a slice of samples.
func queryResult(_ samples: [TemplateValue]) -> TemplateValue {
    .object(TemplateRecord(typeName: "template.queryResult", underlying: .list(samples)))
}

/// Prometheus's `*template.sample`.
final class SampleObject: TemplateObject {
    let sample: TemplateSample
    init(_ sample: TemplateSample) { self.sample = sample }

    var typeName: String { "*template.sample" }

    func member(named name: String) -> TemplateMember? {
        switch name {
        case "Labels": return .field(.stringMap(sample.labels))
        case "Value": return .field(.float(sample.value))
        default: return nil
        }
    }

    var structFields: [TemplateValue] { [.stringMap(sample.labels), .float(sample.value)] }
}

extension FunctionRegistry {
    /// Prometheus 2.42's template functions, for rule annotations and labels.
    ///
    /// `externalURL` is the `--web.external-url` value; when nil, `externalURL` and
    /// `pathPrefix` fail as they do in Prometheus without one (e.g. under promtool).
    public static func prometheus(query: TemplateQueryFunction? = nil, externalURL: String? = nil) -> FunctionRegistry {
        var r = FunctionRegistry()
        for (name, f) in PrometheusFunctions.common { r.register(name, f) }
        r.register("query", TemplateFunction([.string]) { a in
            guard let query else { throw TemplateFunctionError("no query engine available") }
            return queryResult(try query(a[0].stringValue).map { .object(SampleObject($0)) })
        })
        let nilURL = "runtime error: invalid memory address or nil pointer dereference"
        r.register("externalURL", TemplateFunction([]) { _ in
            guard let externalURL else { throw TemplateFunctionError(nilURL) }
            return .string(externalURL)
        })
        r.register("pathPrefix", TemplateFunction([]) { _ in
            guard let externalURL else { throw TemplateFunctionError(nilURL) }
            return .string(URLComponents(string: externalURL)?.path ?? "")
        })
        return r
    }
}

enum PrometheusFunctions {
    static let common: [String: TemplateFunction] = {
        var f: [String: TemplateFunction] = [:]
        let sample = TemplateFunction.Parameter.named("*template.sample")
        let result = TemplateFunction.Parameter.named("template.queryResult")
        f["first"] = TemplateFunction([result]) { a in
            let samples = try samplesOf(a[0])
            guard let first = samples.first else {
                throw TemplateFunctionError("first() called on vector with no elements")
            }
            return first
        }
        f["label"] = TemplateFunction([.string, sample]) { a in
            .string(try sampleOf(a[1]).labels[a[0].stringValue] ?? "")
        }
        f["value"] = TemplateFunction([sample]) { a in .float(try sampleOf(a[0]).value) }
        f["strvalue"] = TemplateFunction([sample]) { a in .string(try sampleOf(a[0]).labels["__value__"] ?? "") }
        f["args"] = TemplateFunction([], variadic: .any) { a in
            var m: [String: TemplateValue] = [:]
            for (i, v) in a.enumerated() { m["arg\(i)"] = v }
            return .map(m)
        }
        f["reReplaceAll"] = reReplaceAll
        // html/template.HTML: prints as its text but is not a plain string to other functions.
        f["safeHtml"] = TemplateFunction([.string]) { .object(TemplateRecord(typeName: "template.HTML", underlying: $0[0])) }
        f["match"] = match
        f["title"] = TemplateFunction([.string]) { .string(GoStrings.title($0[0].stringValue)) }
        f["toUpper"] = TemplateFunction([.string]) { .string(GoStrings.toUpper($0[0].stringValue)) }
        f["toLower"] = TemplateFunction([.string]) { .string(GoStrings.toLower($0[0].stringValue)) }
        f["graphLink"] = TemplateFunction([.string]) {
            .string("/graph?g0.expr=\(GoStrings.queryEscape($0[0].stringValue))&g0.tab=0")
        }
        f["tableLink"] = TemplateFunction([.string]) {
            .string("/graph?g0.expr=\(GoStrings.queryEscape($0[0].stringValue))&g0.tab=1")
        }
        f["sortByLabel"] = TemplateFunction([.string, result]) { a in
            let label = a[0].stringValue
            let samples = try samplesOf(a[1])
            let keyed = try samples.map { (try sampleOf($0).labels[label] ?? "", $0) }
            // A stable sort: enumerate to break ties by position.
            let sorted = keyed.enumerated().sorted { x, y in
                if x.element.0 != y.element.0 { return GoStrings.less(x.element.0, y.element.0) }
                return x.offset < y.offset
            }
            return queryResult(sorted.map { $0.element.1 })
        }
        f["stripPort"] = TemplateFunction([.string]) { a in
            let hostPort = a[0].stringValue
            guard let (host, _) = Network.splitHostPort(hostPort) else { return .string(hostPort) }
            return .string(host)
        }
        f["stripDomain"] = TemplateFunction([.string]) { .string(Network.stripDomain($0[0].stringValue)) }
        f["humanize"] = TemplateFunction([.any]) { .string(humanize(try toFloat($0[0]))) }
        f["humanize1024"] = TemplateFunction([.any]) { .string(humanize1024(try toFloat($0[0]))) }
        f["humanizeDuration"] = humanizeDurationFunction
        f["humanizePercentage"] = TemplateFunction([.any]) { .string(g4(try toFloat($0[0]) * 100) + "%") }
        f["humanizeTimestamp"] = TemplateFunction([.any]) { a in
            let v = try toFloat(a[0])
            if v.isNaN || v.isInfinite { return .string(g4(v)) }
            return .string(try floatToTime(v).description)
        }
        f["toTime"] = TemplateFunction([.any]) { a in .time(try floatToTime(try toFloat(a[0]))) }
        f["parseDuration"] = TemplateFunction([.string]) { a in .float(try parseDuration(a[0].stringValue)) }
        return f
    }()

    static let match = TemplateFunction([.string, .string]) { a in
        .bool(try TemplateRegex.compile(a[0].stringValue).matches(a[1].stringValue))
    }

    static let reReplaceAll = TemplateFunction([.string, .string, .string]) { a in
        .string(try TemplateRegex.compile(a[0].stringValue).replaceAll(a[2].stringValue, with: a[1].stringValue))
    }

    static let humanizeDurationFunction = TemplateFunction([.any]) { .string(humanizeDuration(try toFloat($0[0]))) }

    private static func sampleOf(_ v: TemplateValue) throws -> TemplateSample {
        if case .object(let o) = v, let s = o as? SampleObject { return s.sample }
        if case .null = v { throw TemplateFunctionError("runtime error: invalid memory address or nil pointer dereference") }
        throw TemplateFunctionError("wrong type for value; expected *template.sample; got \(v.goTypeName)")
    }

    private static func samplesOf(_ v: TemplateValue) throws -> [TemplateValue] {
        switch v.resolvedCollection {
        case .list(let items): return items
        case .null: return []
        default: throw TemplateFunctionError("wrong type for value; expected template.queryResult; got \(v.goTypeName)")
        }
    }

    /// Prometheus's convertToFloat.
    static func toFloat(_ v: TemplateValue) throws -> Double {
        switch v {
        case .float(let f): return f
        case .int(let i): return Double(i)
        case .duration(let d): return Double(d) / 1e9
        case .string(let s): return try parseFloat(s)
        default: throw TemplateFunctionError("can't convert \(v.goTypeName) to float")
        }
    }

    /// Go's strconv.ParseFloat(s, 64), with its error texts.
    static func parseFloat(_ s: String) throws -> Double {
        let lower = s.lowercased()
        let body = lower.hasPrefix("+") || lower.hasPrefix("-") ? String(lower.dropFirst()) : lower
        let negative = lower.hasPrefix("-")
        switch body {
        case "inf", "infinity": return negative ? -.infinity : .infinity
        case "nan": return .nan
        default: break
        }
        let hex = body.hasPrefix("0x")
        let allowed = hex ? "0123456789abcdefx.p+-_" : "0123456789.e+-_"
        let valid = !body.isEmpty && body.allSatisfy { allowed.contains($0) } && (!hex || body.contains("p"))
            && (!body.contains("_") || underscoresOK(body))
        guard valid, let d = Double(s.filter { $0 != "_" }) else {
            throw TemplateFunctionError("strconv.ParseFloat: parsing \(GoFormat.quote(s)): invalid syntax")
        }
        if d.isInfinite { throw TemplateFunctionError("strconv.ParseFloat: parsing \(GoFormat.quote(s)): value out of range") }
        return d
    }

    /// Go's rule for digit separators: each underscore between two digits (or after a base prefix).
    private static func underscoresOK(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        var saw: UInt8 = UInt8(ascii: "^")
        var hex = false
        if b.count >= 2 && b[0] == UInt8(ascii: "0") && "box".utf8.contains(b[1] | 0x20) {
            i = 2
            saw = UInt8(ascii: "0")
            hex = b[1] | 0x20 == UInt8(ascii: "x")
        }
        while i < b.count {
            let c = b[i]
            if (c >= 48 && c <= 57) || (hex && (c | 0x20) >= 97 && (c | 0x20) <= 102) {
                saw = UInt8(ascii: "0")
            } else if c == UInt8(ascii: "_") {
                if saw != UInt8(ascii: "0") { return false }
                saw = c
            } else {
                if saw == UInt8(ascii: "_") { return false }
                saw = UInt8(ascii: "!")
            }
            i += 1
        }
        return saw != UInt8(ascii: "_")
    }

    /// fmt's %.4g.
    static func g4(_ v: Double) -> String { GoFormat.sprintf("%.4g", [.float(v)]) }

    static func humanize(_ value: Double) -> String {
        var v = value
        if v == 0 || v.isNaN || v.isInfinite { return g4(v) }
        if abs(v) >= 1 {
            var prefix = ""
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if abs(v) < 1000 { break }
                prefix = p
                v /= 1000
            }
            return g4(v) + prefix
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix
    }

    static func humanize1024(_ value: Double) -> String {
        var v = value
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return g4(v) }
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
            if abs(v) < 1024 { break }
            prefix = p
            v /= 1024
        }
        return g4(v) + prefix
    }

    static func humanizeDuration(_ value: Double) -> String {
        var v = value
        if v.isNaN || v.isInfinite { return g4(v) }
        if v == 0 { return g4(v) + "s" }
        if abs(v) >= 1 {
            var sign = ""
            if v < 0 {
                sign = "-"
                v = -v
            }
            let duration = Int64(clamping: Int64(exactly: v.rounded(.towardZero)) ?? Int64.max)
            let seconds = duration % 60
            let minutes = (duration / 60) % 60
            let hours = (duration / 60 / 60) % 24
            let days = duration / 60 / 60 / 24
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g4(v) + "s"
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix + "s"
    }

    /// Prometheus's floatToTime: seconds to a UTC time, truncated to milliseconds.
    static func floatToTime(_ v: Double) throws -> TemplateTime {
        if v.isNaN || v.isInfinite { throw TemplateFunctionError("value is NaN or Inf") }
        let ns = v * 1e9
        guard ns < 9.223372036854775807e18 && ns >= -9.223372036854775808e18 else {
            throw TemplateFunctionError(
                "\(GoFormat.formatValue(.float(v))) cannot be represented as a nanoseconds timestamp since it overflows int64")
        }
        return TemplateTime(unixMilliseconds: Int64(ns) / 1_000_000)
    }

    /// Prometheus's model.ParseDuration, in seconds.
    static func parseDuration(_ s: String) throws -> Double {
        if s == "0" { return 0 }
        if s.isEmpty { throw TemplateFunctionError("empty duration string") }
        let invalid = TemplateFunctionError("not a valid duration string: \(GoFormat.quote(s))")
        let units: [(String, Int64)] = [
            ("y", 365 * 24 * 3_600_000), ("w", 7 * 24 * 3_600_000), ("d", 24 * 3_600_000), ("h", 3_600_000),
            ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        let b = Array(s.utf8)
        var i = 0
        var lastUnit = -1
        var totalMs: Int64 = 0
        while i < b.count {
            var n: Int64 = 0
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 48))
                if o1 || o2 { throw TemplateFunctionError("invalid value for duration") }
                n = a
                i += 1
            }
            if i == start { throw invalid }
            var unit = -1
            if i + 1 < b.count && b[i] == UInt8(ascii: "m") && b[i + 1] == UInt8(ascii: "s") {
                unit = 6
                i += 2
            } else if i < b.count {
                switch b[i] {
                case UInt8(ascii: "y"): unit = 0
                case UInt8(ascii: "w"): unit = 1
                case UInt8(ascii: "d"): unit = 2
                case UInt8(ascii: "h"): unit = 3
                case UInt8(ascii: "m"): unit = 4
                case UInt8(ascii: "s"): unit = 5
                default: throw invalid
                }
                i += 1
            }
            if unit <= lastUnit { throw invalid }
            lastUnit = unit
            let (part, o1) = n.multipliedReportingOverflow(by: units[unit].1)
            let (sum, o2) = totalMs.addingReportingOverflow(part)
            if o1 || o2 || sum > Int64.max / 1_000_000 { throw TemplateFunctionError("duration out of range") }
            totalMs = sum
        }
        return Double(totalMs * 1_000_000) / 1e9
    }
}

/// Go's net.SplitHostPort / ParseIP / JoinHostPort, as far as stripPort and stripDomain use them.
enum Network {
    static func splitHostPort(_ hostPort: String) -> (String, String)? {
        let b = Array(hostPort.utf8)
        guard let i = b.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        var host: [UInt8]
        var j = 0
        var k = 0
        if b.first == UInt8(ascii: "[") {
            guard let end = b.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            guard end + 1 == i else { return nil }
            host = Array(b[1..<end])
            j = 1
            k = end + 1
        } else {
            host = Array(b[..<i])
            if host.contains(UInt8(ascii: ":")) { return nil }
        }
        if b[j...].contains(UInt8(ascii: "[")) { return nil }
        if b[k...].contains(UInt8(ascii: "]")) { return nil }
        return (String(decoding: host, as: UTF8.self), String(decoding: b[(i + 1)...], as: UTF8.self))
    }

    static func isIP(_ s: String) -> Bool {
        if s.contains(":") { return isIPv6(s) }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let v = Int(p), v <= 255 else { return false }
            return !(p.count > 1 && p.hasPrefix("0"))
        }
    }

    private static func isIPv6(_ s: String) -> Bool {
        var s = Substring(s)
        var groups = 8
        if let lastColon = s.lastIndex(of: ":"), s[s.index(after: lastColon)...].contains(".") {
            guard isIP(String(s[s.index(after: lastColon)...])) else { return false }
            s = s[...lastColon] + "0:0"
        }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groupsOf(_ h: String) -> [Substring]? {
            if h.isEmpty { return [] }
            let g = h.split(separator: ":", omittingEmptySubsequences: false)
            for x in g where x.isEmpty || x.count > 4 || !x.allSatisfy(\.isHexDigit) { return nil }
            return g
        }
        guard let first = groupsOf(halves[0]) else { return false }
        if halves.count == 1 { return first.count == groups }
        guard let second = groupsOf(halves[1]) else { return false }
        groups -= 1
        return first.count + second.count <= groups
    }

    static func stripDomain(_ hostPort: String) -> String {
        var host = hostPort
        var port = ""
        if let (h, p) = splitHostPort(hostPort) {
            host = h
            port = p
        }
        if isIP(host) { return hostPort }
        host = String(host.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if !port.isEmpty { return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
        return host
    }
}
