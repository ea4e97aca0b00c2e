import Foundation
import Testing

/// `almanac run` as a process: exit codes and what it prints.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RunCommandTests {
    static var binary: String {
        if let bin = ProcessInfo.processInfo.environment["ALMANAC_BIN"] { return bin }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".build/debug/almanac").path
    }

    static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func badUsageAndInvalidProfiles() throws {
        let dir = try Self.directory()
        let badName = try Self.run(["run", "no-such.name", "--profiles", dir.path, "--state", dir.path])
        #expect(badName.status == 64)
        #expect(badName.err.contains("not a profile name: \"no-such.name\""))
        try Data("timezone = \"Mars/Olympus\"\n".utf8).write(to: dir.appendingPathComponent("broken.toml"))
        let invalid = try Self.run(["run", "broken", "--profiles", dir.path, "--state", dir.path])
        #expect(invalid.status == 78)
        #expect(invalid.err.contains("broken.toml"))
        let missing = try Self.run(["run", "absent", "--profiles", dir.path, "--state", dir.path])
        #expect(missing.status == 78)
    }

    /// A source that cannot be reached is a failed run: exit 1, the error on the job's line.
    @Test func anUnreachableSourceFailsTheRun() throws {
        let dir = try Self.directory()
        let profile = """
            timezone = "America/Chicago"
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=NoSuchDriverForAlmanacTests;Database=none;"
            [connections.out]
            connector = "odbc"
            connection_string = "Driver=NoSuchDriverForAlmanacTests;Database=none;"
            [[jobs]]
            name = "appointments"
            from = "db"
            to = "out"
            [jobs.source]
            read_query = "SELECT 1"
            [jobs.target]
            read_query = "SELECT 1"
            insert = "INSERT INTO t VALUES (:external_id)"
            update = "UPDATE t SET x = 1 WHERE id = :external_id"
            delete = "DELETE FROM t WHERE id = :external_id"
            """
        try Data(profile.utf8).write(to: dir.appendingPathComponent("clinic.toml"))
        let r = try Self.run(["run", "clinic", "--dry-run", "--profiles", dir.path, "--state", dir.path])
        #expect(r.status == 1, "stdout: \(r.out) stderr: \(r.err)")
        #expect(r.out.contains("job appointments: failed in "))
        #expect(r.out.contains("  error "))
        let unknownJob = try Self.run(["run", "clinic", "--job", "nope", "--profiles", dir.path, "--state", dir.path])
        #expect(unknownJob.status == 64)
        #expect(unknownJob.err.contains("has no job \"nope\"; jobs: appointments"))
        let badSince = try Self.run([
            "run", "clinic", "--since", "yesterday", "--profiles", dir.path, "--state", dir.path,
        ])
        #expect(badSince.status == 64)
    }
}
