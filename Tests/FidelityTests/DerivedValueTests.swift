import AlmanacCore
import AlmanacSync
import FakeCalendars
import Foundation
import Testing

/// Values the job computes are not source values (issue "Exact sync", defect 3), and the
/// calendar's all-day edits survive a side that stores timestamps only (defect 4): SQLite over
/// ODBC, two-way with the fake Google.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DerivedValueTests {
    /// 2026-03-10 15:00 UTC (10:00 in Chicago).
    static let now = Date(timeIntervalSince1970: 1_773_154_800)

    static let schema = """
        CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE appts (id INTEGER PRIMARY KEY, subject TEXT, starts TIMESTAMP, ends TIMESTAMP,
                            kind TEXT, client_id INTEGER);
        """

    /// The database with client Ann, two-way with the fake Google, titles made by a template;
    /// `update` is the statement that applies calendar edits to a row.
    static func harness(update: String) throws -> FidelityHarness {
        let profile = FidelityHarness.databaseAndCalendar(
            job: """
                apply_back = { create = false, update = true, delete = false }
                title_template = "{{appt_type}} with {{participant_0_name}}"
                """,
            source: """
                read_query = '''
                SELECT a.id AS external_id, a.subject AS title, a.starts AS start_time, a.ends AS end_time,
                       a.kind AS appt_type, c.name AS participant_0_name
                FROM appts a JOIN clients c ON c.id = a.client_id
                WHERE a.starts >= :window_start AND a.starts < :window_end
                '''
                update = "\(update)"
                """)
        let h = try FidelityHarness(calendar: .google, now: now, schema: schema, profile: profile)
        try h.exec("INSERT INTO clients VALUES (1, 'Ann')")
        return h
    }

    static let updateAll =
        "UPDATE appts SET subject = :title, starts = :start_time, ends = :end_time WHERE id = :external_id"

    @Test func aTimeEditOnTheCalendarWritesBackTheTimeAndNotTheTemplateTitle() throws {
        let h = try Self.harness(update: Self.updateAll)
        let t0 = Self.now.addingTimeInterval(2 * 86_400)
        try h.exec(
            "INSERT INTO appts VALUES (1, NULL, ?, ?, 'checkup', 1), (2, NULL, ?, ?, 'checkup', 1)",
            [wall(t0), wall(t0 + 1800), wall(t0 + 7200), wall(t0 + 9000)])
        let first = try h.run().report
        #expect(first.toCounts.created == 2, "\(first.summary)")
        #expect(Set(h.google.events().compactMap { $0["summary"] as? String }) == ["checkup with Ann"])

        // The client moves appointment 1 by an hour on the calendar.
        let target = try #require(h.google.events().first { startInstant($0) == t0 })
        let id = try #require(target["id"] as? String)
        let moved = t0 + 3600
        h.google.edit(id) { e in
            e["start"] = ["dateTime": moved.formatted(.iso8601), "timeZone": "UTC"]
            e["end"] = ["dateTime": (moved + 1800).formatted(.iso8601), "timeZone": "UTC"]
        }
        let second = try h.run().report
        #expect(second.fromCounts.updated == 1 && second.toCounts.changed == 0, "\(second.summary)")
        let row = try h.stamps("SELECT subject, starts, ends FROM appts WHERE id = 1")
        #expect(row == [[nil, wall(moved), wall(moved + 1800)]], "the title stays derived; only the time arrives")

        // The client's name changes: every event is renamed, the moved one too.
        try h.exec("UPDATE clients SET name = 'Bea' WHERE id = 1")
        let third = try h.run().report
        #expect(third.toCounts.updated == 2 && third.fromCounts.changed == 0, "\(third.summary)")
        #expect(
            h.google.events().compactMap { $0["summary"] as? String }.sorted() == [
                "checkup with Bea", "checkup with Bea",
            ])
        let idle = try h.run().report
        #expect(idle.writes == 0, "\(idle.summary)")
    }

    @Test func aTitleChangedOnTheCalendarIsWrittenBack() throws {
        let h = try Self.harness(update: Self.updateAll)
        let t0 = Self.now.addingTimeInterval(86_400)
        try h.exec("INSERT INTO appts VALUES (1, NULL, ?, ?, 'checkup', 1)", [wall(t0), wall(t0 + 1800)])
        #expect(try h.run().report.toCounts.created == 1)
        let id = try #require(h.google.events().first?["id"] as? String)
        h.google.edit(id) { $0["summary"] = "Ann's annual checkup" }
        let back = try h.run().report
        #expect(back.fromCounts.updated == 1, "\(back.summary)")
        #expect(try h.stamps("SELECT subject FROM appts") == [["Ann's annual checkup"]])
        #expect(try h.run().report.writes == 0)
    }

    @Test func anAllDayEditOnTheCalendarStaysAllDayWhenTheRowHoldsTimestamps() throws {
        let h = try Self.harness(
            update: "UPDATE appts SET starts = :start_time, ends = :end_time WHERE id = :external_id")
        let t0 = Self.now.addingTimeInterval(3 * 86_400)
        try h.exec("INSERT INTO appts VALUES (1, 'Vaccination', ?, ?, 'checkup', 1)", [wall(t0), wall(t0 + 1800)])
        #expect(try h.run().report.toCounts.created == 1)
        let id = try #require(h.google.events().first?["id"] as? String)
        let d = day(t0)
        let next = day(t0 + 86_400)
        h.google.edit(id) { e in
            e["start"] = ["date": d]
            e["end"] = ["date": next]
        }
        let back = try h.run().report
        #expect(back.fromCounts.updated == 1 && back.toCounts.changed == 0, "\(back.summary)")
        #expect(try h.stamps("SELECT starts, ends FROM appts") == [["\(d) 00:00:00", "\(next) 00:00:00"]])
        let idle = try h.run().report
        #expect(idle.writes == 0, "\(idle.summary)")
        let event = try #require(h.google.event(id))
        #expect((event["start"] as? [String: Any])?["date"] as? String == d, "the event stays all-day: \(event)")
        #expect((event["end"] as? [String: Any])?["date"] as? String == next)
    }
}
