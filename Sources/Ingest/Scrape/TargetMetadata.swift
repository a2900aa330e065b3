import Foundation

/// What a target's page declared about a metric family (`# TYPE`, `# HELP`, `# UNIT`), for
/// `/api/v1/metadata` and `/api/v1/targets/metadata`.
public struct ScrapedMetadata: Sendable, Equatable {
    public var type: MetricType = .unknown
    public var help = ""
    public var unit = ""
}

/// A target's metadata, updated as pages arrive. A declaration seen unchanged in an earlier
/// page costs one hash of its bytes and a set lookup; only new or changed text is decoded.
final class TargetMetadataStore: @unchecked Sendable {
    private let lock = NSLock()
    private var byName: [String: ScrapedMetadata] = [:]
    private var seen = Set<UInt64>()

    var snapshot: [String: ScrapedMetadata] { lock.withLock { byName } }

    func record(_ entry: ExpositionEntry, _ p: ExpositionParser) {
        let name: ByteSpan, text: ByteSpan, kind: UInt64
        switch entry {
        case .help(let n, let t): (name, text, kind) = (n, t, 1)
        case .unit(let n, let u): (name, text, kind) = (n, u, 2)
        case .type(let n, let t):
            (name, text, kind) = (n, n, 3 &+ UInt64(MetricType.allOrdered.firstIndex(of: t) ?? 0) &* 16)
        default: return
        }
        let h = SeriesCache.hash(p.bytes, name) &* 31 &+ (kind == 3 ? 0 : SeriesCache.hash(p.bytes, text)) &+ kind
        guard !seen.contains(h) else { return }
        if seen.count > 100_000 { seen.removeAll() }
        seen.insert(h)
        let metric = p.text(name)
        lock.withLock {
            var m = byName[metric] ?? ScrapedMetadata()
            switch entry {
            case .help: m.help = Self.unescapeHelp(p.text(text))
            case .unit: m.unit = p.text(text)
            case .type(_, let t): m.type = t
            default: break
            }
            byName[metric] = m
        }
    }

    /// HELP text escapes: `\\` and `\n` (and OpenMetrics' `\"`).
    static func unescapeHelp(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                out.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}

extension MetricType {
    static let allOrdered: [MetricType] = [.counter, .gauge, .histogram, .gaugehistogram, .summary, .info, .stateset, .untyped, .unknown]
}
