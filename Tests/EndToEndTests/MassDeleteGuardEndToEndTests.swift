import AlmanacWire
import Foundation
import Testing

/// The mass-delete guard through the built binary: its default rule (`mass_delete_percent` 20,
/// `mass_delete_min` 3), the effect of `mass_delete_min`, and `almanac sync --allow-mass-delete`
/// letting one blocked run through the daemon.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct MassDeleteGuardEndToEndTests {
    static let header = "external_id,title,start_time\n"

    /// When the appointments are counted from: fixed for the whole test, so a source cut down
    /// a minute after it was first written still holds the same start times.
    static let base = Date()

    /// Writes the source of `name` with the appointments `keys` (one per day from tomorrow).
    static func source(_ h: DaemonHarness, _ name: String, _ keys: [Int]) throws {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        let rows = keys.map {
            "appt-\($0),Visit \($0),\(f.string(from: base.addingTimeInterval(Double($0) * 86_400)))\n"
        }
        try (header + rows.joined()).write(toFile: h.root + "/\(name)-in.csv", atomically: true, encoding: .utf8)
    }

    /// The rows of the export of `name` (without its header).
    static func exported(_ h: DaemonHarness, _ name: String) throws -> Int {
        try String(contentsOfFile: h.root + "/\(name)-out.csv", encoding: .utf8).split(separator: "\n").count - 1
    }

    /// A profile whose one job sets `jobLines` (e.g. `mass_delete_min = 4`).
    static func profile(_ h: DaemonHarness, _ name: String, jobLines: String) throws {
        try h.write(
            name + ".toml",
            """
            timezone = "UTC"
            [schedule]
            manual = true
            [connections.src]
            connector = "csv"
            path = "\(h.root)/\(name)-in.csv"
            [connections.dst]
            connector = "csv"
            path = "\(h.root)/\(name)-out.csv"
            [[jobs]]
            name = "main"
            from = "src"
            to = "dst"
            \(jobLines)

            """)
    }

    /// `almanac run NAME` on the harness's directories, after the export was made from 5 items
    /// and the source was then cut down to `left` of them.
    static func runAfterCutting(to left: Int, jobLines: String = "") throws -> (
        code: Int32, out: String, exported: Int
    ) {
        let h = try DaemonHarness()
        if jobLines.isEmpty { try h.writeProfile("alpha") } else { try profile(h, "alpha", jobLines: jobLines) }
        try source(h, "alpha", Array(1...5))
        try header.write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
        let arguments = ["run", "alpha", "--profiles", h.profiles, "--state", h.state]
        let first = try h.cli(arguments, runtimeOption: false)
        #expect(first.code == 0 && first.out.contains("to: 5 created"), "\(first.out)\(first.err)")
        try source(h, "alpha", Array(1...5).prefix(left).map { $0 })
        let second = try h.cli(arguments, runtimeOption: false)
        return (second.code, second.out, try exported(h, "alpha"))
    }

    @Test func withTheDefaultsFiveToZeroAndFiveToTwoBlockAndFiveToFourDoesNot() throws {
        let none = try Self.runAfterCutting(to: 0)
        #expect(none.code == 1)
        #expect(none.out.hasPrefix("job main: blocked in "), "\(none.out)")
        #expect(
            none.out.hasSuffix(
                "  error sync.mass_delete_blocked: job main: the from side listed no items where 5 were known, "
                    + "so 5 deletes toward to are held back; if that is right, run again with --allow-mass-delete\n"),
            "\(none.out)")
        #expect(none.exported == 5)

        let two = try Self.runAfterCutting(to: 2)
        #expect(two.code == 1)
        #expect(
            two.out.hasSuffix(
                "  error sync.mass_delete_blocked: job main: 3 of 5 items (more than 20 %) would be deleted on the "
                    + "to side; check the from side, then run again with --allow-mass-delete if that is right\n"),
            "\(two.out)")
        #expect(two.exported == 5)

        let four = try Self.runAfterCutting(to: 4)
        #expect(four.code == 0, "\(four.out)")
        #expect(four.out.contains("to: 1 deleted, 4 unchanged"), "\(four.out)")
        #expect(four.exported == 4)
    }

    @Test func massDeleteMinSetsTheSmallestNumberOfDeletesThatBlocks() throws {
        let three = try Self.runAfterCutting(to: 2, jobLines: "mass_delete_min = 4")
        #expect(three.code == 0, "\(three.out)")
        #expect(three.out.contains("to: 3 deleted, 2 unchanged"), "\(three.out)")
        #expect(three.exported == 2)
        let four = try Self.runAfterCutting(to: 1, jobLines: "mass_delete_min = 4")
        #expect(four.code == 1)
        #expect(four.out.contains("job main: 4 of 5 items (more than 20 %) would be deleted on the to side"))
        #expect(four.exported == 5)
        // Emptying the source blocks whatever mass_delete_min says.
        let all = try Self.runAfterCutting(to: 0, jobLines: "mass_delete_min = 100")
        #expect(all.code == 1)
        #expect(all.out.contains("the from side listed no items where 5 were known"), "\(all.out)")

        let h = try DaemonHarness()
        try Self.profile(h, "alpha", jobLines: "mass_delete_min = 0")
        let check = try h.cli(["check", h.profiles + "/alpha.toml"], runtimeOption: false)
        #expect(check.code == 78)
        #expect(check.out.contains("alpha.toml: jobs[0].mass_delete_min: must be ≥ 1, got 0"), "\(check.out)")
    }

    @Test func syncAllowMassDeleteLetsABlockedRunThroughOnce() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try Self.source(h, "alpha", Array(1...5))
        try Self.header.write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
        try h.start()
        try h.waitReady("alpha")
        let first = try h.cli(["sync", "alpha", "--wait"])
        #expect(first.code == 0 && first.out.contains("to: 5 created"), "\(first.out)\(first.err)")

        try Self.source(h, "alpha", [1, 2])
        let blocked = try h.cli(["sync", "alpha", "--wait"])
        #expect(blocked.code == 1)
        #expect(
            blocked.out.hasSuffix(
                "\n  sync.mass_delete_blocked: job main: 3 of 5 items (more than 20 %) would be deleted on the to "
                    + "side; check the from side, then run again with --allow-mass-delete if that is right\n"),
            "\(blocked.out)")
        #expect(try Self.exported(h, "alpha") == 5)

        let allowed = try h.cli(["sync", "alpha", "--allow-mass-delete", "--wait"])
        #expect(allowed.code == 0, "\(allowed.out)\(allowed.err)")
        #expect(allowed.out.contains("alpha/main: success in"), "\(allowed.out)")
        #expect(allowed.out.contains("to: 3 deleted, 2 unchanged"), "\(allowed.out)")
        #expect(try Self.exported(h, "alpha") == 2)

        // Only that run: the next one is guarded again.
        try Self.source(h, "alpha", [])
        let again = try h.cli(["sync", "alpha", "--wait"])
        #expect(again.code == 1)
        #expect(again.out.contains("the from side listed no items where 2 were known"), "\(again.out)")
        #expect(try Self.exported(h, "alpha") == 2)

        // Without --wait the flag travels too.
        #expect(try h.cli(["sync", "alpha", "--allow-mass-delete"]).code == 0)
        try h.waitUntil("the allowed run emptied the export", timeout: 10) { try Self.exported(h, "alpha") == 0 }
        try h.waitUntil("its result", timeout: 10) { try h.status("alpha")?.lastRun?.to.deleted == 2 }
        #expect(try h.status("alpha")?.lastRun?.result == "success")
        #expect(h.stop() == 0)
    }
}
