import PromQL
import TSDB
import Template

/// Prometheus 2.42's `RuleGroups.Validate` and `RuleNode.Validate`, with their error texts:
/// group names, then each rule's fields in Prometheus's order. Prometheus walks labels and
/// annotations in Go map order (random); here they are walked in file order.
enum RuleFileValidator {
    static func validate(_ file: RuleFile) -> [String] {
        var errors: [String] = []
        var seen = Set<String>()
        for g in file.groups {
            let at = "\(g.position.line):\(g.position.column)"
            if g.name.isEmpty {
                errors.append("\(at): Groupname must not be empty")
            }
            if seen.contains(g.name) {
                errors.append("\(at): groupname: \"\(g.name)\" is repeated in the same file")
            }
            seen.insert(g.name)
            for (i, r) in g.rules.enumerated() {
                let context = "group \(Labels.quote(g.name)), rule \(i + 1), \(Labels.quote(r.name))"
                for e in validate(r) {
                    let positions = e.positions.map { "\($0.line):\($0.column): " }.joined()
                    errors.append("\(positions)\(context): \(e.message)")
                }
            }
        }
        return errors
    }

    struct RuleError {
        var message: String
        var positions: [RuleFile.Position] = []
    }

    static func validate(_ r: RuleFile.Rule) -> [RuleError] {
        var errs: [RuleError] = []
        if !r.record.isEmpty && !r.alert.isEmpty {
            errs.append(RuleError(message: "only one of 'record' and 'alert' must be set",
                                  positions: [r.recordPosition, r.alertPosition]))
        }
        if r.record.isEmpty && r.alert.isEmpty {
            errs.append(RuleError(message: "one of 'record' or 'alert' must be set", positions: [r.recordPosition]))
        }
        if r.expr.isEmpty {
            errs.append(RuleError(message: "field 'expr' must be set in rule", positions: [r.exprPosition]))
        } else {
            do {
                _ = try PromQL.parse(r.expr)
            } catch {
                errs.append(RuleError(message: "could not parse expression: \(error.description)", positions: [r.exprPosition]))
            }
        }
        if !r.record.isEmpty {
            if !r.annotations.isEmpty {
                errs.append(RuleError(message: "invalid field 'annotations' in recording rule", positions: [r.recordPosition]))
            }
            if r.forDuration != 0 {
                errs.append(RuleError(message: "invalid field 'for' in recording rule", positions: [r.recordPosition]))
            }
            if r.keepFiringFor != 0 {
                errs.append(RuleError(message: "invalid field 'keep_firing_for' in recording rule", positions: [r.recordPosition]))
            }
            if !isValidMetricName(r.record) {
                errs.append(RuleError(message: "invalid recording rule name: \(r.record)", positions: [r.recordPosition]))
            }
        }
        for (k, v) in r.labels {
            if !isValidLabelName(k) || k == "__name__" {
                errs.append(RuleError(message: "invalid label name: \(k)"))
            }
            // A YAML string is always valid UTF-8, so label values cannot be invalid here.
            _ = v
        }
        for (k, _) in r.annotations where !isValidLabelName(k) {
            errs.append(RuleError(message: "invalid annotation name: \(k)"))
        }
        if !r.alert.isEmpty {
            for (k, v) in r.labels {
                do {
                    try PrometheusTemplateData.check(v, ruleName: r.alert)
                } catch {
                    errs.append(RuleError(message: "label \(Labels.quote(k)): \(error.description)"))
                }
            }
            for (k, v) in r.annotations {
                do {
                    try PrometheusTemplateData.check(v, ruleName: r.alert)
                } catch {
                    errs.append(RuleError(message: "annotation \(Labels.quote(k)): \(error.description)"))
                }
            }
        }
        return errs
    }

    /// `model.IsValidMetricName`: `^[a-zA-Z_:][a-zA-Z0-9_:]*$`.
    static func isValidMetricName(_ s: String) -> Bool {
        guard !s.isEmpty else { return false }
        for (i, b) in s.utf8.enumerated() {
            let letter = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x3A
            let digit = b >= 0x30 && b <= 0x39
            if !(letter || (i > 0 && digit)) { return false }
        }
        return true
    }

    /// `model.LabelName.IsValid`: `^[a-zA-Z_][a-zA-Z0-9_]*$`.
    static func isValidLabelName(_ s: String) -> Bool {
        guard !s.isEmpty else { return false }
        for (i, b) in s.utf8.enumerated() {
            let letter = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
            let digit = b >= 0x30 && b <= 0x39
            if !(letter || (i > 0 && digit)) { return false }
        }
        return true
    }
}
