import GoText
import TSDB

/// Prometheus HTTP API JSON for query results (`/api/v1/query`, `/api/v1/query_range`).
public enum QueryResultJSON {
    /// The whole success envelope: `{"status":"success","data":{...}}`.
    public static func encode(_ r: QueryResult) -> String {
        var out = "{\"status\":\"success\",\"data\":"
        appendData(r, to: &out)
        out += "}"
        return out
    }

    /// The error envelope: `{"status":"error","errorType":"execution","error":"..."}`.
    public static func encode(_ e: QueryError) -> String {
        var out = "{\"status\":\"error\",\"errorType\":"
        appendString(e.errorType, to: &out)
        out += ",\"error\":"
        appendString(e.message, to: &out)
        out += "}"
        return out
    }

    /// `{"resultType":...,"result":...}`.
    public static func appendData(_ r: QueryResult, to out: inout String) {
        switch r {
        case .scalar(let t, let v):
            // Scalars and strings go through Go's encoding/json: the time as a JSON float,
            // the value as FormatFloat 'f'.
            out += "{\"resultType\":\"scalar\",\"result\":["
            out += goJSONFloat(Double(t) / 1000)
            out += ","
            appendString(formatFloatF(v), to: &out)
            out += "]"
        case .string(let t, let s):
            out += "{\"resultType\":\"string\",\"result\":["
            out += goJSONFloat(Double(t) / 1000)
            out += ","
            appendString(s, to: &out)
            out += "]"
        case .vector(let samples):
            out += "{\"resultType\":\"vector\",\"result\":["
            for (k, s) in samples.enumerated() {
                if k > 0 { out += "," }
                out += "{\"metric\":"
                appendLabels(s.labels, to: &out)
                out += ",\"value\":"
                appendPoint(s.t, formatValue(s.v), to: &out)
                out += "}"
            }
            out += "]"
        case .matrix(let series):
            out += "{\"resultType\":\"matrix\",\"result\":["
            for (k, s) in series.enumerated() {
                if k > 0 { out += "," }
                out += "{\"metric\":"
                appendLabels(s.labels, to: &out)
                out += ",\"values\":["
                for (j, p) in s.points.enumerated() {
                    if j > 0 { out += "," }
                    appendPoint(p.t, formatValue(p.v), to: &out)
                }
                out += "]}"
            }
            out += "]"
        }
        out += "}"
    }

    /// Prometheus's jsonutil.MarshalValue: strconv.FormatFloat(v, 'f', -1, 64), or 'e' below
    /// 1e-6 and from 1e21 on (absolute), with "NaN", "+Inf", "-Inf".
    public static func formatValue(_ v: Double) -> String {
        let a = Swift.abs(v)
        if a != 0 && a.isFinite && (a < 1e-6 || a >= 1e21) { return formatFloatE(v) }
        return formatFloatF(v)
    }

    /// Go's encoding/json float: 'f' format, 'e' below 1e-6 and from 1e21 on (`1e-7`, `1e+21`).
    public static func goJSONFloat(_ f: Double) -> String {
        let a = Swift.abs(f)
        if a != 0 && (a < 1e-6 || a >= 1e21) {
            var e = formatFloatE(f)
            // encoding/json writes e-07 as e-7.
            if let r = e.range(of: "e-0") { e.replaceSubrange(r, with: "e-") }
            return e
        }
        return formatFloatF(f)
    }

    /// Milliseconds as seconds with up to three decimals, as Prometheus's MarshalTimestamp.
    public static func formatTimestamp(_ t: Int64) -> String {
        var out = ""
        var t = t
        if t < 0 {
            out += "-"
            t = -t
        }
        out += String(t / 1000)
        let frac = t % 1000
        if frac != 0 {
            out += "."
            if frac < 100 { out += "0" }
            if frac < 10 { out += "0" }
            out += String(frac)
        }
        return out
    }

    static func appendPoint(_ t: Int64, _ v: String, to out: inout String) {
        out += "["
        out += formatTimestamp(t)
        out += ","
        appendString(v, to: &out)
        out += "]"
    }

    public static func appendLabels(_ l: Labels, to out: inout String) {
        out += "{"
        for (k, x) in l.enumerated() {
            if k > 0 { out += "," }
            appendString(x.name, to: &out)
            out += ":"
            appendString(x.value, to: &out)
        }
        out += "}"
    }

    public static func appendString(_ s: String, to out: inout String) { GoJSONString.append(s, to: &out) }
}
