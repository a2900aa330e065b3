import Foundation
import Testing
@testable import Template

private func render(_ text: String, _ data: TemplateValue = .null, functions: FunctionRegistry = .builtins,
                    missingKey: MissingKey = .zero) throws(TemplateError) -> String {
    try TemplateSet.render(text, name: "t", data: data, functions: functions, missingKey: missingKey)
}

/// A caller-defined object type, as Notify will define its own data.
private struct Host: TemplateObject {
    var name: String
    var cores: Int
    var typeName: String { "notify.Host" }
    func member(named name: String) -> TemplateMember? {
        switch name {
        case "Name": return .field(.string(self.name))
        case "Cores": return .field(.int(cores))
        case "Describe": return .method(TemplateFunction([.string]) { [n = self.name] a in .string("\(a[0].stringValue) \(n)") })
        default: return nil
        }
    }
    var structFields: [TemplateValue] { [.string(name), .int(cores)] }
}

@Suite struct TemplateSetTests {
    @Test func definitionsAreSharedAcrossFilesAndLaterFilesWin() throws {
        var set = TemplateSet(functions: .alertmanager)
        try set.parse(#"{{ define "greeting" }}hello {{ . }}{{ end }}{{ define "name" }}base{{ end }}"#, name: "a.tmpl")
        try set.parse(#"{{ define "name" }}override{{ end }}"#, name: "b.tmpl")
        try set.parse(#"{{ define "greeting" }}   {{ end }}"#, name: "c.tmpl")  // empty bodies do not replace
        #expect(try set.execute("greeting", data: "x") == "hello x")
        #expect(try set.execute("name", data: .null) == "override")
        #expect(set.names == ["greeting", "name", "a.tmpl", "b.tmpl", "c.tmpl"])
        #expect(set.contains("greeting") && !set.contains("nope"))
    }

    @Test func executeTextSeesDefinitionsButLeavesTheSetAlone() throws {
        var set = TemplateSet()
        try set.parse(#"{{ define "x" }}[{{ . }}]{{ end }}"#, name: "defs")
        #expect(try set.executeText(#"{{ define "y" }}Y{{ end }}{{ template "x" 1 }}{{ template "y" }}"#, data: .null) == "[1]Y")
        #expect(!set.contains("y"))
    }

    @Test func unknownTemplateName() {
        let set = TemplateSet()
        #expect(throws: TemplateError.self) { try set.execute("missing", data: .null) }
        do {
            _ = try set.execute("missing", data: .null)
        } catch {
            #expect(error.message == #"template: no template "missing" associated with template """#)
        }
    }

    @Test func missingKeyOptions() throws {
        let labels = TemplateValue.stringMap(["a": "1"])
        let any = TemplateValue.map(["a": 1])
        #expect(try render("{{ .b }}|{{ .a }}", labels, missingKey: .zero) == "|1")
        #expect(try render("{{ .b }}", any, missingKey: .zero) == "<no value>")
        #expect(try render("{{ .b }}|{{ print .b }}", labels, missingKey: .invalid) == "<no value>|<nil>")
        #expect(throws: TemplateError.self) { try render("{{ .b }}", labels, missingKey: .error) }
        do {
            _ = try render("{{ .b }}", labels, missingKey: .error)
        } catch {
            #expect(error.message == #"template: t:1:3: executing "t" at <.b>: map has no entry for key "b""#)
        }
    }

    @Test func customObjectsExposeFieldsAndMethods() throws {
        let host = TemplateValue.object(Host(name: "db1", cores: 8))
        #expect(try render(#"{{ .Name }} has {{ .Cores }} cores; {{ .Describe "host" }}; {{ . }}; {{ printf "%v" . }}"#, host)
                == "db1 has 8 cores; host db1; {db1 8}; {db1 8}")
        #expect(try render(#"{{ "ab" | .Describe }}"#, host) == "ab db1")
        #expect(throws: TemplateError.self) { try render("{{ .Nope }}", host) }
        do {
            _ = try render("{{ .Nope }}", host)
        } catch {
            #expect(error.message.hasSuffix("can't evaluate field Nope in type notify.Host"))
        }
    }

    @Test func recordsWithUnderlyingCollections() throws {
        let list = TemplateValue.object(TemplateRecord(
            typeName: "main.Items", methods: ["Count": TemplateFunction { _ in .int(2) }],
            underlying: .list(["x", "y"])))
        #expect(try render("{{ range . }}{{ . }}{{ end }}|{{ len . }}|{{ .Count }}|{{ index . 1 }}|{{ . }}", list) == "xy|2|2|y|[x y]")
        let named = TemplateValue.object(TemplateRecord(typeName: "main.Level", underlying: .int(3)) { "high" })
        #expect(try render("{{ . }}|{{ printf \"%d\" . }}|{{ eq . 3 }}", named) == "high|3|true")
    }

    @Test func callInvokesFunctionValues() throws {
        let data = TemplateValue.map([
            "add": .function(TemplateFunction([.int, .int]) { a in
                guard case .int(let x) = a[0], case .int(let y) = a[1] else { return .null }
                return .int(x + y)
            }),
        ])
        #expect(try render("{{ call .add 2 3 }}", data) == "5")
        #expect(throws: TemplateError.self) { try render(#"{{ call .add "x" 3 }}"#, data) }
    }

    @Test func registeredFunctionsOverrideBuiltinsAndCanFail() throws {
        var functions = FunctionRegistry.builtins
        functions.register("len", TemplateFunction([.any]) { _ in .int(42) })
        functions.register("boom", TemplateFunction([]) { _ in throw TemplateFunctionError("kaboom") })
        #expect(try render(#"{{ len "abc" }}"#, functions: functions) == "42")
        do {
            _ = try render("x{{ boom }}", functions: functions)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == #"template: t:1:4: executing "t" at <boom>: error calling boom: kaboom"#)
        }
        // Functions are checked when parsing, against the registry the set was made with.
        #expect(throws: TemplateError.self) { try render("{{ humanize 1 }}") }
        #expect(try render("{{ humanize 1234 }}", functions: .prometheus()) == "1.234k")
    }

    @Test func recursionStopsAtTheDepthLimit() throws {
        var set = TemplateSet()
        try set.parse(#"{{ define "loop" }}{{ template "loop" . }}{{ end }}"#, name: "t")
        do {
            _ = try set.execute("loop", data: .null)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasSuffix("exceeded maximum template depth (\(Executor.maxDepth))"))
        }
        // Deep but finite recursion works.
        try set.parse(#"{{ define "count" }}{{ if . }}.{{ template "count" (slice . 1) }}{{ end }}{{ end }}"#, name: "u")
        let items = TemplateValue.list(Array(repeating: .int(1), count: 90))
        #expect(try set.execute("count", data: items).count == 90)
    }

    @Test func hostileNestingIsAnErrorNotACrash() throws {
        let deepIfs = String(repeating: "{{ if 1 }}", count: 450) + "x" + String(repeating: "{{ end }}", count: 450)
        #expect(try TemplateSet.render(deepIfs, data: .null) == "x")
        let tooDeep = String(repeating: "{{ with 1 }}", count: 600) + String(repeating: "{{ end }}", count: 600)
        #expect(throws: TemplateError.self) { try TemplateSet.render(tooDeep, data: .null) }
        let parens = "{{ " + String(repeating: "(", count: 450) + "1" + String(repeating: ")", count: 450) + " }}"
        #expect(try TemplateSet.render(parens, data: .null) == "1")
        let tooManyParens = "{{ " + String(repeating: "(", count: 600) + "1" + String(repeating: ")", count: 600) + " }}"
        #expect(throws: TemplateError.self) { try TemplateSet.render(tooManyParens, data: .null) }
        // Many templates each nesting blocks: the executor's own bound applies.
        var set = TemplateSet()
        let body = String(repeating: "{{ with . }}", count: 40) + "{{ template \"next\" . }}" + String(repeating: "{{ end }}", count: 40)
        try set.parse("{{ define \"next\" }}\(body){{ end }}", name: "t")
        do {
            _ = try set.execute("next", data: 1)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("exceeded maximum nesting depth (1000)"))
        }
    }

    @Test func setsAreSharedAcrossConcurrentExecutions() async throws {
        var set = TemplateSet(functions: .prometheus())
        try set.parse(#"{{ range $k, $v := . }}{{ $k }}={{ $v | humanize }} {{ end }}"#, name: "t")
        let shared = set
        try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<16 {
                group.addTask { try shared.execute("t", data: .map(["a": .float(Double(i) * 1000), "b": .int(i)])) }
            }
            var results: [String] = []
            for try await r in group { results.append(r) }
            #expect(results.count == 16)
            #expect(results.contains("a=5k b=5 "))
        }
    }

    @Test func parsedTemplatesExecuteQuickly() throws {
        var set = try AlertmanagerDefaultTemplates.templateSet()
        try set.parse(#"{{ template "slack.default.title" . }} {{ range .Alerts }}{{ .Labels.instance }} {{ .Annotations.summary }}{{ end }}"#, name: "msg")
        let data = Fixtures.alertmanagerData.templateValue
        let start = Date()
        for _ in 0..<2000 { _ = try set.execute("msg", data: data) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 10, "2000 executions took \(elapsed)s")
    }
}
