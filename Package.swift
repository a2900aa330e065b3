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
        .library(name: "Rules", targets: ["Rules"]),
        .library(name: "Notify", targets: ["Notify"]),
        .library(name: "Ingest", targets: ["Ingest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libzstd-dev; see scripts/setup-debian.sh).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Snappy block compression of remote-write payloads (Debian: libsnappy-dev).
        // bcrypt for the web config's basic auth users (Debian: libcrypt-dev, libxcrypt).
        .systemLibrary(name: "CCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        // Header-only: atomic loads/stores on raw memory and a prefetch hint (TSDB's head).
        .systemLibrary(name: "CVigilMemory"),

        .target(name: "SQLite", dependencies: ["CSQLite"]),
        // Go's strconv quoting (label sets, PromQL, group keys, templates' %q): one exact copy.
        .target(name: "GoText"),
        // Go's RE2 regex semantics (fully anchored matching as Prometheus uses it), shared by
        // label matchers, PromQL, relabelling and Alertmanager matchers.
        .target(name: "RE2"),
        .target(name: "TSDB", dependencies: [
            "SQLite", "CZstd", "RE2", "GoText", "CVigilMemory",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PromQL", dependencies: ["TSDB", "RE2", "GoText"]),
        .target(name: "Template", dependencies: ["GoText"]),
        .target(name: "Rules", dependencies: [
            "PromQL", "Template", "TSDB",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Scraping, exposition parsing, relabelling, remote-write decoding, import.
        .target(name: "Ingest", dependencies: [
            "TSDB", "RE2", "CSnappy",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // The built-in Alertmanager: alertmanager.yml, routing, grouping, silences,
        // inhibition, receivers (Slack, PagerDuty, webhook) over AsyncHTTPClient.
        .target(name: "Notify", dependencies: [
            "SQLite", "Template", "RE2", "GoText",
            .product(name: "Yams", package: "Yams"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Remote write out: ships the append log to remote stores (Mimir, Thanos, ...).
        .target(name: "RemoteWrite", dependencies: [
            "TSDB", "Ingest",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "Server", dependencies: [
            "Rules", "Notify", "Ingest", "RemoteWrite", "PromQL", "TSDB", "CCrypt",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "vigil", dependencies: [
            "Server", "TSDB", "Rules", "PromQL", "Notify", "Template", "Ingest",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Appends batches to a TSDB and reports each acknowledged one; the crash tests
        // kill it with SIGKILL and check what survived.
        .executableTarget(name: "vigil-tsdb-stress", dependencies: ["TSDB"]),
        // Runs the built-in Alertmanager on the real clock; the Notify restart test kills it
        // with SIGKILL between a notification and its repeat.
        .executableTarget(name: "vigil-notify-stress", dependencies: ["Notify"]),

        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "RE2Tests", dependencies: ["RE2"]),
        .testTarget(name: "TSDBTests", dependencies: ["TSDB", "SQLite", "vigil-tsdb-stress"]),
        .testTarget(name: "TemplateTests", dependencies: ["Template"]),
        .testTarget(name: "NotifyTests", dependencies: [
            "Notify", "Template", "SQLite", "vigil-notify-stress",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "TSDB"]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "Rules", "PromQL", "TSDB",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "PromQL", "TSDB"],
                    exclude: ["Corpus", "Failing", "RuleFiles"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "TSDB"], exclude: ["Fixtures"]),
        .testTarget(name: "RemoteWriteTests", dependencies: [
            "RemoteWrite", "Ingest", "TSDB",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ]
)
