import Foundation
import Template

/// What every integration gets for one flush of one aggregation group: the alerts (sorted,
/// ends cleared for those still firing), the group's labels and key, the receiver's name.
public struct NotificationContext: Sendable {
    public var receiver: String
    public var groupKey: String
    public var groupLabels: [String: String]
    public var alerts: [Alert]
    public var now: Date
    public var externalURL: String

    public init(receiver: String, groupKey: String, groupLabels: [String: String], alerts: [Alert], now: Date, externalURL: String) {
        self.receiver = receiver
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.alerts = alerts
        self.now = now
        self.externalURL = externalURL
    }

    public var firing: [Alert] { alerts.filter { !$0.resolved(at: now) } }
    public var resolved: [Alert] { alerts.filter { $0.resolved(at: now) } }
    /// `firing` when any alert fires, else `resolved`.
    public var status: String { alerts.contains { !$0.resolved(at: now) } ? "firing" : "resolved" }

    /// Alertmanager's `template.Data` for these alerts.
    public func templateData(alerts subset: [Alert]? = nil) -> AlertmanagerTemplateData {
        let list = subset ?? alerts
        var commonLabels = list.first?.labels ?? [:]
        var commonAnnotations = list.first?.annotations ?? [:]
        for a in list.dropFirst() {
            if commonLabels.isEmpty && commonAnnotations.isEmpty { break }
            for (k, v) in commonLabels where a.labels[k] != v { commonLabels[k] = nil }
            for (k, v) in commonAnnotations where a.annotations[k] != v { commonAnnotations[k] = nil }
        }
        let items = list.map { a in
            AlertmanagerTemplateData.Alert(
                status: a.resolved(at: now) ? "resolved" : "firing", labels: a.labels, annotations: a.annotations,
                startsAt: TemplateTime(a.startsAt), endsAt: a.endsAt == .distantPast ? .zero : TemplateTime(a.endsAt),
                generatorURL: a.generatorURL, fingerprint: a.fingerprint.description)
        }
        return AlertmanagerTemplateData(
            receiver: NotificationContext.quoteMeta(receiver), status: list.contains { !$0.resolved(at: now) } ? "firing" : "resolved",
            alerts: items, groupLabels: groupLabels, commonLabels: commonLabels, commonAnnotations: commonAnnotations,
            externalURL: externalURL)
    }

    /// Go's regexp.QuoteMeta, which Alertmanager applies to the receiver name in template data.
    static func quoteMeta(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            if "\\.+*?()|[]{}^$".unicodeScalars.contains(c) { out += "\\" }
            out.unicodeScalars.append(c)
        }
        return out
    }
}

/// Executes receiver fields as Alertmanager's `tmplText` does: the first error is kept and
/// every later field renders as empty.
struct FieldRenderer {
    let templates: TemplateSet
    let data: TemplateValue
    var error: TemplateError?

    init(templates: TemplateSet, data: AlertmanagerTemplateData) {
        self.templates = templates
        self.data = data.templateValue
    }

    mutating func callAsFunction(_ text: String) -> String {
        if error != nil { return "" }
        do {
            return try templates.executeText(text, data: data)
        } catch {
            self.error = error
            return ""
        }
    }
}

/// Alertmanager 0.25's notify.Truncate: at most `n` runes, ending in `...` when cut.
func truncateRunes(_ s: String, _ n: Int) -> (String, Bool) {
    let r = Array(s.unicodeScalars)
    if r.count <= n { return (s, false) }
    if n <= 3 { return (String(String.UnicodeScalarView(r[..<n])), true) }
    return (String(String.UnicodeScalarView(r[..<(n - 3)])) + "...", true)
}
