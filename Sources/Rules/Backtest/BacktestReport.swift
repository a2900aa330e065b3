import Foundation
import PromQL
import TSDB

extension Backtest.Result {
    /// The human report: per alerting rule, how often and how long it fired, then each alert's
    /// pending and firing intervals.
    public var text: String {
        var out = "Backtest \(Self.time(options.from)) .. \(Self.time(options.to)): \(evaluations) group evaluations\n"
        for e in errors {
            out += "  rule \(e.rule) failed at \(Self.time(e.time)): \(e.message)\n"
        }
        for (name, hold, _) in rules {
            let mine = alerts.filter { $0.rule == name }
            let firings = mine.reduce(0) { $0 + $1.firings }
            let firingMs = mine.reduce(Int64(0)) { $0 + $1.firingMilliseconds(until: options.to) }
            out += "\n\(name) (for: \(PromQLDuration.format(milliseconds: hold))): "
            out += firings == 0 ? "never fired" : "fired \(firings) time\(firings == 1 ? "" : "s"), firing \(PromQLDuration.format(milliseconds: firingMs)) in total"
            out += "\n"
            for a in mine {
                out += "  \(a.labels)\n"
                for iv in a.intervals {
                    let end = iv.end.map(Self.time) ?? "(still \(iv.state.name) at the end)"
                    let length = PromQLDuration.format(milliseconds: (iv.end ?? options.to) - iv.start)
                    out += "    \(iv.state.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(Self.time(iv.start)) .. \(end)  (\(length))\n"
                }
            }
        }
        return out
    }

    /// The same as JSON, for tools.
    public var json: String {
        var rulesOut: [String] = []
        for (name, hold, query) in rules {
            let mine = alerts.filter { $0.rule == name }
            let alertsJSON = mine.map { a -> String in
                let labels = "{" + a.labels.map { "\(Self.quote($0.name)):\(Self.quote($0.value))" }.joined(separator: ",") + "}"
                let ivs = a.intervals.map { iv in
                    "{\"state\":\"\(iv.state.name)\",\"start\":\(Self.quote(Self.time(iv.start))),\"end\":\(iv.end.map { Self.quote(Self.time($0)) } ?? "null")}"
                }.joined(separator: ",")
                return "{\"labels\":\(labels),\"firings\":\(a.firings),\"firingSeconds\":\(Double(a.firingMilliseconds(until: options.to)) / 1000),\"intervals\":[\(ivs)]}"
            }
            let firings = mine.reduce(0) { $0 + $1.firings }
            rulesOut.append("{\"name\":\(Self.quote(name)),\"query\":\(Self.quote(query)),\"for\":\(Self.quote(PromQLDuration.format(milliseconds: hold))),\"firings\":\(firings),\"alerts\":[\(alertsJSON.joined(separator: ","))]}")
        }
        let errs = errors.map { "{\"rule\":\(Self.quote($0.rule)),\"time\":\(Self.quote(Self.time($0.time))),\"error\":\(Self.quote($0.message))}" }
        return "{\"from\":\(Self.quote(Self.time(options.from))),\"to\":\(Self.quote(Self.time(options.to))),\"evaluations\":\(evaluations),\"rules\":[\(rulesOut.joined(separator: ","))],\"errors\":[\(errs.joined(separator: ","))]}"
    }

    static func time(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = ms % 1000 == 0 ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func quote(_ s: String) -> String {
        var out = ""
        QueryResultJSON.appendString(s, to: &out)
        return out
    }
}
