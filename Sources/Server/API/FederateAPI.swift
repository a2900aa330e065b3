import Hummingbird
import PromQL
import TSDB

/// `/federate`: the latest sample of every series matching `match[]`, in the text format, with
/// the external labels a series lacks appended (what a higher-level Prometheus scrapes).
enum FederateAPI {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext, externalLabels: Labels) {
        router.get("/federate") { request, _ -> Response in
            let form: FormValues
            let sets: [[Matcher]]
            do throws(APIError) {
                form = try await ctx.form(request)
                sets = try SeriesAPI.matcherSets(form.all("match[]"))
            } catch {
                return APIResponse.text(error.message + "\n", status: .badRequest)
            }
            let now = APIContext.now()
            var latest: [Labels: (Int64, Double)] = [:]
            for ms in sets {
                let series = (try? ctx.db.select(ms, mint: now - ctx.engineOptions.lookbackDelta, maxt: now)) ?? []
                for s in series {
                    guard let t = s.timestamps.last, let v = s.values.last, !StaleMarker.isStale(v) else { continue }
                    latest[s.labels] = (t, v)
                }
            }
            let ordered = latest.keys.sorted {
                let (a, b) = ($0.name ?? "", $1.name ?? "")
                return a != b ? a.utf8.lexicographicallyPrecedes(b.utf8) : $0.lexicographicallyPrecedes($1)
            }
            var out = ""
            var family: String?
            for l in ordered {
                let name = l.name ?? ""
                if name != family {
                    out += "# TYPE \(name) untyped\n"
                    family = name
                }
                var pairs = l.filter { $0.name != Labels.metricName }.map { ($0.name, $0.value) }
                for e in externalLabels where l[e.name] == nil { pairs.append((e.name, e.value)) }
                out += name
                if !pairs.isEmpty {
                    out += "{" + pairs.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
                }
                let (t, v) = latest[l]!
                out += " " + goFloatG(v) + " \(t)\n"
            }
            return APIResponse.text(out, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    /// The text format's label value escaping: backslash, double quote, newline.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// expfmt's sample value: `strconv.FormatFloat(v, 'g', -1, 64)` (exponent from 1e+06 on and
    /// below 1e-04), with 1, 0 and -1 written plainly.
    static func goFloatG(_ v: Double) -> String {
        if v == 0 { return "0" }
        if !v.isFinite { return formatFloatF(v) }
        let e = formatFloatE(v)
        guard let idx = e.lastIndex(where: { $0 == "e" }), let exp = Int(e[e.index(after: idx)...]) else { return e }
        return exp < -4 || exp >= 6 ? e : formatFloatF(v)
    }
}
