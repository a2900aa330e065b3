import Foundation

/// An alert as Alertmanager holds it (`types.Alert`): the postable alert's fields plus when
/// it was last updated and whether its end time is only the resolve timeout.
public struct Alert: Sendable, Equatable, Codable {
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    public var endsAt: Date
    public var generatorURL: String
    public var updatedAt: Date
    /// True when the sender gave no end time and `endsAt` is now + resolve_timeout.
    public var timeout: Bool

    public init(
        labels: [String: String], annotations: [String: String] = [:], startsAt: Date, endsAt: Date,
        generatorURL: String = "", updatedAt: Date, timeout: Bool = false
    ) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.updatedAt = updatedAt
        self.timeout = timeout
    }

    public var fingerprint: Fingerprint { Fingerprint(labels: labels) }

    /// Resolved at `now`: an end time that is set and not after now.
    public func resolved(at now: Date) -> Bool { endsAt != .distantPast && endsAt <= now }

    /// The provider's overlap test: only an alert overlapping the stored one is merged with
    /// it; otherwise the new one replaces it.
    public func overlaps(_ newer: Alert) -> Bool {
        (newer.endsAt > startsAt && newer.endsAt < endsAt) || (newer.startsAt > startsAt && newer.startsAt < endsAt)
    }

    /// `types.Alert.Merge`: the younger update wins, keeping the earliest start and the
    /// right end time when the two overlap.
    public func merged(with newer: Alert, now: Date) -> Alert {
        if newer.updatedAt < updatedAt { return newer.merged(with: self, now: now) }
        var res = newer
        if startsAt < newer.startsAt { res.startsAt = startsAt }
        if newer.resolved(at: now) {
            if resolved(at: now) && endsAt > newer.endsAt { res.endsAt = endsAt }
        } else if resolved(at: now) && !timeout && endsAt < newer.endsAt {
            res.endsAt = endsAt
        }
        return res
    }
}

/// What a client posts (`/api/v2/alerts`, the rules engine's notifier): times optional.
public struct PostableAlert: Sendable, Equatable {
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date?
    public var endsAt: Date?
    public var generatorURL: String

    public init(
        labels: [String: String], annotations: [String: String] = [:], startsAt: Date? = nil,
        endsAt: Date? = nil, generatorURL: String = ""
    ) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }

    /// Alertmanager's API handling: a missing start is now (or the end), a missing end is
    /// now + resolve_timeout and marks the alert as timing out.
    public func received(at now: Date, resolveTimeout: ModelDuration) -> Alert {
        var starts = startsAt ?? .distantPast
        if startsAt == nil { starts = endsAt ?? now }
        var alert = Alert(
            labels: labels, annotations: annotations, startsAt: starts, endsAt: endsAt ?? .distantPast,
            generatorURL: generatorURL, updatedAt: now)
        if endsAt == nil {
            alert.timeout = true
            alert.endsAt = now.addingTimeInterval(resolveTimeout.seconds)
        }
        return alert
    }
}

/// Prometheus's label-set fingerprint: FNV-1a 64 over sorted names and values.
public struct Fingerprint: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    public init(labels: [String: String]) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ s: String) {
            for b in s.utf8 { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
        }
        if !labels.isEmpty {
            for k in labels.keys.sorted(by: GoString.less) {
                add(k)
                h ^= 0xff; h = h &* 0x0000_0100_0000_01b3
                add(labels[k]!)
                h ^= 0xff; h = h &* 0x0000_0100_0000_01b3
            }
        }
        value = h
    }

    public static func < (a: Fingerprint, b: Fingerprint) -> Bool { a.value < b.value }

    /// `%016x`.
    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}

/// Go's `model.LabelSet.String()`: `{a="b", c="d"}`, sorted, strconv-quoted values.
func labelSetString(_ labels: [String: String]) -> String {
    let parts = labels.keys.sorted(by: GoString.less).map { "\($0)=\(GoQuote.quote(labels[$0]!))" }
    return "{" + parts.joined(separator: ", ") + "}"
}

/// `types.AlertSlice` order: by job, then instance, then the whole label set.
func alertOrder(_ a: [String: String], _ b: [String: String]) -> Bool {
    for key in ["job", "instance"] {
        let x = a[key], y = b[key]
        if x == nil && y == nil { continue }
        guard let x else { return false }
        guard let y else { return true }
        if x != y { return GoString.less(x, y) }
    }
    return labelSetBefore(a, b)
}

/// `model.LabelSet.Before`.
func labelSetBefore(_ a: [String: String], _ b: [String: String]) -> Bool {
    if a.count != b.count { return a.count < b.count }
    let names = Set(a.keys).union(b.keys).sorted(by: GoString.less)
    for n in names {
        guard let x = a[n] else { return true }
        guard let y = b[n] else { return false }
        if x != y { return GoString.less(x, y) }
    }
    return false
}
