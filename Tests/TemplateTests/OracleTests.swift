import Foundation
import Testing
@testable import Template

/// Every template in OracleCases and FuzzCorpus must render exactly as the real Alertmanager or
/// Prometheus did (output or error text).
@Suite struct OracleTests {
    private static func render(_ run: () throws(TemplateError) -> String) -> String {
        do {
            return try run()
        } catch {
            return "ERR:" + error.message
        }
    }

    /// amtool's own error output loses trailing blanks.
    private static func same(_ got: String, _ expected: String) -> Bool {
        if got.hasPrefix("ERR:") {
            return got.trimmingCharacters(in: .whitespacesAndNewlines) == expected.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return got == expected
    }

    private static func checkAlertmanager(_ set: TemplateSet, _ table: ((String, String) -> Void) -> Void) -> Int {
        let data = Fixtures.alertmanagerData.templateValue
        var count = 0
        table { template, expected in
            count += 1
            let got = render { () throws(TemplateError) in try set.executeText(template, data: data) }
            #expect(same(got, expected), "template: \(template)\n got: \(got)\nwant: \(expected)")
        }
        return count
    }

    private static func checkPrometheus(_ table: ((String, String) -> Void) -> Void) -> Int {
        let functions = FunctionRegistry.prometheus(query: Fixtures.query, externalURL: nil)
        let data = Fixtures.prometheusData.templateValue
        var count = 0
        table { template, expected in
            count += 1
            let got = render { () throws(TemplateError) in
                var set = TemplateSet(functions: functions, missingKey: .zero)
                try set.parse(PrometheusTemplateData.definitions + template, name: "__alert_A")
                return try set.execute("__alert_A", data: data)
            }
            #expect(same(got, expected), "template: \(template)\n got: \(got)\nwant: \(expected)")
        }
        return count
    }

    @Test func alertmanagerCases() {
        #expect(Self.checkAlertmanager(TemplateSet(functions: .alertmanager), OracleCases.alertmanager) > 250)
    }

    @Test func alertmanagerDefaultTemplateCases() throws {
        #expect(Self.checkAlertmanager(try AlertmanagerDefaultTemplates.templateSet(), OracleCases.alertmanagerDefaults) > 10)
    }

    @Test func prometheusCases() {
        #expect(Self.checkPrometheus(OracleCases.prometheus) > 50)
    }

    @Test func alertmanagerRandomTemplates() {
        #expect(Self.checkAlertmanager(TemplateSet(functions: .alertmanager), FuzzCorpus.alertmanager) > 300)
    }

    @Test func prometheusRandomTemplates() {
        #expect(Self.checkPrometheus(FuzzCorpus.prometheus) > 200)
    }
}
