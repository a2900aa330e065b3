#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PromQL
import TSDB
import Yams

/// `promtool test rules` of Prometheus 2.42: runs unit test files and reports like promtool.
///
/// Input series are loaded at 0, interval, 2·interval, …; the rule files' groups are
/// evaluated every `evaluation_interval` from 0 to the latest `eval_time`, their output
/// appended like in a server; each `alert_rule_test` compares the firing alerts after the
/// evaluation at or just before its `eval_time`; each `promql_expr_test` is an instant query
/// afterwards, compared with the expected samples after sorting both by labels, values
/// compared with `==` (so, as in promtool 2.42, an expected NaN never matches).
public enum RuleUnitTests {
    /// The outcome of one test file.
    public struct FileResult: Sendable {
        public var file: String
        /// promtool's error texts, in its order; empty when the file passed.
        public var errors: [String]
        /// Every promql_expr_test that was evaluated, passed or not.
        public var cases: [CaseResult]
        public var passed: Bool { errors.isEmpty }
    }

    public struct CaseResult: Sendable {
        public var expr: String
        public var evalTime: Int64
        public var passed: Bool
        /// promtool's text for the failure, nil when passed.
        public var error: String?
    }

    /// Tests `files` as `promtool test rules FILE...` does, writing its output; returns the
    /// exit code (0 all passed, 1 otherwise).
    public static func run(files: [String], stdout: (String) -> Void, stderr: (String) -> Void) -> Int32 {
        for f in files where !FileManager.default.fileExists(atPath: f) {
            stderr("vigil: error: path '\(f)' does not exist, try --help\n")
            return 1
        }
        var failed = false
        for f in files {
            stdout("Unit Testing:  \(f)\n")
            let r = testFile(f, warn: stderr)
            if r.errors.isEmpty {
                stdout("  SUCCESS\n")
            } else {
                stderr("  FAILED:\n")
                for e in r.errors {
                    stderr(e + "\n")
                    stdout("\n")
                }
                failed = true
            }
            stdout("\n")
        }
        return failed ? 1 : 0
    }

    /// Runs one test file.
    public static func testFile(_ path: String, engineOptions: EngineOptions? = nil,
                                warn: (String) -> Void = { _ in }) -> FileResult {
        var result = FileResult(file: path, errors: [], cases: [])
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            result.errors = ["open \(path): no such file or directory"]
            return result
        }
        let file: UnitTestFile
        do {
            file = try UnitTestFileDecoder.decode(text)
        } catch {
            result.errors = [error.description]
            return result
        }
        let dir = (path as NSString).deletingLastPathComponent
        var ruleFiles: [String] = []
        for rf in file.ruleFiles {
            let full = rf.isEmpty || rf.hasPrefix("/") ? rf : (dir.isEmpty ? rf : dir + "/" + rf)
            let matches = glob(full)
            if matches.isEmpty { warn("  WARNING: no file match pattern \(full)\n") }
            ruleFiles += matches
        }
        let evalInterval = file.evaluationInterval == 0 ? 60_000 : file.evaluationInterval
        var seen = Set<String>()
        for g in file.groupEvalOrder {
            if !seen.insert(g).inserted {
                result.errors = ["group name repeated in evaluation order: \(g)"]
                return result
            }
        }
        for group in file.tests {
            let (errs, cases) = GroupRunner(group: group, evalInterval: evalInterval, ruleFiles: ruleFiles,
                                            engineOptions: engineOptions, groupEvalOrder: file.groupEvalOrder).run()
            result.errors += errs
            result.cases += cases
        }
        return result
    }

    /// The files matching a shell glob (a plain path when it has no wildcard and exists).
    public static func glob(_ pattern: String) -> [String] {
        if !pattern.contains(where: { "*?[".contains($0) }) {
            return FileManager.default.fileExists(atPath: pattern) ? [pattern] : []
        }
        var g = glob_t()
        defer { globfree(&g) }
        #if canImport(Glibc)
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        #else
        guard Darwin.glob(pattern, 0, nil, &g) == 0 else { return [] }
        #endif
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out
    }
}

/// One `tests:` entry: loads its series, checks alerts and PromQL expressions.
struct GroupRunner {
    var group: UnitTestFile.TestGroup
    var evalInterval: Int64
    var ruleFiles: [String]
    var engineOptions: EngineOptions?

    var groupEvalOrder: [String] = []

