import Foundation
import TSDB

/// `promtool check rules` of Prometheus 2.42: validates rule files and reports like promtool,
/// including its `--lint=duplicate-rules` check and exit codes (0 valid, 1 invalid, 3 lint
/// problems with `--lint-fatal`).
public enum CheckRules {
    /// promtool's `--lint` setting: a comma-separated list of `all`, `duplicate-rules`, `none`.
    public struct LintSettings: Sendable {
        public var duplicateRules: Bool
        public var fatal: Bool

        public init(duplicateRules: Bool = true, fatal: Bool = false) {
            self.duplicateRules = duplicateRules
            self.fatal = fatal
        }

        /// Parses `--lint`'s value; unknown options are warned about on stdout, as promtool does.
        public static func parse(_ value: String, fatal: Bool, warn: (String) -> Void) -> LintSettings {
            var s = LintSettings(duplicateRules: false, fatal: fatal)
            for setting in value.split(separator: ",", omittingEmptySubsequences: false) {
                switch setting {
                case "all", "duplicate-rules": s.duplicateRules = true
                case "none": break
                default: warn("WARNING: unknown lint option \(setting)\n")
                }
            }
            return s
        }
    }

    /// Checks `files` as `promtool check rules FILE...` does, writing its output; returns the
    /// exit code.
    public static func run(files: [String], lint: LintSettings = LintSettings(),
                           stdout: (String) -> Void, stderr: (String) -> Void) -> Int32 {
        var failed = false
        var hasErrors = false
        for f in files {
            stdout("Checking \(f)\n")
            switch check(file: f, lint: lint) {
            case .success(let n):
                stdout("  SUCCESS: \(n) rules found\n")
            case .failure(let problem):
                stderr("  FAILED:\n")
                for e in problem.errors { stderr(e + "\n") }
                failed = true
                hasErrors = hasErrors || !problem.lintOnly
            }
            stdout("\n")
        }
        if failed && hasErrors { return 1 }
        if failed && lint.fatal { return 3 }
        return 0
    }

    public struct Problem: Error, Sendable {
        public var errors: [String]
        /// True when the only problem is a lint finding (exit code 0, or 3 with `--lint-fatal`).
        public var lintOnly: Bool
    }

    /// One file: the number of rules, or its errors in promtool's words.
    public static func check(file: String, lint: LintSettings = LintSettings()) -> Result<Int, Problem> {
        let rf: RuleFile
        switch RuleFile.parseFile(file) {
        case .success(let f): rf = f
        case .failure(let e): return .failure(Problem(errors: e.messages, lintOnly: false))
        }
        let count = rf.groups.reduce(0) { $0 + $1.rules.count }
        if lint.duplicateRules {
            let dups = duplicates(rf.groups)
            if !dups.isEmpty {
                var msg = "\(dups.count) duplicate rule(s) found.\n"
                for d in dups {
                    msg += "Metric: \(d.metric)\nLabel(s):\n"
                    for (k, v) in d.labels { msg += "\t\(k): \(v)\n" }
                }
                msg += "Might cause inconsistency while recording expressions"
                return .failure(Problem(errors: ["lint error " + msg], lintOnly: true))
            }
        }
        return .success(count)
    }

    struct RuleKey {
        var metric: [UInt8]
        var labels: [([UInt8], [UInt8])]
        var display: (metric: String, labels: [(String, String)])
    }

    /// promtool's `checkDuplicates`: rules with the same name (alert or record) and labels,
    /// across all groups, each reported once, in sorted order.
    static func duplicates(_ groups: [RuleFile.Group]) -> [(metric: String, labels: [(String, String)])] {
        var keys: [RuleKey] = []
        for g in groups {
            for r in g.rules {
                var uniq: [String: String] = [:]
                for (k, v) in r.labels { uniq[k] = v }
                let sorted = uniq.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
                keys.append(RuleKey(metric: Array(r.name.utf8),
                                    labels: sorted.map { (Array($0.key.utf8), Array($0.value.utf8)) },
                                    display: (r.name, sorted.map { ($0.key, $0.value) })))
            }
        }
        guard keys.count >= 2 else { return [] }
        keys.sort { compare($0, $1) < 0 }
        var out: [RuleKey] = []
        var last = keys[0]
        for k in keys.dropFirst() {
            if compare(last, k) == 0, out.isEmpty || compare(last, out[out.count - 1]) != 0 {
                out.append(k)
            }
            last = k
        }
        return out.map { $0.display }
    }

    private static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a == b { return 0 }
        return a.lexicographicallyPrecedes(b) ? -1 : 1
    }

    /// strings.Compare on the name, then `labels.Compare`.
    static func compare(_ a: RuleKey, _ b: RuleKey) -> Int {
        let c = compare(a.metric, b.metric)
        if c != 0 { return c }
        for (x, y) in zip(a.labels, b.labels) {
            let n = compare(x.0, y.0)
            if n != 0 { return n }
            let v = compare(x.1, y.1)
            if v != 0 { return v }
        }
        return a.labels.count - b.labels.count
    }
}
