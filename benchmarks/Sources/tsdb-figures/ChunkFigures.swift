import ArgumentParser
import BenchSupport
import TSDB
#if canImport(Glibc)
import Glibc
#endif

/// Benchmark 2: bytes per sample of closed XOR chunks on the realistic value mix, cut as the
/// head cuts them (120 samples, or at a 2 h aligned boundary).
struct ChunkFigures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunks", abstract: "Bytes per sample of closed XOR chunks, per kind of series (benchmark 2).")

    @Option(help: "Series per interval (kinds in their mix proportions).")
    var series = 2_000
    @Option(help: "Hours of samples at the 15 s interval.")
    var hours15s = 24
    @Option(help: "Hours of samples at the 1 s interval.")
    var hours1s = 2
    @Option(help: "Timestamp jitter: each sample lands 0...N ms after its nominal time (uniform).")
    var jitterMs = 4

    func run() throws {
        let report = Report()
        try Self.measure(report, series: series, hours15s: hours15s, hours1s: hours1s, jitterMs: jitterMs)
        report.printTable(title: "Closed XOR chunks")
    }

    struct Totals {
        var bytes = 0
        var samples = 0
        var chunks = 0
        /// Bytes of the same chunks with every value replaced by 0: what the timestamps cost.
        var timestampBytes = 0

        var perSample: Double { samples == 0 ? 0 : Double(bytes) / Double(samples) }
        var timestampBitsPerSample: Double {
            // A zero value costs 1 bit per sample (64 for the first): subtract it.
            samples == 0 ? 0 : (Double(timestampBytes) * 8 - Double(samples - chunks) - Double(chunks) * 64) / Double(samples)
        }

        mutating func add(_ o: Totals) {
            bytes += o.bytes; samples += o.samples; chunks += o.chunks; timestampBytes += o.timestampBytes
        }
    }

    static let samplesPerChunk = 120
    static let chunkRange: Int64 = 2 * 3600 * 1000
    static let start: Int64 = 1_700_006_400_000  // aligned to 2 h

    static func rangeEnd(_ t: Int64) -> Int64 { (t / chunkRange + 1) * chunkRange }

    /// Encodes one series; checks that every closed chunk decodes to exactly its input.
    static func encodeSeries(kind: SeriesKind, seed: UInt64, count: Int, intervalMilliseconds: Int64, jitterMs: Int) -> Totals {
        var totals = Totals()
        var values = ValueGenerator(kind: kind, seed: seed)
        var times = TimestampGenerator(start: start, intervalMilliseconds: intervalMilliseconds,
                                       jitterMilliseconds: Int64(jitterMs) + 1, seed: seed)
        var app = XORChunkAppender()
        var tsOnly = XORChunkAppender()
        var boundary = Int64.min
        var pendingT: [Int64] = [], pendingV: [UInt64] = []
        let seconds = Double(intervalMilliseconds) / 1000
        for _ in 0..<count {
            let t = times.next()
            let v = values.next(intervalSeconds: seconds)
            if app.count > 0 && (app.count >= samplesPerChunk || t >= boundary) {
                if let problem = verify(app.bytes, pendingT, pendingV) {
                    recordFailure(problem, kind: kind, seed: seed, ts: pendingT, vs: pendingV)
                }
                totals.bytes += app.bytes.count
                totals.samples += app.count
                totals.chunks += 1
                totals.timestampBytes += tsOnly.bytes.count
                app = XORChunkAppender()
                tsOnly = XORChunkAppender()
                pendingT.removeAll(keepingCapacity: true)
                pendingV.removeAll(keepingCapacity: true)
            }
            if app.count == 0 { boundary = rangeEnd(t) }
            app.append(t, v)
            tsOnly.append(t, 0)
            pendingT.append(t)
            pendingV.append(v.bitPattern)
        }
        return totals
    }

    /// nil when the chunk decodes to exactly `ts`/`vs`, else what went wrong.
    static func verify(_ bytes: [UInt8], _ ts: [Int64], _ vs: [UInt64]) -> String? {
        var it = XORChunkIterator(bytes)
        var i = 0
        while it.next() {
            guard i < ts.count, it.t == ts[i], it.v.bitPattern == vs[i] else {
                return "sample \(i): decoded (\(it.t), \(it.v)), appended (\(ts[safe: i] ?? -1), \(Double(bitPattern: vs[safe: i] ?? 0)))"
            }
            i += 1
        }
        if let e = it.error { return "decode error after \(i) samples: \(e)" }
        return i == ts.count ? nil : "decoded \(i) of \(ts.count) samples"
    }

    /// Chunks that did not round-trip: described, with their input written to a file so the
    /// codec can be debugged on exactly that data.
    nonisolated(unsafe) static var failures: [String] = []
    nonisolated(unsafe) static var filesWritten = 0

    static func recordFailure(_ what: String, kind: SeriesKind, seed: UInt64, ts: [Int64], vs: [UInt64]) {
        failures.append("\(kind.rawValue) seed \(seed): \(what)")
        guard filesWritten < 3 else { return }
        filesWritten += 1
        let path = "/tmp/vigil-xor-roundtrip-failure-\(filesWritten).txt"
        var text = "# \(kind.rawValue) seed \(seed): \(what)\n# timestamp value-bit-pattern(hex) value\n"
        for k in ts.indices { text += "\(ts[k]) \(String(vs[k], radix: 16)) \(Double(bitPattern: vs[k]))\n" }
        if let f = fopen(path, "w") {
            fputs(text, f)
            fclose(f)
            failures[failures.count - 1] += " (input in \(path))"
        }
    }

    static func measure(_ report: Report, series: Int, hours15s: Int, hours1s: Int, jitterMs: Int = 4) throws {
        print("\n### 2. Closed XOR chunks: bytes per sample (\(series) series, kinds in mix proportions, 0–\(jitterMs) ms timestamp jitter)\n")
        var rows: [[String]] = []
        for (intervalMs, hours) in [(Int64(15_000), hours15s), (Int64(1_000), hours1s)] {
            let count = Int(Int64(hours) * 3_600_000 / intervalMs)
            var perKind: [SeriesKind: Totals] = [:]
            var seriesPerKind: [SeriesKind: Int] = [:]
            let (_, secs) = BenchSupport.measure {
                for i in 0..<series {
                    let kind = SeriesKind.of(seriesIndex: i)
                    let t = encodeSeries(kind: kind, seed: UInt64(i) &+ UInt64(intervalMs) &* 1_000_003, count: count,
                                         intervalMilliseconds: intervalMs, jitterMs: jitterMs)
                    perKind[kind, default: Totals()].add(t)
                    seriesPerKind[kind, default: 0] += 1
                }
            }
            var all = Totals()
            let label = "\(intervalMs / 1000)s"
            for kind in SeriesKind.allCases {
                let t = perKind[kind] ?? Totals()
                all.add(t)
                rows.append([label, kind.rawValue, "\(seriesPerKind[kind] ?? 0)", grouped(t.samples), format(t.perSample, 3),
                             format(t.timestampBitsPerSample, 2),
                             format(Double(t.bytes) / Double(max(1, totalSamples(perKind))), 3)])
            }
            rows.append([label, "**all**", "\(series)", grouped(all.samples), "**" + format(all.perSample, 3) + "**",
                         format(all.timestampBitsPerSample, 2), format(all.perSample, 3)])
            progress("chunks \(label): \(grouped(all.samples)) samples encoded and verified in \(format(secs, 1)) s")
            report.add(Figure("2", "XOR chunks that failed to round-trip at \(label)", "\(failures.count) of \(grouped(all.chunks))",
                              goal: "0", met: failures.isEmpty))
            for f in failures.prefix(5) { print("  ROUND-TRIP FAILURE: \(f)") }
            failures.removeAll()
            report.add(Figure("2", "XOR chunk bytes/sample, mix at \(label) (\(hours) h, 0–\(jitterMs) ms jitter)", format(all.perSample, 3),
                              goal: "≤ 1.3", met: all.perSample <= 1.3))
            for kind in SeriesKind.allCases {
                let t = perKind[kind] ?? Totals()
                report.add(Figure("2", "  \(kind.rawValue) at \(label)", format(t.perSample, 3)))
            }
        }
        print("")
        printMarkdownTable(header: ["interval", "kind", "series", "samples in closed chunks", "bytes/sample",
                                    "of which timestamps (bits/sample, approx.)", "contribution to overall B/sample"], rows: rows)
    }
}

func totalSamples(_ perKind: [SeriesKind: ChunkFigures.Totals]) -> Int {
    perKind.values.reduce(0) { $0 + $1.samples }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
