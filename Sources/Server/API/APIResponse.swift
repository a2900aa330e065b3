import Foundation
import Hummingbird
import PromQL

/// A Prometheus API error: its `errorType`, message and HTTP status.
struct APIError: Error, Sendable {
    enum Kind: String, Sendable {
        case badData = "bad_data"
        case execution
        case timeout
        case canceled
        case `internal`
        case notFound = "not_found"
        case unavailable
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `invalid parameter "name": reason`, Prometheus's wording for a bad parameter.
    static func invalidParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.badData, "invalid parameter \(GoJSON.quote(name)): \(reason)")
    }

    init(_ e: QueryError) {
        switch e.kind {
        case .badData: self.init(.badData, e.message)
        case .execution, .tooManySamples: self.init(.execution, e.message)
        case .timeout: self.init(.timeout, e.message)
        case .canceled: self.init(.canceled, e.message)
        case .internal: self.init(.internal, e.message)
        }
    }

    /// The status Prometheus answers with for each error type.
    var status: HTTPResponse.Status {
        switch kind {
        case .badData: return .badRequest
        case .execution: return .unprocessableContent
        case .timeout, .canceled, .unavailable: return .serviceUnavailable
        case .internal: return .internalServerError
        case .notFound: return .notFound
        }
    }
}

/// Builds the Prometheus API's JSON envelopes.
enum APIResponse {
    /// `{"status":"success","data":DATA}` where `data` is already JSON.
    static func success(data: String) -> Response {
        json("{\"status\":\"success\",\"data\":" + data + "}", status: .ok)
    }

    static func failure(_ e: APIError) -> Response {
        var out = "{\"status\":\"error\",\"errorType\":"
        QueryResultJSON.appendString(e.kind.rawValue, to: &out)
        out += ",\"error\":"
        QueryResultJSON.appendString(e.message, to: &out)
        out += "}"
        return json(out, status: e.status)
    }

    static func json(_ body: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// JSON fragments written the way Go's encoding/json writes them.
enum GoJSON {
    static func quote(_ s: String) -> String {
        var out = ""
        QueryResultJSON.appendString(s, to: &out)
        return out
    }

    static func stringArray(_ xs: [String]) -> String {
        var out = "["
        for (i, x) in xs.enumerated() {
            if i > 0 { out += "," }
            QueryResultJSON.appendString(x, to: &out)
        }
        return out + "]"
    }

    /// An object of string values in the given order (Go sorts map keys; callers pass sorted).
    static func stringObject(_ pairs: [(String, String)]) -> String {
        var out = "{"
        for (i, (k, v)) in pairs.enumerated() {
            if i > 0 { out += "," }
            QueryResultJSON.appendString(k, to: &out)
            out += ":"
            QueryResultJSON.appendString(v, to: &out)
        }
        return out + "}"
    }

    /// Go's `time.Time` JSON: RFC 3339 with nanoseconds, trailing zeros dropped, UTC `Z`;
    /// nil is Go's zero time.
    static func time(milliseconds ms: Int64?) -> String {
        guard let ms else { return "\"0001-01-01T00:00:00Z\"" }
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let frac = ms - secs * 1000
        var tm = tm()
        var t = time_t(secs)
        gmtime_r(&t, &tm)
        var s = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1,
                       Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
        if frac != 0 {
            var f = String(format: "%03d", Int(frac))
            while f.hasSuffix("0") { f.removeLast() }
            s += "." + f
        }
        return "\"" + s + "Z\""
    }

    /// Go's encoding/json of a float64 field.
    static func float(_ v: Double) -> String { QueryResultJSON.goJSONFloat(v) }
}
