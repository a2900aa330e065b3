// swift-tools-version: 6.1
// Benchmarks of Vigil's storage engine. Its own package, so its build folder and its
// dependencies (ordo-one/benchmark) stay out of the main build. Run from this folder:
//   swift package benchmark                       (timings: append, select, codecs)
//   swift run -c release tsdb-figures all         (bytes per sample, memory, recovery)
//   swift run -c release promql-figures [SERIES]  (query latency over a real TSDB)
//   swift run -c release compare-queries         (the compare harness's queries, Vigil alone)
//   swift run -c release rule-figures [SERIES]    (the seed's alert: raw vs recording rules)
//   swift run -c release backtest-figures [SERIES] (backtest speed over a day of history)
//   swift run -c release ingest-figures [parse|scrape|remote|all]  (parse, scrape, remote-write throughput)
import PackageDescription

let package = Package(
    name: "vigil-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "vigil", path: ".."),
        // Only the MallocInterposer trait: the default RuntimeInterposer trait would pull
        // ordo-one/swift-runtime-interposer on Linux + Swift 6.3, which is not available offline.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // malloc_trim() and sqlite3_memory_used(), to measure the head's own memory.
        .systemLibrary(name: "CBenchShims", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "BenchSupport", dependencies: [
            "CBenchShims",
            .product(name: "TSDB", package: "vigil"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "tsdb-figures", dependencies: [
            "BenchSupport", "CBenchShims",
            .product(name: "TSDB", package: "vigil"),
            .product(name: "SQLite", package: "vigil"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Query latency and throughput of the PromQL engine over a real TSDB.
        .executableTarget(name: "promql-figures", dependencies: [
            .product(name: "TSDB", package: "vigil"),
            .product(name: "PromQL", package: "vigil"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The compare harness's queries on Vigil alone, in process (issue 8).
        .executableTarget(name: "compare-queries", dependencies: [
            .product(name: "TSDB", package: "vigil"),
            .product(name: "PromQL", package: "vigil"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Per-round cost of the seed's alert, raw versus on recorded series.
        .executableTarget(name: "rule-figures", dependencies: [
            .product(name: "TSDB", package: "vigil"),
            .product(name: "PromQL", package: "vigil"),
            .product(name: "Rules", package: "vigil"),
        ]),
        // Backtest speed over a day of history.
        .executableTarget(name: "backtest-figures", dependencies: [
            .product(name: "TSDB", package: "vigil"),
            .product(name: "Rules", package: "vigil"),
        ]),
        // Exposition parsing, scrape ingestion and remote-write receive throughput.
        .executableTarget(name: "ingest-figures", dependencies: [
            .product(name: "TSDB", package: "vigil"),
            .product(name: "Ingest", package: "vigil"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(
            name: "TSDBBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "TSDB", package: "vigil"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TSDBBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
