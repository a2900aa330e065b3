import PromQL
import TSDB

/// Turns validated rule files into runnable groups.
public enum RuleGroupLoader {
    /// Reads, validates and builds the groups of `path`. A file with any error builds no group
    /// (as Prometheus: a rule file loads whole or not at all).
    public static func load(_ path: String, defaultInterval: Int64) -> Result<[RuleGroup], RuleFileErrors> {
        switch RuleFile.parseFile(path) {
        case .failure(let e): return .failure(e)
        case .success(let f): return build(f, file: path, defaultInterval: defaultInterval)
        }
    }

    /// Builds the groups of a parsed file; `file` names them (their key is file and name).
    public static func build(_ f: RuleFile, file: String, defaultInterval: Int64) -> Result<[RuleGroup], RuleFileErrors> {
        var groups: [RuleGroup] = []
        var errors: [String] = []
        for g in f.groups {
            var rules: [Rule] = []
            for r in g.rules {
                let expr: Expr
                do { expr = try PromQL.parse(r.expr) } catch {
                    errors.append("\(file): group \(g.name), rule \(r.name): \(error)")
                    continue
                }
                if r.isAlert {
                    rules.append(.alerting(AlertingRule(
                        name: r.alert, expr: expr, holdDuration: r.forDuration, keepFiringFor: r.keepFiringFor,
                        labels: r.labels, annotations: r.annotations)))
                } else {
                    rules.append(.recording(RecordingRule(name: r.record, expr: expr, labels: r.labels)))
                }
            }
            groups.append(RuleGroup(name: g.name, file: file, interval: g.interval > 0 ? g.interval : defaultInterval,
                                    limit: g.limit, rules: rules))
        }
        if !errors.isEmpty { return .failure(RuleFileErrors(messages: errors)) }
        return .success(groups)
    }
}
