// swift-tools-version:6.0
import PackageDescription

/// Module layout: see ARCHITECTURE.md §2 and the README's "Where things live".
/// Connector modules live under `Plugins/` and are imported only by the worker's registry.
let package = Package(
    name: "almanac",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "almanac", targets: ["almanac"]),
        .executable(name: "almanac-fakes", targets: ["almanac-fakes"]),
        // For contrib/bench/files, a package of its own (its CSV peers are no dependency of almanac).
        .library(
            name: "AlmanacFileConnectors",
            targets: ["AlmanacCore", "FileConnectorSupport", "CSVConnector", "XMLConnector"]),
        .library(name: "CLibXML2", targets: ["CLibXML2"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CODBC", pkgConfig: "odbc", providers: [.apt(["unixodbc-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // prctl(2) wrappers (variadic in C) for the supervisor and the worker.
        .target(name: "CProcessControl"),
        // libcurl/libxml2/libodbc/libsqlite3 loaded on first call by `almanac` (make release drops their DT_NEEDED).
        .target(name: "CLazyLibraries"),

        // Model, profile format, connector contract. No I/O libraries.
        .target(
            name: "AlmanacCore",
            dependencies: [
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(
            name: "AlmanacSync",
            dependencies: ["AlmanacCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "AlmanacWire", dependencies: ["AlmanacCore"]),
        .target(
            name: "AlmanacHTTP",
            dependencies: ["AlmanacCore", "CCurl", .product(name: "Logging", package: "swift-log")]),

        // Notifications (the [notify] table): the report, its channels, the transitions. Used by
        // the worker and the supervisor; imports no connector and no sync engine.
        .target(
            name: "AlmanacNotify",
            dependencies: ["AlmanacCore", "AlmanacHTTP", .product(name: "Logging", package: "swift-log")]),

        // Connector modules: each depends on AlmanacCore (and AlmanacHTTP or its C shim) only.
        // The standard-field mapping (row -> Event) every source connector uses; not a connector.
        .target(
            name: "RowMapping", dependencies: ["AlmanacCore"], path: "Plugins/RowMapping", exclude: ["README.md"]),
        .target(
            name: "ODBCConnector", dependencies: ["AlmanacCore", "RowMapping", "CODBC"], path: "Plugins/ODBC",
            exclude: ["README.md"]),
        .target(
            name: "FileConnectorSupport", dependencies: ["AlmanacCore", "RowMapping"], path: "Plugins/FileSupport",
            exclude: ["README.md"]),
        .target(
            name: "CSVConnector", dependencies: ["AlmanacCore", "RowMapping", "FileConnectorSupport"],
            path: "Plugins/CSV", exclude: ["README.md"]),
        .target(
            name: "XMLConnector", dependencies: ["AlmanacCore", "RowMapping", "FileConnectorSupport", "CLibXML2"],
            path: "Plugins/XML", exclude: ["README.md"]),
        .target(
            name: "GoogleCalendarConnector", dependencies: ["AlmanacCore", "AlmanacHTTP"],
            path: "Plugins/GoogleCalendar", exclude: ["README.md"]),
        .target(
            name: "GoogleContactsConnector", dependencies: ["AlmanacCore", "AlmanacHTTP"],
            path: "Plugins/GoogleContacts", exclude: ["README.md"]),
        .target(
            name: "CronofyConnector", dependencies: ["AlmanacCore", "AlmanacHTTP"], path: "Plugins/Cronofy",
            exclude: ["README.md"]),
        // Connectors run as plugin processes over the connector protocol (docs/CONNECTOR-PROTOCOL.md).
        .target(
            name: "ExecConnector",
            dependencies: ["AlmanacCore", "CProcessControl", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/Exec", exclude: ["README.md"]),

        // Worker runtime: the only module that imports connectors (through its registry).
        .target(
            name: "AlmanacWorker",
            dependencies: [
                "AlmanacCore", "AlmanacSync", "AlmanacWire", "AlmanacNotify", "AlmanacHTTP", "CProcessControl",
                "ODBCConnector", "CSVConnector", "XMLConnector", "GoogleCalendarConnector", "GoogleContactsConnector",
                "CronofyConnector", "ExecConnector", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AlmanacSupervisor",
            dependencies: [
                "AlmanacCore", "AlmanacWire", "AlmanacNotify", "CProcessControl",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                // The OpenAPI document served at GET /v1/openapi.json: a link to docs/openapi.json.
                .embedInCode("Control/openapi.json"),
                // The web console (Control/ConsoleAssets.swift serves these), compiled into the binary.
                .embedInCode("Console/index.html"), .embedInCode("Console/console.css"),
                .embedInCode("Console/client.js"), .embedInCode("Console/chart.js"), .embedInCode("Console/fleet.js"),
                .embedInCode("Console/detail.js"), .embedInCode("Console/app.js"),
            ]
        ),
        .target(
            name: "AlmanacTestKit",
            dependencies: ["AlmanacCore", "AlmanacSync", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "FakeCalendars", dependencies: ["AlmanacCore"], exclude: ["README.md"]),

        .executableTarget(
            name: "almanac",
            dependencies: [
                "AlmanacCore", "AlmanacWire", "AlmanacWorker", "AlmanacSupervisor", "AlmanacHTTP", "AlmanacNotify",
                "CLazyLibraries",
                // The connector conformance suite, for `almanac connector-test`.
                "AlmanacTestKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test helper: runs one sync of file-backed memory connectors and exits at an injected fault point.
        .executableTarget(name: "almanac-crashtest", dependencies: ["AlmanacCore", "AlmanacSync", "AlmanacTestKit"]),
        // Benchmark (make bench): planning a 100,000-item no-change run.
        .executableTarget(
            name: "almanac-bench-engine", dependencies: ["AlmanacCore", "AlmanacSync"],
            path: "contrib/bench/engine", exclude: ["run", "README.md"]),
        .executableTarget(
            name: "odbc-bench",
            dependencies: ["ODBCConnector", "AlmanacCore", "CODBC", .product(name: "Logging", package: "swift-log")],
            path: "contrib/bench/odbc/Sources"
        ),
        .executableTarget(
            name: "almanac-fakes",
            dependencies: ["FakeCalendars", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "AlmanacCoreTests", dependencies: ["AlmanacCore", "AlmanacTestKit"]),
        .testTarget(name: "RowMappingTests", dependencies: ["AlmanacCore", "AlmanacTestKit", "RowMapping"]),
        .testTarget(name: "AlmanacWorkerTests", dependencies: ["AlmanacCore", "AlmanacWorker", "CProcessControl"]),
        .testTarget(name: "AlmanacNotifyTests", dependencies: ["AlmanacCore", "AlmanacNotify"]),
        .testTarget(name: "ConnectorTests", dependencies: ["AlmanacCore", "AlmanacTestKit", "AlmanacWorker"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "AlmanacCore", "AlmanacWire", "AlmanacSupervisor", "AlmanacNotify", "AlmanacSync", "AlmanacTestKit",
                "FakeCalendars", "almanac-test-worker",
            ]),
        // Test helper: the end-to-end tests' worker, `WorkerRuntime` with hooks (exit, hang, garbage, delays).
        .executableTarget(
            name: "almanac-test-worker", dependencies: ["AlmanacCore", "AlmanacWorker"],
            path: "Tests/AlmanacTestWorker"),
        .testTarget(
            name: "AlmanacSupervisorTests",
            dependencies: ["AlmanacCore", "AlmanacWire", "AlmanacSupervisor", "AlmanacTestKit"]),
        .testTarget(
            name: "AlmanacWireTests", dependencies: ["AlmanacCore", "AlmanacWire", "AlmanacTestKit"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "AlmanacSyncTests",
            dependencies: [
                "AlmanacCore", "AlmanacSync", "AlmanacTestKit", "AlmanacWorker", "almanac-crashtest",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "ODBCConnectorTests",
            dependencies: [
                "ODBCConnector", "RowMapping", "AlmanacCore", "AlmanacSync", "AlmanacTestKit",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks (run by `make bench`, never by `make test`).
        .executableTarget(
            name: "calendar-bench",
            dependencies: [
                "GoogleCalendarConnector", "AlmanacHTTP", "AlmanacCore", "AlmanacWorker",
                "AlmanacTestKit", .product(name: "Logging", package: "swift-log"),
            ],
            path: "contrib/bench/calendar", exclude: ["README.md", "run"]
        ),
        .testTarget(name: "AlmanacHTTPTests", dependencies: ["AlmanacHTTP", "FakeCalendars"]),
        .testTarget(
            name: "FakeCalendarsTests",
            dependencies: ["FakeCalendars", "AlmanacHTTP", "AlmanacTestKit", "almanac-fakes"]),
        .testTarget(
            name: "GoogleCalendarConnectorTests",
            dependencies: [
                "GoogleCalendarConnector", "FakeCalendars", "AlmanacHTTP", "AlmanacCore", "AlmanacTestKit",
                "AlmanacSync",
            ]),
        .testTarget(
            name: "GoogleContactsConnectorTests",
            dependencies: [
                "GoogleContactsConnector", "FakeCalendars", "AlmanacHTTP", "AlmanacCore", "AlmanacTestKit",
                "AlmanacSync", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "CronofyConnectorTests",
            dependencies: [
                "CronofyConnector", "FakeCalendars", "AlmanacHTTP", "AlmanacCore", "AlmanacTestKit",
                "AlmanacSync",
            ]),
        // Model-based random test of two-way sync: SQLite over ODBC <-> the fake Google and Cronofy.
        .testTarget(
            name: "ModelSyncTests",
            dependencies: [
                "ODBCConnector", "GoogleCalendarConnector", "CronofyConnector", "FakeCalendars",
                "AlmanacHTTP", "AlmanacCore", "AlmanacSync", "AlmanacTestKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "FidelityTests",
            dependencies: [
                "AlmanacCore", "AlmanacSync", "AlmanacWorker", "FakeCalendars",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "CSVConnectorTests",
            dependencies: [
                "AlmanacCore", "CSVConnector", "FileConnectorSupport", "RowMapping", "AlmanacTestKit", "AlmanacSync",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "ExecConnectorTests",
            dependencies: [
                "AlmanacCore", "AlmanacSync", "AlmanacTestKit", "ExecConnector",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "XMLConnectorTests",
            dependencies: [
                "AlmanacCore", "XMLConnector", "FileConnectorSupport", "RowMapping", "AlmanacTestKit", "AlmanacSync",
                .product(name: "Logging", package: "swift-log"),
            ]),

    ]
)
