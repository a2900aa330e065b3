import Foundation
import Testing
@testable import Notify

/// `CheckConfig.run` against the real `amtool check-config` (Alertmanager 0.25) on good and
/// bad files: the same stdout (Vigil's warning lines aside), stderr and exit code.
@Suite struct CheckConfigTests {
    static let cases: [String] = [
        "route:\n  receiver: x\n  foo: 1\n  routes:\n  - receiver: x\n    bar: 2\nreceivers:\n- name: x\n  slack_configs:\n  - channel: a\n    baz: 1\n    api_url: http://x\nglobal:\n  qux: 1\n",
        "route:\n  receiver: x\n  group_wait: abc\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  slack_configs:\n  - channel: a\n",
        "route:\n  receiver: x\n  matchers: [\"foo=~(\"]\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  repeat_interval: 2m\nreceivers:\n- name: x\n",
        "receivers:\n- name: x\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n- name: x\n",
        "route:\n  receiver: x\n  group_by: [a, a]\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  webhook_configs:\n  - url: foo\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  pagerduty_configs:\n  - severity: x\n",
        "route:\n  receiver: x\n  group_by: [\"...\", a]\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  match_re:\n    a: \"(\"\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  mute_time_intervals: [foo]\nreceivers:\n- name: x\n",
        "",
        "route:\n  receiver: y\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  routes:\n  - receiver: x\n    matchers: ['a=\"b\"', 'c!~d.*']\n    continue: true\n    group_by: ['...']\n  - receiver: x\n    match:\n      team: payment\n    repeat_interval: 1m\ninhibit_rules:\n- source_match:\n    severity: critical\n  target_matchers: [severity=warning]\n  equal: [alertname]\nreceivers:\n- name: x\n  webhook_configs:\n  - url: http://127.0.0.1:1/hook\n    max_alerts: 3\n",
        "route:\n  receiver: x\n  group_interval: 0s\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  continue: true\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  matchers: ['a=\"b']\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  slack_configs:\n  - api_url: http://h/x\n    fields:\n    - title: t\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  webhook_configs:\n  - url: http://h/x\n    max_alerts: abc\n",
        "route:\n  receiver: x\n  routes:\n  - receiver: x\n    active_time_intervals: [nights]\ntime_intervals:\n- name: nights\n  time_intervals:\n  - times:\n    - start_time: '20:00'\n      end_time: '24:00'\n    weekdays: ['monday:friday']\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\nreceivers:\n- slack_configs: []\n",
        "global:\n  resolve_timeout: 1m\n  slack_api_url: 'ftp://x'\nroute:\n  receiver: x\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  receiver: y\nreceivers:\n- name: x\n",
        "route: [\n",
        "route:\n  receiver: x\n\tfoo: 1\n",
        "route:\n  receiver: \"x\n",
        "route:\n  receiver: x\n  continue: maybe\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  group_by: a\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  email_configs:\n  - to: a@b\n",
        "global:\n  smtp_smarthost: 'mail:25'\nroute:\n  receiver: x\nreceivers:\n- name: x\n  email_configs:\n  - to: a@b\n",
        "global:\n  smtp_smarthost: 'mail:25'\n  smtp_from: a@b\nroute:\n  receiver: x\nreceivers:\n- name: x\n  email_configs:\n  - to: a@b\n",
        "route:\n  receiver: x\ntemplates: ['*.tmpl']\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\ntemplates: ['bad.tmpl']\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\ntemplates: ['good.tmpl']\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  match:\n    a: b\n    a: c\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\ninhibit_rules:\n- equal: ['a-b']\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  slack_configs:\n  - api_url: http://h/x\n    actions:\n    - type: button\n      text: t\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  msteams_configs: []\n  discord_configs: []\n",
        "hello\n",
        "- a\n- b\n",
        "route:\n  receiver: x\n  routes: {a: 1}\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\n  group_wait: 5\nreceivers:\n- name: x\n",
        "route:\n  receiver: [x]\nreceivers:\n- name: x\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  webhook_configs:\n  - url: http://h/x\n    max_alerts: -1\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  webhook_configs:\n  - url: http://h/x\n    http_config:\n      basic_auth: {username: u, password: p}\n      bearer_token: t\n",
        "route:\n  receiver: x\nreceivers:\n- name: x\n  webhook_configs:\n  - url: http://h/x\n    http_config:\n      tls_config: {insecure_skip_verify: true, foo: 1}\n      proxy_url: http://proxy:3128\n",
    ]

    /// Vigil's own lines, absent from amtool's output.
    static func withoutWarnings(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("  WARNING: ") }.joined(separator: "\n")
    }

    @Test(arguments: Array(cases.indices))
    func sameAsAmtool(_ index: Int) throws {
        guard referenceAvailable(amtoolPath) else { return }
        let dir = Fixtures.tempDir()
        _ = Fixtures.write(Self.cases[index], "t.yml", in: dir)
        _ = Fixtures.write(#"{{ define "x" }}{{ .Foo {{ end }}"#, "bad.tmpl", in: dir)
        _ = Fixtures.write(#"{{ define "x" }}{{ .Foo }}{{ end }}"#, "good.tmpl", in: dir)
        let (out, err, code) = runProcess(amtoolPath, ["check-config", "t.yml"], cwd: dir)
        // Cases run in parallel: no chdir, the absolute path printed back as amtool saw it.
        var mine = CheckConfig.run(files: [dir + "/t.yml"])
        mine.output = mine.output.replacingOccurrences(of: "Checking '\(dir)/t.yml'", with: "Checking 't.yml'")
        #expect(Self.withoutWarnings(mine.output) == out, "case \(index)")
        #expect(mine.errorOutput == err, "case \(index)")
        #expect(mine.exitCode == code, "case \(index)")
    }

    @Test func examplesSameAsAmtool() throws {
        guard referenceAvailable(amtoolPath) else { return }
        let files = [Fixtures.example("alertmanager.yml"), Fixtures.example("alertmanager-routing.yml")]
        let (out, err, code) = runProcess(amtoolPath, ["check-config"] + files)
        let mine = CheckConfig.run(files: files)
        #expect(Self.withoutWarnings(mine.output) == out)
        #expect(mine.errorOutput == err)
        #expect(mine.exitCode == code)
        #expect(mine.output.contains("WARNING: route at line 6"))
    }

    @Test func missingFile() {
        let r = CheckConfig.run(files: ["/nonexistent/am.yml"])
        #expect(r.exitCode == 1)
        #expect(r.errorOutput == "amtool: error: path '/nonexistent/am.yml' does not exist\n")
    }
}
