import Foundation

/// A Prometheus 2.42 rule file (`rulefmt.RuleGroups`): groups of recording and alerting rules.
///
/// `parse` reads and validates it as Prometheus's `rulefmt.Parse` does: a strict YAML decode
/// (unknown fields and type mismatches are errors with their line), then the semantic checks
/// of `RuleGroups.Validate`; every error reads exactly as promtool 2.42 prints it.
public struct RuleFile: Sendable {
    public var groups: [Group] = []

    public init(groups: [Group] = []) { self.groups = groups }

    /// A position in the file, 1-based; `(0, 0)` for a field that is absent (as in Prometheus).
    public struct Position: Sendable, Equatable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
        public static let none = Position(line: 0, column: 0)
    }

    public struct Group: Sendable {
        public var name = ""
        /// Milliseconds; 0 when absent (the global evaluation interval applies).
        public var interval: Int64 = 0
        /// 0 means no limit.
        public var limit = 0
        public var rules: [Rule] = []
        /// Where the group's mapping starts.
        public var position = Position.none
        public init() {}
    }

    public struct Rule: Sendable {
        public var record = ""
        public var alert = ""
        public var expr = ""
        /// Milliseconds.
        public var forDuration: Int64 = 0
        /// Milliseconds.
        public var keepFiringFor: Int64 = 0
        /// In file order.
        public var labels: [(String, String)] = []
        /// In file order.
        public var annotations: [(String, String)] = []
        public var recordPosition = Position.none
        public var alertPosition = Position.none
        public var exprPosition = Position.none
        public init() {}

        /// The alert name for an alerting rule, the recorded metric name otherwise.
        public var name: String { alert.isEmpty ? record : alert }
        public var isAlert: Bool { !alert.isEmpty }
    }

    /// Parses and validates `text`; returns the groups, or promtool's error lines (without
    /// the file name prefix, which `parseFile` adds).
    public static func parse(_ text: String) -> Result<RuleFile, RuleFileErrors> {
        let file: RuleFile
        switch RuleFileDecoder.decode(text) {
        case .success(let f): file = f
        case .failure(let e): return .failure(e)
        }
        let errors = RuleFileValidator.validate(file)
        if !errors.isEmpty { return .failure(RuleFileErrors(messages: errors)) }
        return .success(file)
    }

    /// Reads, parses and validates the file at `path`; error lines are prefixed with `path: `
    /// as Prometheus's `rulefmt.ParseFile` does.
    public static func parseFile(_ path: String) -> Result<RuleFile, RuleFileErrors> {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file or directory"
            return .failure(RuleFileErrors(messages: ["\(path): open \(path): \(reason)"]))
        }
        let text = String(decoding: data, as: UTF8.self)
        switch parse(text) {
        case .success(let f): return .success(f)
        case .failure(let e): return .failure(RuleFileErrors(messages: e.messages.map { "\(path): \($0)" }))
        }
    }
}

/// Every problem found in a rule file, each as one promtool error text (possibly multi-line).
public struct RuleFileErrors: Error, Sendable, CustomStringConvertible {
    public var messages: [String]
    public init(messages: [String]) { self.messages = messages }
    public var description: String { messages.joined(separator: "\n") }
}
