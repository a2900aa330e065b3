// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "TSDB", targets: ["TSDB"]),
        .library(name: "SQLite", targets: ["SQLite"]),
        .library(name: "PromQL", targets: ["PromQL"]),
        .library(name: "RE2", targets: ["RE2"]),
        .library(name: "Ingest", targets: ["Ingest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libzstd-dev; see scripts/setup-debian.sh).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Snappy block compression of remote-write payloads (Debian: libsnappy-dev).
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),

        .target(name: "SQLite", dependencies: ["CSQLite"]),
        // Go's RE2 regex semantics (fully anchored matching as Prometheus uses it), shared by
        // label matchers, PromQL, relabelling and Alertmanager matchers.
        .target(name: "RE2"),
        .target(name: "TSDB", dependencies: [
            "SQLite", "CZstd", "RE2",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PromQL", dependencies: ["TSDB", "RE2"]),
        .target(name: "Template"),
        .target(name: "Rules", dependencies: [
            "PromQL", "Template", "TSDB",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "Ingest", dependencies: [
            "TSDB", "RE2", "CSnappy",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "Notify", dependencies: ["SQLite", "Template"]),
        .target(name: "Server", dependencies: ["Rules", "Notify", "Ingest"]),
        .executableTarget(name: "vigil", dependencies: [
            "Server", "TSDB", "Rules", "PromQL", "Ingest",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Appends batches to a TSDB and reports each acknowledged one; the crash tests
        // kill it with SIGKILL and check what survived.
        .executableTarget(name: "vigil-tsdb-stress", dependencies: ["TSDB"]),

        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "RE2Tests", dependencies: ["RE2"]),
        .testTarget(name: "TSDBTests", dependencies: ["TSDB", "SQLite", "vigil-tsdb-stress"]),
        .testTarget(name: "TemplateTests", dependencies: ["Template"]),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "TSDB"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "PromQL", "TSDB"],
                    exclude: ["Corpus", "Failing", "RuleFiles"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "TSDB"], exclude: ["Fixtures"]),
    ]
)
