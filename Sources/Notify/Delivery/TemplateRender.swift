import Foundation
import Template

/// `vigil template render`: a notification template executed against sample (or given)
/// alerts, with the default templates and the config's `templates:` files loaded, so a
/// user sees the text without waiting for an incident.
public enum TemplateRender {
    public static func render(
        _ text: String, config: AlertmanagerConfig? = nil, receiver: String = "test-receiver", alerts: [Alert]? = nil,
        externalURL: String = "http://localhost:9093", now: Date = Date()
    ) -> (output: String, exitCode: Int32) {
        let templates: TemplateSet
        do {
            templates = try TemplateLoader.load(globs: config?.templates ?? [], baseDirectory: config?.baseDirectory ?? ".")
        } catch {
            return ("vigil: error: \(error)\n", 1)
        }
        let list = alerts ?? ReceiverTest.sampleAlerts(now: now)
        let groupLabels = list.first.map { ["alertname": $0.labels["alertname"] ?? ""] } ?? [:]
        let context = NotificationContext(
            receiver: receiver, groupKey: "{}:" + labelSetString(groupLabels), groupLabels: groupLabels, alerts: list, now: now,
            externalURL: externalURL)
        do {
            return (try templates.executeText(text, data: context.templateData().templateValue), 0)
        } catch {
            return ("vigil: error: \(error.message)\n", 1)
        }
    }
}