    func run() -> ([String], [RuleUnitTests.CaseResult]) {
        // Input series, as promtool's lazy loader reads them.
        var defs: [Labels: [(Int64, Double)]] = [:]
        var order: [Labels] = []
        for s in group.inputSeries {
            let labels: Labels
            let values: SeriesNotation.Values
            do {
                (labels, values) = try SeriesNotation.parse(series: s.series, values: s.values)
            } catch {
                return ([error.description], [])
            }
            var samples: [(Int64, Double)] = []
            for (i, v) in values.enumerated() {
                guard let v else { continue }
                let t = Int64(i) * group.interval
                if let last = samples.last, last.0 >= t { continue }
                samples.append((t, v))
            }
            if defs[labels] == nil { order.append(labels) }
            defs[labels] = samples
        }

        // The rule files' groups, in group_eval_order (groups it does not name first, then
        // file order; promtool leaves their order to Go's map iteration).
        var groups: [RuleGroup] = []
        var loadErrors: [String] = []
        for rf in ruleFiles {
            switch RuleGroupLoader.load(rf, defaultInterval: group.interval) {
            case .failure(let e): loadErrors += e.messages
            case .success(let gs): groups += gs
            }
        }
        if !loadErrors.isEmpty { return (loadErrors, []) }
        let rank = Dictionary(groupEvalOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        groups = groups.enumerated().sorted {
            let (a, b) = (rank[$0.element.name] ?? 0, rank[$1.element.name] ?? 0)
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)

        for a in group.alertRuleTests where a.alertname.isEmpty {
            let name = group.name.isEmpty ? "" : " (in TestGroup \(group.name))"
            return (["an item under alert_rule_test misses required attribute alertname at eval_time \(PromQLDuration.format(milliseconds: a.evalTime))\(name)"], [])
        }

        var opts = engineOptions ?? EngineOptions()
        if engineOptions == nil {
            opts.maxSamples = 10_000
            opts.timeout = .seconds(100)
        }
        opts.defaultSubqueryStep = evalInterval
        let engine = Engine(options: opts)
        let storage = MemoryRuleStorage()
        var external: [Label] = []
        for (n, v) in group.externalLabels { external.append(Label(n, v)) }
        let env = RuleEnvironment(engine: engine, storage: storage,
                                  externalLabels: (try? Labels(external)) ?? .empty,
                                  externalURL: group.externalURL)

        // Evaluate every evalInterval from 0 to the latest eval_time, loading the input samples
        // up to each evaluation first; alerts are compared after the evaluation at or just
        // before their eval_time.
        let maxEval = max(group.alertRuleTests.map(\.evalTime).max() ?? 0, group.promqlExprTests.map(\.evalTime).max() ?? 0)
        let alertTimes = Array(Set(group.alertRuleTests.map(\.evalTime))).sorted()
        var nextAlertTime = 0
        var loaded = [Int](repeating: 0, count: order.count)
        var errs: [String] = []
        var ts: Int64 = 0
        while ts <= maxEval {
            var batch: [(Labels, Int64, Double)] = []
            for (i, l) in order.enumerated() {
                let samples = defs[l]!
                while loaded[i] < samples.count, samples[loaded[i]].0 <= ts {
                    batch.append((l, samples[loaded[i]].0, samples[loaded[i]].1))
                    loaded[i] += 1
                }
            }
            if !batch.isEmpty { _ = try? storage.appendRuleOutput(batch) }

            var evalErrors: [String] = []
            for g in groups {
                g.evaluate(at: ts, environment: env)
                for r in g.rules {
                    if let e = r.status.lastError {
                        evalErrors.append("    rule: \(r.name), time: \(goDurationString(milliseconds: ts)), err: \(e)")
                    }
                }
            }
            errs += evalErrors
            if !evalErrors.isEmpty { return (errs, []) }

            while nextAlertTime < alertTimes.count, ts <= alertTimes[nextAlertTime], alertTimes[nextAlertTime] < ts + evalInterval {
                let t = alertTimes[nextAlertTime]
                for test in group.alertRuleTests where test.evalTime == t {
                    var got: [Alert] = []
                    for g in groups {
                        for case .alerting(let a) in g.rules where a.name == test.alertname {
                            got += a.activeAlerts.filter { $0.state == .firing }
                        }
                    }
                    if let msg = AlertFormat.mismatch(group: group.name, test: test, got: got) { errs.append(msg) }
                }
                nextAlertTime += 1
            }
            ts += evalInterval
        }

        var cases: [RuleUnitTests.CaseResult] = []
        for c in group.promqlExprTests {
            let msg = check(c, engine: engine, storage: storage)
            cases.append(.init(expr: c.expr, evalTime: c.evalTime, passed: msg == nil, error: msg))
            if let msg { errs.append(msg) }
        }
        return (errs, cases)
    }

    private func check(_ c: UnitTestFile.PromQLTestCase, engine: Engine, storage: MemoryRuleStorage) -> String? {
        let head = "    expr: \(Labels.quote(c.expr)), time: \(PromQLDuration.format(milliseconds: c.evalTime))"
        var got: [(Labels, Double)]
        do {
            switch try engine.instantQuery(c.expr, at: c.evalTime, storage: storage) {
            case .vector(let v): got = v.map { ($0.labels, $0.v) }
            case .scalar(_, let v): got = [(Labels.empty, v)]
            default: return head + ", err: rule result is not a vector or scalar"
            }
        } catch {
            return head + ", err: \(error.message)"
        }
        var exp: [(Labels, Double)] = []
        for s in c.expSamples {
            do {
                exp.append((try SeriesNotation.parseMetric(s.labels), s.value))
            } catch {
                return head + ", err: labels \(Labels.quote(s.labels)): \(error)"
            }
        }
        exp.sort { SampleFormat.compare($0.0, $1.0) < 0 }
        got.sort { SampleFormat.compare($0.0, $1.0) < 0 }
        let equal = exp.count == got.count && zip(exp, got).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        if equal { return nil }
        return head + ",\n        exp: \(SampleFormat.list(exp))\n        got: \(SampleFormat.list(got))"
    }
}

/// How promtool prints samples and orders label sets.
enum SampleFormat {
    /// Go's `labels.Labels.String()`: `{__name__="x", a="b"}`.
    static func labels(_ l: Labels) -> String {
        "{" + l.map { "\($0.name)=\(Labels.quote($0.value))" }.joined(separator: ", ") + "}"
    }

