import Foundation
import Testing

/// `almanac check` on exec connections: the plugin is started and asked for its spec, and the
/// connection and job tables are held to it like a built-in connector's settings.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ExecCheckTests {
    func check(_ w: PluginWorld) throws -> PluginWorld.Output {
        try w.almanac(["check", w.profiles.path])
    }

    @Test func aValidExecProfilePasses() throws {
        let w = try PluginWorld("check")
        try w.writeProfile(sourceExtra: "page_size = 50\ntoken_env = \"ALMANAC_EXEC_TEST_TOKEN\"")
        let r = try check(w)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("clinic.toml: OK"))
    }

    @Test func unknownMissingAndMistypedKeysAreErrors() throws {
        let w = try PluginWorld("check")
        try w.writeProfile(
            sourceExtra: "calender = \"x\"\npage_size = \"ten\"", sinkExtra: "page_size = 0")
        // The sink's connection loses its required `calendar`.
        let path = w.profiles.appendingPathComponent("clinic.toml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "calendar = \"other\"\n", with: "")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try check(w)
        #expect(r.status == 78, "\(r.out)\(r.err)")
        let all = r.out + r.err
        #expect(all.contains("connections.src.calender: unknown key (did you mean \"calendar\"?)"), "\(all)")
        #expect(all.contains("connections.src.page_size: expected an integer, got a string"), "\(all)")
        #expect(all.contains("connections.dst.page_size: must be ≥ 1, got 0"), "\(all)")
        #expect(all.contains("connections.dst.calendar: is required"), "\(all)")
    }

    /// The job's source and target tables are held to the spec's `job` properties.
    @Test func jobTablesAreCheckedAgainstTheSpec() throws {
        let w = try PluginWorld("check")
        try w.writeProfile()
        let path = w.profiles.appendingPathComponent("clinic.toml").path
        let text =
            try String(contentsOfFile: path, encoding: .utf8)
            + "[jobs.source]\ntag = \"a\"\ncolour = \"red\"\n[jobs.target]\ntag = 3\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try check(w)
        #expect(r.status == 78)
        let all = r.out + r.err
        #expect(all.contains("jobs[0].source.colour: unknown key"), "\(all)")
        #expect(all.contains("jobs[0].target.tag: expected a string, got an integer"), "\(all)")
        #expect(!all.contains("jobs[0].source.tag"), "\(all)")
    }

    /// A contacts job needs plugins whose hello lists `contact` in its kinds (README "Contacts").
    @Test func aContactsJobNeedsPluginsThatCarryContacts() throws {
        let w = try PluginWorld("check")
        try w.writeProfile()
        let path = w.profiles.appendingPathComponent("clinic.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "to = \"dst\"\n", with: "to = \"dst\"\nkind = \"contacts\"\n")
            .replacingOccurrences(of: "\"--name\", \"sink\"]", with: "\"--name\", \"sink\", \"--contacts\"]")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try check(w)
        #expect(r.status == 78, "\(r.out)\(r.err)")
        let all = r.out + r.err
        #expect(
            all.contains(
                "job \"j\": the from side, connection \"src\" (connector exec), cannot carry contacts; it carries events"
            ),
            "\(all)")
        #expect(!all.contains("the to side"), "\(all)")
        let both = text.replacingOccurrences(
            of: "\"--name\", \"source\"]", with: "\"--name\", \"source\", \"--contacts\"]")
        try both.write(toFile: path, atomically: true, encoding: .utf8)
        let ok = try check(w)
        #expect(ok.status == 0, "\(ok.out)\(ok.err)")
    }

    @Test func anInlineSecretInAReadableFileIsAnError() throws {
        let w = try PluginWorld("check")
        try w.writeProfile(sourceExtra: "token = \"hunter2\"")
        chmod(w.profiles.appendingPathComponent("clinic.toml").path, 0o644)
        let r = try check(w)
        #expect(r.status == 78)
        #expect(
            (r.out + r.err).contains("connections.src.token: inline secret in a file that group or others can read"))
        #expect(!(r.out + r.err).contains("hunter2"))
    }

    @Test func aPluginThatCannotStartIsReportedOnItsCommand() throws {
        let w = try PluginWorld("check")
        try w.writeProfile()
        let path = w.profiles.appendingPathComponent("clinic.toml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "\(PluginWorld.plugin)\", \"\(w.source)", with: "/nonexistent/plugin\", \"x")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try check(w)
        #expect(r.status == 78)
        let all = r.out + r.err
        #expect(
            all.contains(
                "connections.src.command: plugin plugin: cannot start /nonexistent/plugin: No such file or directory"),
            "\(all)")
        // The rest of the connection is not judged without the plugin's spec.
        #expect(!all.contains("connections.src.calendar"))
    }

    @Test func aPluginOfAnotherProtocolVersionIsRefused() throws {
        let w = try PluginWorld("check")
        try w.writeProfile(sourceExtra: "")
        let path = w.profiles.appendingPathComponent("clinic.toml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "\"--name\", \"source\"", with: "\"--name\", \"source\", \"--fault\", \"bad-hello\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try check(w)
        #expect(r.status == 78)
        #expect(
            (r.out + r.err).contains(
                "plugin memory-plugin.py (source) speaks protocol 7; this almanac speaks 1"), "\(r.out)\(r.err)")
    }
}
