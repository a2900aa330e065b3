import Foundation
import Hummingbird
import Ingest
import PromQL
import TSDB

/// The ingest endpoints (remote write, import) and the scrape views (`targets`, `metadata`).
enum IngestAPI {
    static func register(_ router: Router<BasicRequestContext>, _ ctx: APIContext, receiver: RemoteWriteReceiver,
                         scrapes: ScrapeManager?) {
        router.post("/api/v1/write") { request, _ -> Response in
            var req = request
            let body: ByteBuffer
            do { body = try await req.collectBody(upTo: 32 << 20) } catch {
                return APIResponse.text("reading the request body: \(error)\n", status: .contentTooLarge)
            }
            let bytes = [UInt8](body.readableBytesView)
            let encoding = request.headers[.contentEncoding], type = request.headers[.contentType]
            let version = request.headers.first { $0.name.canonicalName == "x-prometheus-remote-write-version" }?.value
            let r = await withCheckedContinuation { cont in
                DispatchQueue.global().async {
                    cont.resume(returning: receiver.handle(body: bytes, contentEncoding: encoding ?? "snappy", contentType: type,
                                                           protocolVersion: version))
                }
            }
            if r.status == 204 { return Response(status: .noContent) }
            return APIResponse.text(r.message + "\n", status: HTTPResponse.Status(code: r.status))
        }

        router.post("/api/v1/import/prometheus") { request, _ -> Response in
            // The body streams into the importer through a small bounded pipe: a large import
            // is never held in memory whole.
            let pipe = ChunkPipe()
            let type = request.headers[.contentType]
            let done = Task.detached { () -> ImportEndpoint.Response in
                await withCheckedContinuation { cont in
                    Thread.detachNewThread {
                        cont.resume(returning: ImportEndpoint.handle(db: ctx.db, contentType: type) { _ in pipe.read() })
                    }
                }
            }
            do {
                for try await buf in request.body {
                    await pipe.push([UInt8](buf.readableBytesView))
                }
                pipe.finish()
            } catch {
                pipe.finish()
            }
            let r = await done.value
            if r.status == 204 { return Response(status: .noContent) }
            return APIResponse.text(r.message + "\n", status: HTTPResponse.Status(code: r.status))
        }

        router.api("/api/v1/targets", methods: [.get]) { request throws(APIError) in
            let form = try await ctx.form(request)
            let state = form["state"].lowercased()
            let active = scrapes?.activeTargets() ?? []
            let dropped = scrapes?.droppedTargets() ?? []
            var out = "{\"activeTargets\":["
            if state != "dropped" {
                out += active.map { t in
                    var o = "{\"discoveredLabels\":"
                    QueryResultJSON.appendLabels(t.target.discoveredLabels, to: &o)
                    o += ",\"labels\":"
                    QueryResultJSON.appendLabels(Labels(sortedUnchecked: t.target.targetLabels), to: &o)
                    o += ",\"scrapePool\":" + GoJSON.quote(t.scrapePool)
                    o += ",\"scrapeUrl\":" + GoJSON.quote(t.target.scrapeURL)
                    o += ",\"globalUrl\":" + GoJSON.quote(t.target.scrapeURL)
                    o += ",\"lastError\":" + GoJSON.quote(t.lastError)
                    o += ",\"lastScrape\":" + GoJSON.time(milliseconds: t.lastScrape == 0 ? nil : t.lastScrape)
                    o += ",\"lastScrapeDuration\":" + GoJSON.float(t.lastScrapeDuration)
                    o += ",\"health\":" + GoJSON.quote(t.health.rawValue)
                    o += ",\"scrapeInterval\":" + GoJSON.quote(PromQLDuration.format(milliseconds: t.scrapeInterval))
                    o += ",\"scrapeTimeout\":" + GoJSON.quote(PromQLDuration.format(milliseconds: t.scrapeTimeout)) + "}"
                    return o
                }.joined(separator: ",")
            }
            out += "],\"droppedTargets\":["
            if state != "active" {
                out += dropped.map { d in
                    var o = "{\"discoveredLabels\":"
                    QueryResultJSON.appendLabels(d.discoveredLabels, to: &o)
                    return o + "}"
                }.joined(separator: ",")
            }
            return APIResponse.success(data: out + "]}")
        }

        router.api("/api/v1/metadata", methods: [.get]) { request throws(APIError) in
            let form = try await ctx.form(request)
            var all: [String: [(type: String, help: String, unit: String)]] = [:]
            for (name, list) in scrapes?.metadata() ?? [:] {
                all[name] = list.map { ($0.type.rawValue, $0.help, $0.unit) }
            }
            for (name, md) in (try? ctx.db.metadata()) ?? [:]
            where !(all[name]?.contains { $0 == (md.type, md.help, md.unit) } ?? false) {
                all[name, default: []].append((md.type, md.help, md.unit))
            }
            if let metric = form.first("metric"), !metric.isEmpty { all = all.filter { $0.key == metric } }
            var names = all.keys.sorted()
            if let limit = Int(form["limit"]), limit >= 0 { names = Array(names.prefix(limit)) }
            let body = "{" + names.map { name in
                GoJSON.quote(name) + ":[" + all[name]!.map {
                    "{\"type\":" + GoJSON.quote($0.type) + ",\"help\":" + GoJSON.quote($0.help) + ",\"unit\":" + GoJSON.quote($0.unit) + "}"
                }.joined(separator: ",") + "]"
            }.joined(separator: ",") + "}"
            return APIResponse.success(data: body)
        }
    }
}

/// Bytes handed from an async producer (the request body) to a blocking consumer (the
/// importer's thread), at most a few chunks at a time.
final class ChunkPipe: @unchecked Sendable {
    private let cond = NSCondition()
    private var chunks: [[UInt8]] = []
    private var finished = false
    private let capacity = 8

    func push(_ chunk: [UInt8]) async {
        while !offer(chunk) { try? await Task.sleep(for: .milliseconds(1)) }
    }

    /// Adds the chunk unless the pipe is full.
    private func offer(_ chunk: [UInt8]) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        guard chunks.count < capacity else { return false }
        chunks.append(chunk)
        cond.signal()
        return true
    }

    func finish() {
        cond.lock()
        finished = true
        cond.signal()
        cond.unlock()
    }

    /// The next chunk, waiting for one; nil at the end.
    func read() -> [UInt8]? {
        cond.lock()
        defer { cond.unlock() }
        while chunks.isEmpty && !finished { cond.wait() }
        return chunks.isEmpty ? nil : chunks.removeFirst()
    }
}
