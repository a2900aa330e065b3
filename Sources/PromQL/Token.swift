/// The lexical items of PromQL. The grouping (operators, aggregators, keywords) matters beyond
/// parsing: Prometheus names an unexpected token differently per group (`<op:*>`,
/// `<aggr:sum>`, `<by>`), and error messages must read the same.
enum TokenKind: UInt8, Sendable {
    case eof
    case identifier
    case metricIdentifier
    case number
    case string
    case duration
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma
    case assign  // "=" (only meaningful inside braces)
    case colon

    // Operators.
    case add, sub, mul, div, mod, pow, eqlc, neq, lte, lss, gte, gtr, eqlRegex, neqRegex
    case land, lor, lunless, atan2, at

    // Aggregators.
    case avg, bottomk, count, countValues, group, max, min, quantile, stddev, stdvar, sum, topk

    // Keywords.
    case bool, by, groupLeft, groupRight, ignoring, offset, on, without

    // @ modifier preprocessors.
    case start, end

    var isOperator: Bool { rawValue >= TokenKind.add.rawValue && rawValue <= TokenKind.at.rawValue }
    var isAggregator: Bool { rawValue >= TokenKind.avg.rawValue && rawValue <= TokenKind.topk.rawValue }
    var isKeyword: Bool { rawValue >= TokenKind.bool.rawValue && rawValue <= TokenKind.without.rawValue }

    /// Words the lexer turns into tokens other than identifiers, by lowercased spelling.
    static let keywords: [String: TokenKind] = [
        "and": .land, "or": .lor, "unless": .lunless, "atan2": .atan2,
        "sum": .sum, "avg": .avg, "count": .count, "min": .min, "max": .max, "group": .group,
        "stddev": .stddev, "stdvar": .stdvar, "topk": .topk, "bottomk": .bottomk,
        "count_values": .countValues, "quantile": .quantile,
        "offset": .offset, "by": .by, "without": .without, "on": .on, "ignoring": .ignoring,
        "group_left": .groupLeft, "group_right": .groupRight, "bool": .bool,
        "start": .start, "end": .end,
        "inf": .number, "nan": .number,
    ]

    /// Tokens that may name a metric where an expression starts (Prometheus's
    /// `metric_identifier` rule): `by`, `and` or `offset` alone are valid selectors.
    var canBeMetricName: Bool {
        switch self {
        case .identifier, .metricIdentifier, .by, .land, .lor, .lunless, .offset, .without, .start, .end:
            return true
        default:
            return isAggregator
        }
    }

    /// Tokens that may stand for a label name in `by (...)` and similar lists (`maybe_label`).
    var canBeGroupingLabel: Bool {
        switch self {
        case .identifier, .metricIdentifier, .bool, .by, .groupLeft, .groupRight, .ignoring,
             .land, .lor, .lunless, .offset, .on, .start, .end, .atan2:
            return true
        default:
            return isAggregator
        }
    }

    /// Tokens an expression can begin with; after `group_left` they mean "no label list".
    var canStartExpression: Bool {
        switch self {
        case .leftBrace, .leftParen, .number, .string, .add, .sub:
            return true
        default:
            return canBeMetricName
        }
    }

    var binaryOperator: BinaryOp? {
        switch self {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .mod: return .mod
        case .pow: return .pow
        case .atan2: return .atan2
        case .eqlc: return .eql
        case .neq: return .neq
        case .lte: return .lte
        case .lss: return .lss
        case .gte: return .gte
        case .gtr: return .gtr
        case .land: return .and
        case .lor: return .or
        case .lunless: return .unless
        default: return nil
        }
    }

    var aggregateOperator: AggregateOp? {
        switch self {
        case .avg: return .avg
        case .bottomk: return .bottomk
        case .count: return .count
        case .countValues: return .countValues
        case .group: return .group
        case .max: return .max
        case .min: return .min
        case .quantile: return .quantile
        case .stddev: return .stddev
        case .stdvar: return .stdvar
        case .sum: return .sum
        case .topk: return .topk
        default: return nil
        }
    }
}

/// One lexed item: its kind and where its text is in the input (byte offsets).
struct Token: Sendable {
    var kind: TokenKind
    var start: Int
    var end: Int

    var range: PositionRange { PositionRange(start: start, end: end) }

    func text(_ src: [UInt8]) -> String {
        String(decoding: src[start..<end], as: UTF8.self)
    }

    /// How Prometheus names this token after "unexpected " in a syntax error.
    func describe(_ src: [UInt8]) -> String {
        let text = self.text(src)
        switch kind {
        case .eof: return "end of input"
        case .identifier: return "identifier " + GoFormat.quote(text)
        case .metricIdentifier: return "metric identifier " + GoFormat.quote(text)
        case .number: return "number " + Token.itemString(text)
        case .string: return "string " + Token.itemString(text)
        case .duration: return "duration " + Token.itemString(text)
        case .at:
            // 2.42 has no display name for `@`, so Go prints the raw token number.
            return "\"<Item 57385>\" <op:\(text)>"
        default:
            if kind.isKeyword { return "<\(text)>" }
            if kind.isOperator { return "<op:\(text)>" }
            if kind.isAggregator { return "<aggr:\(text)>" }
            return Token.itemString(text)
        }
    }

    /// Go's `Item.String()` fallback: quoted; when longer than ten bytes, cut to ten runes
    /// and followed by "...".
    private static func itemString(_ text: String) -> String {
        if text.utf8.count > 10 { return GoFormat.quote(text, truncatedTo: 10) + "..." }
        return GoFormat.quote(text)
    }
}
