import Foundation
import Testing

/// Sources/CLazyLibraries defines a stub for every function the binary calls in libcurl, libxml2,
/// libodbc and libsqlite3, so `make release` can drop those libraries from the binary's start-up
/// (contrib/build/drop-needed refuses when one is still bound directly). A call added without a
/// stub shows in the debug binary as an undefined dynamic symbol: this test finds it in
/// `make test`, long before a release build would fail.
@Suite(.timeLimit(.minutes(10)))
struct LazyLibrariesTests {
    @Test func theBinaryBindsNoFunctionOfTheLazyLibrariesDirectly() throws {
        let nm = Process()
        nm.executableURL = URL(fileURLWithPath: "/usr/bin/nm")
        nm.arguments = ["-D", "--undefined-only", BinaryRunner.almanac]
        let out = Pipe()
        nm.standardOutput = out
        try nm.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        nm.waitUntilExit()
        #expect(nm.terminationStatus == 0)
        let bound = text.split(separator: "\n").compactMap { $0.split(separator: " ").last }
            .filter { name in ["curl_", "xml", "SQL", "sqlite3_"].contains { name.hasPrefix($0) } }
        #expect(bound.isEmpty, "add these to ALMANAC_LAZY_SYMBOLS in CLazyLibraries.c: \(bound)")
        #expect(text.contains(" U "), "nm listed no undefined symbol at all: \(text.prefix(200))")
    }
}
