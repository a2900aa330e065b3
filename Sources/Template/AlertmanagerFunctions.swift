import Foundation

extension FunctionRegistry {
    /// Alertmanager's template functions (template.DefaultFuncs), for notification templates.
    ///
    /// Alertmanager 0.25 has toUpper, toLower, title, join, match, safeHtml, reReplaceAll and
    /// stringSlice; `date`, `tz`, `since` and `humanizeDuration` came in later releases and are
    /// included because users copy templates written for them. `now` fixes the clock for `since`.
    public static func alertmanager(now: @escaping @Sendable () -> Date = { Date() }) -> FunctionRegistry {
        var r = FunctionRegistry()
        let common = PrometheusFunctions.common
        for name in ["toUpper", "toLower", "safeHtml"] { r.register(name, common[name]!) }
        // Alertmanager's title is x/text's cases.Title, unlike Prometheus's strings.Title.
        r.register("title", TemplateFunction([.string]) { .string(GoStrings.titleWords($0[0].stringValue)) })
        r.register("match", PrometheusFunctions.match)
        r.register("reReplaceAll", PrometheusFunctions.reReplaceAll)
        r.register("join", TemplateFunction([.string, .stringList]) { a in
            .string((a[1].stringArray ?? []).joined(separator: a[0].stringValue))
        })
        r.register("stringSlice", TemplateFunction([], variadic: .string) { .strings($0.map(\.stringValue)) })
        r.register("date", TemplateFunction([.string, .time]) { a in .string(a[1].timeValue.format(a[0].stringValue)) })
        r.register("tz", TemplateFunction([.string, .time]) { a in
            let name = a[0].stringValue
            guard let t = a[1].timeValue.inZone(name) else { throw TemplateFunctionError("unknown time zone \(name)") }
            return .time(t)
        })
        r.register("since", TemplateFunction([.time]) { a in
            .duration(TemplateTime(now()).subtracting(a[0].timeValue))
        })
        r.register("humanizeDuration", PrometheusFunctions.humanizeDurationFunction)
        return r
    }

    /// Alertmanager's functions with the real clock.
    public static var alertmanager: FunctionRegistry { alertmanager() }
}
