/// The functions of Prometheus 2.42, with the signatures its parser checks.
///
/// An enum rather than a name lookup so the evaluator can switch over calls exhaustively and
/// a missing implementation is a compile error. `histogram_count`, `histogram_sum` and
/// `histogram_fraction` exist for native histograms; they parse (2.42 accepts them) even
/// though Vigil stores no native histograms.
public enum Function: String, CaseIterable, Hashable, Sendable {
    case abs
    case absent
    case absentOverTime = "absent_over_time"
    case acos, acosh, asin, asinh, atan, atanh
    case avgOverTime = "avg_over_time"
    case ceil
    case changes
    case clamp
    case clampMax = "clamp_max"
    case clampMin = "clamp_min"
    case cos, cosh
    case countOverTime = "count_over_time"
    case daysInMonth = "days_in_month"
    case dayOfMonth = "day_of_month"
    case dayOfWeek = "day_of_week"
    case dayOfYear = "day_of_year"
    case deg
    case delta
    case deriv
    case exp
    case floor
    case histogramCount = "histogram_count"
    case histogramFraction = "histogram_fraction"
    case histogramQuantile = "histogram_quantile"
    case histogramSum = "histogram_sum"
    case holtWinters = "holt_winters"
    case hour
    case idelta
    case increase
    case irate
    case labelJoin = "label_join"
    case labelReplace = "label_replace"
    case lastOverTime = "last_over_time"
    case ln, log10, log2
    case maxOverTime = "max_over_time"
    case minOverTime = "min_over_time"
    case minute
    case month
    case pi
    case predictLinear = "predict_linear"
    case presentOverTime = "present_over_time"
    case quantileOverTime = "quantile_over_time"
    case rad
    case rate
    case resets
    case round
    case scalar
    case sgn
    case sin, sinh
    case sort
    case sortDesc = "sort_desc"
    case sqrt
    case stddevOverTime = "stddev_over_time"
    case stdvarOverTime = "stdvar_over_time"
    case sumOverTime = "sum_over_time"
    case tan, tanh
    case time
    case timestamp
    case vector
    case year

    /// The name as written in PromQL.
    public var name: String { rawValue }

    /// The function called `name` (case-sensitive, like Prometheus), if any.
    public init?(name: String) {
        self.init(rawValue: name)
    }

    /// The declared argument types. With `variadic != 0` the last entry is optional and,
    /// for `variadic == -1`, repeats.
    public var argTypes: [ValueType] {
        switch self {
        case .abs, .absent, .acos, .acosh, .asin, .asinh, .atan, .atanh, .ceil, .cos, .cosh,
             .deg, .exp, .floor, .histogramCount, .histogramSum, .ln, .log10, .log2, .rad, .sgn,
             .sin, .sinh, .sort, .sortDesc, .sqrt, .tan, .tanh, .timestamp, .scalar,
             .daysInMonth, .dayOfMonth, .dayOfWeek, .dayOfYear, .hour, .minute, .month, .year:
            return [.vector]
        case .absentOverTime, .avgOverTime, .changes, .countOverTime, .delta, .deriv, .idelta,
             .increase, .irate, .lastOverTime, .maxOverTime, .minOverTime, .presentOverTime,
             .rate, .resets, .stddevOverTime, .stdvarOverTime, .sumOverTime:
            return [.matrix]
        case .clamp: return [.vector, .scalar, .scalar]
        case .clampMax, .clampMin, .round: return [.vector, .scalar]
        case .histogramFraction: return [.scalar, .scalar, .vector]
        case .histogramQuantile: return [.scalar, .vector]
        case .holtWinters: return [.matrix, .scalar, .scalar]
        case .labelJoin: return [.vector, .string, .string, .string]
        case .labelReplace: return [.vector, .string, .string, .string, .string]
        case .pi, .time: return []
        case .predictLinear: return [.matrix, .scalar]
        case .quantileOverTime: return [.scalar, .matrix]
        case .vector: return [.scalar]
        }
    }

    /// 0: exactly `argTypes`. Otherwise the last type is optional and may be given up to
    /// `variadic` times (`round(x)`, `round(x, 5)`), or any number of times for -1
    /// (`label_join`'s source labels).
    public var variadic: Int {
        switch self {
        case .daysInMonth, .dayOfMonth, .dayOfWeek, .dayOfYear, .hour, .minute, .month, .year, .round:
            return 1
        case .labelJoin:
            return -1
        default:
            return 0
        }
    }

    public var returnType: ValueType {
        switch self {
        case .pi, .time, .scalar: return .scalar
        default: return .vector
        }
    }

    /// The fewest arguments a call may have.
    public var minArgs: Int { variadic == 0 ? argTypes.count : argTypes.count - 1 }

    /// The most arguments a call may have; nil when unbounded.
    public var maxArgs: Int? {
        switch variadic {
        case 0: return argTypes.count
        case -1: return nil
        default: return argTypes.count - 1 + variadic
        }
    }
}
