import Dispatch
import Foundation
import Hummingbird
import PromQL
import Rules
import TSDB

/// What the API handlers share: the storage, the engine and the rule manager.
final class APIContext: Sendable {
    let db: TSDB
    let engineOptions: EngineOptions
    let rules: RuleManager
    let startTime: Int64
    /// Command-line flags as `/api/v1/status/flags` shows them.
    let flags: [String: String]
    /// The largest request body read (POSTed queries, forms).
    let maxBodyBytes = 8 << 20

    init(db: TSDB, engineOptions: EngineOptions, rules: RuleManager, flags: [String: String]) {
        self.db = db
        self.engineOptions = engineOptions
        self.rules = rules
        self.startTime = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        self.flags = flags
    }

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// The parameters of a request: the URL-encoded body of a POST, then the query string.
    func form(_ request: Request) async throws(APIError) -> FormValues {
        var f = FormValues()
        if request.method == .post,
           request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            var req = request
            do {
                let buf = try await req.collectBody(upTo: maxBodyBytes)
                f.add(encoded: String(buffer: buf))
            } catch {
                throw APIError(.badData, "error parsing form values: \(error)")
            }
        }
        if let q = request.uri.query { f.add(encoded: q) }
        return f
    }

    /// Runs CPU-bound work (queries) on a global queue instead of a cooperative thread, so
    /// a long query never stalls the server's request handling.
    func offload<T: Sendable>(_ body: @Sendable @escaping () throws(APIError) -> T) async throws(APIError) -> T {
        let r: Result<T, APIError> = await withCheckedContinuation { cont in
            DispatchQueue.global().async {
                do throws(APIError) { cont.resume(returning: .success(try body())) } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        return try r.get()
    }
}

extension Router where Context == BasicRequestContext {
    /// Registers an API handler for GET and POST; an `APIError` becomes Prometheus's error JSON.
    func api(_ path: RouterPath, methods: [HTTPRequest.Method] = [.get, .post],
             _ handler: @escaping @Sendable (Request) async throws(APIError) -> Response) {
        for m in methods {
            on(path, method: m) { request, _ -> Response in
                do throws(APIError) { return try await handler(request) } catch { return APIResponse.failure(error) }
            }
        }
    }
}
