import PromQL
import TSDB

/// Everything one group evaluation gives its rules: the engine, the storage, the evaluation
/// timestamp and the values templates can see.
struct RuleEvaluationContext {
    var engine: Engine
    var storage: any RuleStorage
    /// Unix milliseconds, the same for every rule of the group in one round.
    var timestamp: Int64
    var externalLabels: [String: String]
    /// `$externalURL` in templates (the configured external URL, or "" when there is none).
    var externalURL: String
    /// What the `externalURL`/`pathPrefix` template functions return; nil makes them fail,
    /// as under promtool.
    var externalURLFunction: String?
    /// The group's `limit`; 0 is none.
    var limit: Int

    /// The instant query Prometheus's rule manager runs (`EngineQueryFunc`): a vector as it is,
    /// a scalar as one sample without labels, anything else an error.
    func query(_ expr: Expr) throws(RuleError) -> [Sample] {
        let result: QueryResult
        do {
            result = try engine.instantQuery(expr, at: timestamp, storage: storage)
        } catch {
            throw RuleError(error.message)
        }
        switch result {
        case .vector(let v): return v
        case .scalar(let t, let v): return [Sample(labels: .empty, t: t, v: v)]
        default: throw RuleError("rule result is not a vector or scalar")
        }
    }
}

/// Why a rule evaluation failed, in Prometheus's words; shown as the rule's `lastError`.
public struct RuleError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A rule's health as `/api/v1/rules` reports it.
public enum RuleHealth: String, Sendable {
    case unknown
    case ok
    case err
}
