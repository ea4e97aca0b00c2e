import AlmanacCore
import AlmanacWire
import Foundation
import Testing

/// Schedule conflicts end to end with the built binary: a CSV source with seeded overlaps (the
/// same participant, the same room), back-to-back appointments, a cancelled one and a
/// case-folded email; `almanac conflicts --json`, `GET /v1/profiles/NAME/conflicts` and the state
/// file (daemon stopped) list exactly the seeded pairs; the `conflict` notice arrives once.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ConflictsEndToEndTests {
    static func day(_ time: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date().addingTimeInterval(2 * 86_400)) + " " + time
    }

    /// `field value first second` of each conflict, keys from the `from` side.
    static func pairs(_ list: ConflictList) -> Set<String> {
        Set(list.conflicts.map { "\($0.field) \($0.value) \($0.first.keyFrom ?? "-") \($0.second.keyFrom ?? "-")" })
    }

    @Test func seededOverlapsAreReportedExactlyAndNotifiedOnce() throws {
        let h = try DaemonHarness()
        let notices = h.root + "/notices.ndjson"
        let rows = [
            // The same participant (case and spaces aside), different rooms: a conflict.
            "a1,Checkup,\(Self.day("09:00")),\(Self.day("10:00")),ann@example.com,Room A,confirmed",
            "a2,X-ray,\(Self.day("09:30")),\(Self.day("10:30")), Ann@Example.COM ,Room B,confirmed",
            // The same room, different participants: a conflict.
            "b1,Dental,\(Self.day("11:00")),\(Self.day("12:00")),bob@example.com,Room C,confirmed",
            "b2,Hygiene,\(Self.day("11:30")),\(Self.day("11:45")),cat@example.com,room c,confirmed",
            // Back to back, same participant and room: none.
            "c1,Session 1,\(Self.day("13:00")),\(Self.day("14:00")),dan@example.com,Room D,confirmed",
            "c2,Session 2,\(Self.day("14:00")),\(Self.day("15:00")),dan@example.com,Room D,confirmed",
            // Overlapping, but one is cancelled: none.
            "e1,Consult,\(Self.day("16:00")),\(Self.day("17:00")),eve@example.com,Room E,confirmed",
            "e2,Consult,\(Self.day("16:30")),\(Self.day("17:30")),eve@example.com,Room E,cancelled",
        ]
        try
            ("external_id,title,start_time,end_time,participant_0_email,room,status\n"
            + rows.joined(separator: "\n") + "\n")
            .write(toFile: h.root + "/clinic-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(
            toFile: h.root + "/clinic-out.csv", atomically: true, encoding: .utf8)
        try h.write(
            "clinic.toml",
            """
            timezone = "UTC"
            [schedule]
            manual = true
            [notify]
            on = ["conflict"]
            command = ["/bin/sh", "-c", "cat >> \(notices); echo >> \(notices)"]
            [connections.src]
            connector = "csv"
            path = "\(h.root)/clinic-in.csv"
            [connections.dst]
            connector = "csv"
            path = "\(h.root)/clinic-out.csv"
            [[jobs]]
            name = "main"
            from = "src"
            to = "dst"
            conflicts = { by = ["participant_0_email", "custom.room"] }
            """)
        try h.start()
        try h.waitReady("clinic")
        let first = try h.cli(["sync", "clinic", "--wait"])
        #expect(first.code == 0, "\(first.out)\(first.err)")

        let expected: Set<String> = [
            "participant_0_email ann@example.com a1 a2",
            "custom.room room c b1 b2",
        ]
        let cli = try h.cli(["conflicts", "clinic", "--json"])
        #expect(cli.code == 0, "\(cli.err)")
        let listed = try Wire.decoder().decode(ConflictList.self, from: Data(cli.out.utf8))
        #expect(Self.pairs(listed) == expected)
        #expect(listed.count == 2 && listed.more == 0 && listed.conflicts.count == 2)
        let a = listed.conflicts.first { $0.value == "ann@example.com" }
        #expect(a?.first.title == "Checkup" && a?.second.title == "X-ray")
        #expect(a?.first.sides == ["from", "to"] && a?.first.keyTo != nil)
        #expect(a?.job == "main")

        let api = try h.client().request("GET", "/v1/profiles/clinic/conflicts")
        #expect(api.status == 200)
        #expect(api.text.trimmingCharacters(in: .newlines) == cli.out.trimmingCharacters(in: .newlines))
        let other = try h.client().request("GET", "/v1/profiles/clinic/conflicts?job=nosuch")
        #expect(other.status == 404)
        let table = try h.cli(["conflicts", "clinic", "--job", "main"])
        #expect(table.code == 0 && table.out.contains("\"Checkup\"") && table.out.contains("room c"), "\(table.out)")

        // The notice: once, and not again after a run that finds the same conflicts.
        func received() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: notices, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        try h.waitUntil("a conflict notice", timeout: 30) { received().count >= 1 }
        let again = try h.cli(["sync", "clinic", "--wait"])
        #expect(again.code == 0, "\(again.out)\(again.err)")
        Thread.sleep(forTimeInterval: 1.5)
        let got = received()
        #expect(got.count == 1)
        #expect(got.first?["event"] as? String == "conflict")
        let summary = got.first?["conflicts"] as? [String: Any]
        #expect(summary?["count"] as? Int == 2)
        #expect((summary?["pairs"] as? [Any])?.count == 2)

        // Between runs with no daemon: the state file answers the same.
        h.stop()
        let offline = try h.cli(["conflicts", "clinic", "--json", "--state", h.state])
        #expect(offline.code == 0, "\(offline.err)")
        let stored = try Wire.decoder().decode(ConflictList.self, from: Data(offline.out.utf8))
        #expect(stored == listed)
    }
}
