import Foundation
import PromQL

/// Prometheus's API parameter parsing (`parseTime`, `parseDuration`), error texts included.
enum APIParameters {
    /// The smallest and largest times Prometheus's API accepts, as it formats them.
    static let minTime: Int64 = -9_223_372_036_854_775_808 / 1_000_000 + 1  // math.MinInt64/1e6 rounded in
    static let maxTime: Int64 = 9_223_372_036_854_775_807 / 1_000_000

    /// A Unix time in seconds (fractions allowed) or RFC 3339; milliseconds.
    static func time(_ s: String) throws(APIErrorReason) -> Int64 {
        if let f = Double(s), !s.isEmpty, s.allSatisfy({ !$0.isLetter || $0 == "e" || $0 == "E" }) {
            let secs = f.rounded(.towardZero)
            let ms = ((f - secs) * 1000).rounded()
            let total = secs * 1000 + ms
            guard total.isFinite, total > Double(Int64.min), total < Double(Int64.max) else {
                throw APIErrorReason("cannot parse \(GoJSON.quote(s)) to a valid timestamp")
            }
            return Int64(total)
        }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
        throw APIErrorReason("cannot parse \(GoJSON.quote(s)) to a valid timestamp")
    }

    /// Seconds as a float or a Prometheus duration (`15s`, `1m30s`); milliseconds.
    static func duration(_ s: String) throws(APIErrorReason) -> Int64 {
        if let f = Double(s), !s.isEmpty, s.allSatisfy({ !$0.isLetter || $0 == "e" || $0 == "E" }) {
            let ns = f * 1e9
            guard ns.isFinite, ns < 9.223372036854775807e18, ns > -9.223372036854775808e18 else {
                throw APIErrorReason("cannot parse \(GoJSON.quote(s)) to a valid duration. It overflows int64")
            }
            return Int64((f * 1000).rounded(.towardZero))
        }
        if let d = try? PromQLDuration.parse(s) { return d }
        throw APIErrorReason("cannot parse \(GoJSON.quote(s)) to a valid duration")
    }
}

/// Why a parameter is invalid (the part after `invalid parameter "x": `).
struct APIErrorReason: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension FormValues {
    /// An optional time parameter: `default` when absent.
    func time(_ name: String, default value: Int64) throws(APIError) -> Int64 {
        guard let s = first(name), !s.isEmpty else { return value }
        do throws(APIErrorReason) { return try APIParameters.time(s) } catch { throw .invalidParameter(name, error.message) }
    }

    func requiredTime(_ name: String) throws(APIError) -> Int64 {
        do throws(APIErrorReason) { return try APIParameters.time(self[name]) } catch { throw .invalidParameter(name, error.message) }
    }
}
