import AlmanacCore
import AlmanacSync
import FakeCalendars
import Foundation
import Testing

/// A value one side refused (`apply.update` or `apply_back.update` false) stays on the side that
/// holds it: a later change of another field, on either side, is no licence to undo it (found by
/// the model test, `model.1`). SQLite over ODBC, two-way with the fake Google and Cronofy.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RefusedValueTests {
    /// 2026-03-10 15:00 UTC (10:00 in Chicago).
    static let now = Date(timeIntervalSince1970: 1_773_154_800)

    static func harness(_ service: FakeService, apply: String, applyBack: String, extra: String = "") throws
        -> FidelityHarness
    {
        let profile = FidelityHarness.databaseAndCalendar(
            job: """
                apply = \(apply)
                apply_back = \(applyBack)
                \(extra)
                """,
            source: """
                read_query = '''
                SELECT id AS external_id, subject AS title, room AS location, starts AS start_time,
                       ends AS end_time FROM appts WHERE starts >= :window_start AND starts < :window_end
                '''
                update = "UPDATE appts SET subject = :title, room = :location WHERE id = :external_id"
                """)
        let h = try FidelityHarness(
            calendar: service, now: now,
            schema:
                "CREATE TABLE appts (id INTEGER PRIMARY KEY, subject TEXT, room TEXT, starts TIMESTAMP, ends TIMESTAMP)",
            profile: profile)
        let t0 = now.addingTimeInterval(2 * 86_400)
        try h.exec("INSERT INTO appts VALUES (1, 'Checkup', 'Room 1', ?, ?)", [wall(t0), wall(t0 + 1800)])
        let first = try h.run().report
        #expect(first.toCounts.created == 1, "\(first.summary)")
        return h
    }

    /// The one event's title and location as the calendar holds them.
    static func event(_ h: FidelityHarness, _ service: FakeService) -> [String?] {
        if service == .google {
            let e = h.google.events().first
            return [e?["summary"] as? String, e?["location"] as? String]
        }
        let e = h.cronofy.liveEvents().first
        return [e?["summary"] as? String, (e?["location"] as? [String: Any])?["description"] as? String]
    }

    /// Changes the one event's title or location as a calendar user would.
    static func editEvent(
        _ h: FidelityHarness, _ service: FakeService, title: String? = nil, location: String? = nil
    ) throws {
        if service == .google {
            let id = try #require(h.google.events().first?["id"] as? String)
            h.google.edit(id) { e in
                if let title { e["summary"] = title }
                if let location { e["location"] = location }
            }
        } else {
            let id = try #require(h.cronofy.managedEvents().keys.first)
            h.cronofy.edit(eventID: id) { e in
                if let title { e["summary"] = title }
                if let location { e["location"] = ["description": location] }
            }
        }
    }

    @Test(arguments: [FakeService.google, .cronofy])
    func aCalendarEditTheRowRefusedIsNotUndoneByTheRowsNextChange(_ service: FakeService) throws {
        let h = try Self.harness(
            service, apply: "{ create = true, update = true, delete = true }",
            applyBack: "{ create = false, update = false, delete = false }")
        try Self.editEvent(h, service, location: "Room 9")
        let refused = try h.run().report
        #expect(refused.writes == 0, "\(refused.summary)")
        #expect(try h.rows("SELECT subject, room FROM appts") == [["Checkup", "Room 1"]])

        try h.exec("UPDATE appts SET subject = 'Checkup (long)' WHERE id = 1")
        let renamed = try h.run().report
        #expect(renamed.toCounts.updated == 1 && renamed.fromCounts.changed == 0, "\(renamed.summary)")
        #expect(Self.event(h, service) == ["Checkup (long)", "Room 9"], "the calendar keeps its location")
        #expect(try h.rows("SELECT subject, room FROM appts") == [["Checkup (long)", "Room 1"]])
        let idle = try h.run().report
        #expect(idle.writes == 0, "\(idle.summary)")
        #expect(Self.event(h, service) == ["Checkup (long)", "Room 9"])
    }

    @Test(arguments: [FakeService.google, .cronofy])
    func aRowEditTheCalendarRefusedIsNotUndoneByTheCalendarsNextChange(_ service: FakeService) throws {
        let h = try Self.harness(
            service, apply: "{ create = true, update = false, delete = true }",
            applyBack: "{ create = false, update = true, delete = false }")
        try h.exec("UPDATE appts SET room = 'Room 9' WHERE id = 1")
        let refused = try h.run().report
        #expect(refused.writes == 0, "\(refused.summary)")
        #expect(Self.event(h, service) == ["Checkup", "Room 1"])

        try Self.editEvent(h, service, title: "Checkup (long)")
        let renamed = try h.run().report
        #expect(renamed.fromCounts.updated == 1 && renamed.toCounts.changed == 0, "\(renamed.summary)")
        #expect(
            try h.rows("SELECT subject, room FROM appts") == [["Checkup (long)", "Room 9"]], "the row keeps its room")
        #expect(Self.event(h, service) == ["Checkup (long)", "Room 1"])
        let idle = try h.run().report
        #expect(idle.writes == 0, "\(idle.summary)")
    }

    /// A field the calendar owns (`to_owns`) that the row may not take: the calendar's value
    /// stays when the row changes another field.
    @Test(arguments: [FakeService.google, .cronofy])
    func anOwnedValueTheRowRefusedStaysOnTheCalendar(_ service: FakeService) throws {
        let h = try Self.harness(
            service, apply: "{ create = true, update = true, delete = true }",
            applyBack: "{ create = false, update = false, delete = false }", extra: "to_owns = [\"location\"]")
        try Self.editEvent(h, service, location: "Room 9")
        #expect(try h.run().report.writes == 0)
        try h.exec("UPDATE appts SET subject = 'Checkup (long)', room = 'Room 2' WHERE id = 1")
        let renamed = try h.run().report
        #expect(renamed.toCounts.updated == 1 && renamed.fromCounts.changed == 0, "\(renamed.summary)")
        #expect(Self.event(h, service) == ["Checkup (long)", "Room 9"], "the calendar owns its location")
        let idle = try h.run().report
        #expect(idle.writes == 0, "\(idle.summary)")
    }
}