    static func list(_ s: [(Labels, Double)]) -> String {
        if s.isEmpty { return "nil" }
        return s.map { labels($0.0) + " " + GoFloat.formatE($0.1) }.joined(separator: ", ")
    }

    /// Go's `labels.Compare`: by name, then value, pair by pair (bytewise), then length.
    static func compare(_ a: Labels, _ b: Labels) -> Int {
        for (x, y) in zip(a, b) {
            if x.name != y.name { return x.name.utf8.lexicographicallyPrecedes(y.name.utf8) ? -1 : 1 }
            if x.value != y.value { return x.value.utf8.lexicographicallyPrecedes(y.value.utf8) ? -1 : 1 }
        }
        return a.count - b.count
    }
}

/// promtool's report of an alert_rule_test whose alerts differ.
enum AlertFormat {
    /// nil when the firing alerts `got` are the expected ones; promtool's error text otherwise.
    static func mismatch(group: String, test: UnitTestFile.AlertTestCase, got: [Alert]) -> String? {
        var exp: [(Labels, Labels)] = []
        for a in test.expAlerts {
            var l = Dictionary(a.labels, uniquingKeysWith: { $1 })
            l["alertname"] = test.alertname
            let labels = Labels(sortedUnchecked: l.map { Label($0.key, $0.value) }.sorted())
            let ann = Labels(sortedUnchecked: Dictionary(a.annotations, uniquingKeysWith: { $1 }).map { Label($0.key, $0.value) }.sorted())
            exp.append((labels, ann))
        }
        var have = got.map { ($0.labels, Labels(sortedUnchecked: $0.annotations)) }
        func less(_ x: (Labels, Labels), _ y: (Labels, Labels)) -> Bool {
            let c = SampleFormat.compare(x.0, y.0)
            return c != 0 ? c < 0 : SampleFormat.compare(x.1, y.1) < 0
        }
        exp.sort(by: less)
        have.sort(by: less)
        if exp.count == have.count && zip(exp, have).allSatisfy({ $0.0 == $1.0 && $0.1.labels == $1.1.labels }) {
            return nil
        }
        let name = group.isEmpty ? "" : "    name: \(group),\n"
        let indent = "            "
        return "\(name)    alertname: \(test.alertname), time: \(PromQLDuration.format(milliseconds: test.evalTime)), \n        exp:\(indentLines(string(exp), indent)), \n        got:\(indentLines(string(have), indent))"
    }

    private static func string(_ la: [(Labels, Labels)]) -> String {
        if la.isEmpty { return "[]" }
        func one(_ x: (Labels, Labels)) -> String {
            "Labels:" + SampleFormat.labels(x.0) + "\nAnnotations:" + SampleFormat.labels(x.1)
        }
        var s = "[\n0:" + indentLines("\n" + one(la[0]), "  ")
        for (i, l) in la.dropFirst().enumerated() {
            s += ",\n\(i + 1):" + indentLines("\n" + one(l), "  ")
        }
        return s + "\n]"
    }

    private static func indentLines(_ lines: String, _ indent: String) -> String {
        let parts = lines.split(separator: "\n", omittingEmptySubsequences: false)
        var out = ""
        for (i, l) in parts.enumerated() {
            if i > 0 { out += indent }
            out += l
            if i != parts.count - 1 { out += "\n" }
        }
        return out
    }
}

/// Go's `time.Duration.String()` for whole milliseconds: `0s`, `500ms`, `1m30s`, `1h0m0s`.
func goDurationString(milliseconds ms: Int64) -> String {
    if ms == 0 { return "0s" }
    let neg = ms < 0
    var u = ms.magnitude
    if u < 1000 { return (neg ? "-" : "") + "\(u)ms" }
    let frac = u % 1000
    u /= 1000
    var out = ""
    let secs = u % 60
    out = "\(secs)"
    if frac != 0 {
        var f = String(frac)
        while f.count < 3 { f = "0" + f }
        while f.hasSuffix("0") { f.removeLast() }
        out += "." + f
    }
    out += "s"
    u /= 60
    if u > 0 {
        out = "\(u % 60)m" + out
        u /= 60
        if u > 0 { out = "\(u)h" + out }
    }
    return (neg ? "-" : "") + out
}
