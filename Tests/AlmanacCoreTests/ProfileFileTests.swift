import AlmanacCore
import Foundation
import Testing

@Suite("Profile files")
struct ProfileFileTests {
    @Test(arguments: [
        ("clinic.toml", ProfileFile.profile(name: "clinic")),
        ("Clinic42.toml", .profile(name: "Clinic42")),
        (String(repeating: "a", count: 64) + ".toml", .profile(name: String(repeating: "a", count: 64))),
        (String(repeating: "a", count: 65) + ".toml", .badName(stem: String(repeating: "a", count: 65))),
        ("clinic-2.toml", .badName(stem: "clinic-2")),
        ("my clinic.toml", .badName(stem: "my clinic")),
        ("é.toml", .badName(stem: "é")),
        (".toml", .ignored),
        (".clinic.toml", .ignored),
        (".clinic.toml.swp", .ignored),
        ("clinic.toml~", .ignored),
        ("clinic.toml.bak", .ignored),
        ("#clinic.toml#", .ignored),
        ("README.md", .ignored),
    ])
    func classification(fileName: String, expected: ProfileFile) {
        #expect(ProfileFile(fileName: fileName) == expected)
    }

    @Test func directoryLoadReportsBadNamesAndSkipsOtherFiles() throws {
        let dir = ProfileDir()
        dir.write("clinic.toml", validProfile)
        dir.write("clinic-2.toml", validProfile)
        dir.write(".clinic.toml.swp", "garbage")
        dir.write("notes.txt", "garbage")
        let loaded = try testLoader.loadDirectory(dir.path)
        #expect(loaded.map(\.name) == ["clinic-2", "clinic"])
        guard case .failure(let e) = loaded[0].result else {
            Issue.record("clinic-2.toml should not be valid")
            return
        }
        #expect(e.issues.codesAndPaths == ["config.file_name "])
        #expect(e.issues[0].message.contains("NAME.toml with NAME of 1 to 64 letters and digits"))
    }

    @Test func unreadableDirectoryIsAnError() {
        #expect(throws: AlmanacError.self) { try testLoader.loadDirectory("/nonexistent/profiles.d") }
    }
}
