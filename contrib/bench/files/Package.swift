// swift-tools-version:6.0
import PackageDescription

/// The file connectors' benchmark (`make bench`, contrib/bench/files/run), a package of its own:
/// the CSV readers it is compared with (yaslab/CSV.swift, swiftcsv/SwiftCSV) are dependencies of
/// this package only, never of almanac's.
let package = Package(
    name: "bench-files",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "almanac", path: "../../.."),
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", exact: "0.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "bench-files",
            dependencies: [
                .product(name: "AlmanacFileConnectors", package: "almanac"),
                .product(name: "CLibXML2", package: "almanac"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "Logging", package: "swift-log"),
            ])
    ]
)
