/// The data Prometheus gives an alerting rule's label and annotation templates.
///
/// Prometheus executes each template with a struct of the alert's labels, the external
/// labels and URL and the sample value, after prepending definitions of `$labels`,
/// `$externalLabels`, `$externalURL` and `$value`; positions in errors count those
/// definitions, so `expand` reproduces the whole arrangement, error wording included.
public struct PrometheusTemplateData: Sendable {
    public var labels: [String: String]
    public var externalLabels: [String: String]
    public var externalURL: String
    public var value: Double

    /// The variable definitions Prometheus puts in front of every alert template.
    public static let definitions =
        "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

    public init(labels: [String: String], externalLabels: [String: String] = [:], externalURL: String = "", value: Double) {
        self.labels = labels
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.value = value
    }

    public var templateValue: TemplateValue {
        .object(
            TemplateRecord(
                typeName:
                    "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }",
                fields: [
                    ("Labels", .stringMap(labels)),
                    ("ExternalLabels", .stringMap(externalLabels)),
                    ("ExternalURL", .string(externalURL)),
                    ("Value", .float(value)),
                ]))
    }

    /// Prometheus's template expansion of one label or annotation of rule `ruleName`
    /// (template name `__alert_<rule>`), with its error texts (`error parsing template …`,
    /// `error executing template …`). Prometheus itself shows a failure as
    /// `<error expanding template: MESSAGE>` in place of the value.
    public func expand(_ text: String, ruleName: String, functions: FunctionRegistry) throws(TemplateError) -> String {
        let name = "__alert_" + ruleName
        var set = TemplateSet(functions: functions, missingKey: .zero)
        do {
            try set.parse(PrometheusTemplateData.definitions + text, name: name)
        } catch {
            throw error.prefixed("error parsing template \(name): ")
        }
        do {
            return try set.execute(name, data: templateValue)
        } catch {
            throw error.prefixed("error executing template \(name): ")
        }
    }
}

extension PrometheusTemplateData {
    /// Parses a label or annotation template as `promtool check rules` does (with the
    /// variable definitions, without executing it); the error is the one promtool prints.
    public static func check(_ text: String, ruleName: String, functions: FunctionRegistry = .prometheus())
        throws(TemplateError)
    {
        var set = TemplateSet(functions: functions, missingKey: .zero)
        try set.parse(definitions + text, name: "__alert_" + ruleName)
    }
}

extension TemplateError {
    func prefixed(_ prefix: String) -> TemplateError {
        TemplateError(kind: kind, templateName: templateName, line: line, column: column, message: prefix + message)
    }
}
