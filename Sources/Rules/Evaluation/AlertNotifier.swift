import TSDB

/// An alert as it leaves the rule engine for an Alertmanager (built-in or external): the
/// shape of Alertmanager's postable alert. Times are Unix milliseconds.
public struct OutgoingAlert: Sendable, Equatable {
    /// The alert's labels plus the external labels it does not already have.
    public var labels: Labels
    public var annotations: [Label]
    public var startsAt: Int64
    /// The resolution time of a resolved alert; otherwise when the alert expires unless re-sent.
    public var endsAt: Int64
    public var generatorURL: String

    public init(labels: Labels, annotations: [Label], startsAt: Int64, endsAt: Int64, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}

/// Where the rule engine delivers alerts; the built-in Alertmanager and forwarding to external
/// Alertmanagers plug in here. Called from rule evaluation: it must not block for long.
public protocol AlertNotifier: Sendable {
    func send(_ alerts: [OutgoingAlert])
}

extension OutgoingAlert {
    /// Prometheus's conversion (`main.sendAlerts`): starts when it fired, ends when resolved or
    /// when its validity runs out; links to the expression's table view.
    init(_ a: Alert, expr: String, externalURL: String, externalLabels: Labels) {
        var l = a.labels
        for e in externalLabels where l[e.name] == nil { l = l.setting(e.name, to: e.value) }
        self.init(labels: l, annotations: a.annotations, startsAt: a.firedAt ?? a.activeAt,
                  endsAt: a.resolvedAt ?? a.validUntil ?? a.activeAt,
                  generatorURL: externalURL + graphLink(expr))
    }
}

/// Prometheus's `strutil.TableLinkForExpression`.
func graphLink(_ expr: String) -> String {
    "/graph?g0.expr=" + goQueryEscape(expr) + "&g0.tab=1"
}

/// Go's `url.QueryEscape`: unreserved bytes as they are, space as `+`, the rest `%XX`.
func goQueryEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    let hex = Array("0123456789ABCDEF".utf8)
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "."), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(b))
        case UInt8(ascii: " "):
            out += "+"
        default:
            out += "%"
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 15)]))
        }
    }
    return out
}
