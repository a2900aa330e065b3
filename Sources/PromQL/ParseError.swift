/// Byte offsets `[start, end)` of a node or token in the query text. Byte (not character)
/// offsets because that is what Prometheus reports, and columns must agree with it.
public struct PositionRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public var description: String { "\(start)..<\(end)" }
}

/// A query that is not valid PromQL. `description` reads exactly like Prometheus 2.42's
/// `1:14: parse error: unexpected <op:*>`, because API clients, Grafana and users match on
/// that text; the position is also kept as numbers so a UI can point at it.
public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message without the position prefix, in Prometheus's wording.
    public let message: String
    /// Where the problem is; `start` is what line and column refer to.
    public let positionRange: PositionRange
    /// 1-based line of `positionRange.start`.
    public let line: Int
    /// 1-based column of `positionRange.start`, counted in bytes as Prometheus does.
    public let column: Int

    /// Byte offset of the problem in the query.
    public var offset: Int { positionRange.start }

    public init(message: String, positionRange: PositionRange, line: Int, column: Int) {
        self.message = message
        self.positionRange = positionRange
        self.line = line
        self.column = column
    }

    /// Computes line and column of `range.start` within `input`.
    init(_ message: String, at range: PositionRange, in input: [UInt8]) {
        var line = 1
        var lastBreak = -1
        let limit = min(max(range.start, 0), input.count)
        var i = 0
        while i < limit {
            if input[i] == 0x0A {
                line += 1
                lastBreak = i
            }
            i += 1
        }
        self.init(message: message, positionRange: range, line: line, column: range.start - lastBreak)
    }

    public var description: String { "\(line):\(column): parse error: \(message)" }
}
