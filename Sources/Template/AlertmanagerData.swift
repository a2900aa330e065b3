/// Alertmanager's notification data (`template.Data`) and its methods.
///
/// Notification templates call methods on this data (`.Alerts.Firing`,
/// `.CommonLabels.SortedPairs.Values`, `.CommonLabels.Remove .GroupLabels.Names`), so it is
/// built from `TemplateRecord`s that carry those methods, with Alertmanager's orderings
/// (`alertname` first in sorted pairs).
public struct AlertmanagerTemplateData: Sendable {
    /// One alert of the group (`template.Alert`).
    public struct Alert: Sendable {
        public var status: String
        public var labels: [String: String]
        public var annotations: [String: String]
        public var startsAt: TemplateTime
        public var endsAt: TemplateTime
        public var generatorURL: String
        public var fingerprint: String

        public init(
            status: String, labels: [String: String], annotations: [String: String] = [:],
            startsAt: TemplateTime = .zero, endsAt: TemplateTime = .zero, generatorURL: String = "",
            fingerprint: String = ""
        ) {
            self.status = status
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.generatorURL = generatorURL
            self.fingerprint = fingerprint
        }
    }

    public var receiver: String
    public var status: String
    public var alerts: [Alert]
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String

    public init(
        receiver: String, status: String, alerts: [Alert], groupLabels: [String: String],
        commonLabels: [String: String], commonAnnotations: [String: String], externalURL: String
    ) {
        self.receiver = receiver
        self.status = status
        self.alerts = alerts
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
    }

    /// The value to execute templates with.
    public var templateValue: TemplateValue {
        let alertValues = alerts.map(AlertmanagerTemplateData.alertValue)
        let fields: [(name: String, value: TemplateValue)] = [
            ("Receiver", .string(receiver)),
            ("Status", .string(status)),
            ("Alerts", AlertmanagerTemplateData.alertsValue(alertValues)),
            ("GroupLabels", AlertmanagerTemplateData.kv(groupLabels)),
            ("CommonLabels", AlertmanagerTemplateData.kv(commonLabels)),
            ("CommonAnnotations", AlertmanagerTemplateData.kv(commonAnnotations)),
            ("ExternalURL", .string(externalURL)),
        ]
        return .object(TemplateRecord(typeName: "template.Data", fields: fields))
    }

    static func alertValue(_ a: Alert) -> TemplateValue {
        .object(
            TemplateRecord(
                typeName: "template.Alert",
                fields: [
                    ("Status", .string(a.status)),
                    ("Labels", kv(a.labels)),
                    ("Annotations", kv(a.annotations)),
                    ("StartsAt", .time(a.startsAt)),
                    ("EndsAt", .time(a.endsAt)),
                    ("GeneratorURL", .string(a.generatorURL)),
                    ("Fingerprint", .string(a.fingerprint)),
                ]))
    }

    /// `template.Alerts`: a slice with Firing() and Resolved().
    static func alertsValue(_ alerts: [TemplateValue]) -> TemplateValue {
        // Firing() and Resolved() return a plain []Alert, without these methods.
        func filtered(_ status: String) -> TemplateFunction {
            TemplateFunction([]) { _ in
                let subset = alerts.filter { v in
                    if case .object(let o) = v, case .field(.string(let s))? = o.member(named: "Status") {
                        return s == status
                    }
                    return false
                }
                return .object(TemplateRecord(typeName: "[]template.Alert", underlying: .list(subset)))
            }
        }
        return .object(
            TemplateRecord(
                typeName: "template.Alerts",
                methods: ["Firing": filtered("firing"), "Resolved": filtered("resolved")],
                underlying: .list(alerts)))
    }

    /// Alertmanager's KV.SortedPairs order: alertname first, then by name.
    static func sortedKeys(_ m: [String: String]) -> [String] {
        var keys = m.keys.filter { $0 != "alertname" }.sorted(by: GoStrings.less)
        if m["alertname"] != nil { keys.insert("alertname", at: 0) }
        return keys
    }

    /// `template.KV`: a map[string]string with SortedPairs, Remove, Names and Values.
    public static func kv(_ m: [String: String]) -> TemplateValue {
        let keys: @Sendable () -> [String] = { sortedKeys(m) }
        let methods: [String: TemplateFunction] = [
            "SortedPairs": TemplateFunction([]) { _ in pairs(keys().map { ($0, m[$0]!) }) },
            "Names": TemplateFunction([]) { _ in .strings(keys()) },
            "Values": TemplateFunction([]) { _ in .strings(keys().map { m[$0]! }) },
            "Remove": TemplateFunction([.stringList]) { a in
                var copy = m
                for k in a[0].stringArray ?? [] { copy[k] = nil }
                return kv(copy)
            },
        ]
        return .object(TemplateRecord(typeName: "template.KV", methods: methods, underlying: .stringMap(m)))
    }

    /// `template.Pairs`: a slice of Pair{Name, Value} with Names() and Values().
    static func pairs(_ list: [(String, String)]) -> TemplateValue {
        let items: [TemplateValue] = list.map { name, value in
            .object(TemplateRecord(typeName: "template.Pair", fields: [("Name", .string(name)), ("Value", .string(value))]))
        }
        let methods: [String: TemplateFunction] = [
            "Names": TemplateFunction([]) { _ in .strings(list.map(\.0)) },
            "Values": TemplateFunction([]) { _ in .strings(list.map(\.1)) },
        ]
        return .object(TemplateRecord(typeName: "template.Pairs", methods: methods, underlying: .list(items)))
    }
}
