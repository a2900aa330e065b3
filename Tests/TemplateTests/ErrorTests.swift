import Testing
@testable import Template

/// Error kinds and positions, which rule-file and config checks report on their own.
@Suite struct ErrorTests {
    private func error(_ text: String, data: TemplateValue = .null) -> TemplateError? {
        do {
            _ = try TemplateSet.render(text, name: "tmpl", data: data, functions: .alertmanager)
            return nil
        } catch {
            return error
        }
    }

    @Test func parseErrorsCarryLineAndColumn() throws {
        let e = try #require(error("first line\n  {{ .A | nope }}"))
        #expect(e.kind == .parse)
        #expect(e.message == #"template: tmpl:2: function "nope" not defined"#)
        #expect(e.line == 2 && e.column == 10, "column \(String(describing: e.column))")
        #expect(e.templateName == "tmpl")
        let unclosed = try #require(error("a\n{{ if .X }}\nb"))
        #expect(unclosed.message == "template: tmpl:3: unexpected EOF")
        let action = try #require(error("{{ .A\n\n"))
        #expect(action.message == "template: tmpl:3: unclosed action started at tmpl:1")
    }

    @Test func executionErrorsNameTheNodeAndPosition() throws {
        let data = TemplateValue.stringMap(["a": "x"])
        let e = try #require(error("line one\n  {{ .a.b }}", data: data))
        #expect(e.kind == .execution)
        #expect(e.message == #"template: tmpl:2:7: executing "tmpl" at <.a.b>: can't evaluate field b in type string"#)
        #expect(e.line == 2 && e.column == 7)
        let inDefine = try #require(error(#"{{ define "d" }}{{ index . 3 }}{{ end }}{{ template "d" "ab" }}"#))
        #expect(inDefine.message == #"template: tmpl:1:19: executing "d" at <index . 3>: error calling index: index out of range: 3"#)
    }

    @Test func errorDescriptionIsTheMessage() throws {
        let e = try #require(error("{{ 1 2 }}"))
        #expect("\(e)" == e.message)
    }
}
