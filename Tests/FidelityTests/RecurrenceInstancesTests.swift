import AlmanacCore
import AlmanacSync
import FakeCalendars
import Foundation
import GRDB
import Testing

/// `recurrence = "instances"` through the engine (issue 19, acceptance): a weekly series made on
/// Google, two of its instances moved and one cancelled, reaches SQLite over ODBC as one row per
/// occurrence with `series_id` and `original_start`; accepting one instance on Google confirms
/// that row only.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RecurrenceInstancesTests {
    /// 2026-03-10 15:00 UTC; the series starts the next day at 09:00 in Chicago (CDT).
    static let now = Date(timeIntervalSince1970: 1_773_154_800)
    static let zone = TimeZone(identifier: "America/Chicago")!
    static let first = Date(timeIntervalSince1970: 1_773_237_600)  // 2026-03-11 09:00 CDT

    static let schema = """
        CREATE TABLE appts (id TEXT PRIMARY KEY, subject TEXT, starts TIMESTAMP, ends TIMESTAMP,
                            series TEXT, orig TIMESTAMP, p0_name TEXT, p0_email TEXT, confirmed INTEGER NOT NULL DEFAULT 0);
        """

    static func profile(mode: String) -> String {
        FidelityHarness.databaseAndCalendar(
            job: """
                recurrence = "\(mode)"
                apply_back = { create = true, update = true, delete = false }
                """,
            source: """
                read_query = '''
                SELECT id AS external_id, subject AS title, starts AS start_time, ends AS end_time,
                       series AS series_id, orig AS original_start, p0_name AS participant_0_name,
                       p0_email AS participant_0_email
                FROM appts WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
                '''
                insert = '''
                INSERT INTO appts (id, subject, starts, ends, series, orig, p0_name, p0_email)
                VALUES (:external_id, :title, :start_time, :end_time, :series_id, :original_start, :participant_0_name,
                        :participant_0_email)
                '''
                update = '''
                UPDATE appts SET subject = :title, starts = :start_time, ends = :end_time, series = :series_id,
                                 orig = :original_start, p0_name = :participant_0_name,
                                 p0_email = :participant_0_email
                WHERE id = :external_id
                '''
                on_confirmed = "UPDATE appts SET confirmed = 1 WHERE id = :external_id"
                """)
    }

    static func iso(_ d: Date) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: zone)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon)
        return d.formatted(style)
    }

    /// Weekly, 5 instances, 30 minutes each, with one attendee who has not answered.
    static func seedSeries(_ g: GoogleFake) -> String {
        g.seed([
            "summary": "Physio", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=5"],
            "start": ["dateTime": iso(first), "timeZone": "America/Chicago"],
            "end": ["dateTime": iso(first + 1800), "timeZone": "America/Chicago"],
            "attendees": [["email": "ann@example.org", "displayName": "Ann", "responseStatus": "needsAction"]],
        ])
    }

    static func week(_ n: Int) -> Date { first + Double(n) * 7 * 86_400 }

    @Test func movedAndCancelledInstancesArriveAsRowsAndOneAcceptanceConfirmsOneRow() throws {
        let h = try FidelityHarness(
            calendar: .google, now: Self.now, schema: Self.schema, profile: Self.profile(mode: "instances"))
        let g = h.google
        let series = Self.seedSeries(g)
        // Week 1 moved two hours later, week 2 moved to the next day, week 3 cancelled.
        let moves: [(Int, Date)] = [(1, Self.week(1) + 7200), (2, Self.week(2) + 86_400)]
        for (n, to) in moves {
            let id = GoogleFake.instanceID(series: series, originalStart: Self.week(n))
            #expect(
                g.editInstance(id) {
                    $0["start"] = ["dateTime": Self.iso(to), "timeZone": "America/Chicago"]
                    $0["end"] = ["dateTime": Self.iso(to + 1800), "timeZone": "America/Chicago"]
                })
        }
        g.userDelete(GoogleFake.instanceID(series: series, originalStart: Self.week(3)))

        let first = try h.run().report
        #expect(first.result == .success, "\(first.summary)")
        #expect(first.fromCounts.created == 4, "\(first.summary)")
        let rows = try h.stamps("SELECT subject, starts, ends, series, orig FROM appts ORDER BY orig")
        let want: [[String?]] = [0, 1, 2, 4].map { n in
            let start = moves.first { $0.0 == n }?.1 ?? Self.week(n)
            return ["Physio", wall(start), wall(start + 1800), series, wall(Self.week(n))]
        }
        #expect(rows == want)
        let idle = try h.run()
        #expect(idle.report.writes == 0, "\(idle.report.summary) \(idle.actions.map(\.line))")

        // Ann accepts the last occurrence only.
        let last = GoogleFake.instanceID(series: series, originalStart: Self.week(4))
        #expect(
            g.editInstance(last) {
                $0["attendees"] = [["email": "ann@example.org", "displayName": "Ann", "responseStatus": "accepted"]]
            })
        let third = try h.run().report
        #expect(third.result == .success && third.fromCounts.confirmed == 1, "\(third.summary)")
        let confirmed = try h.stamps("SELECT orig, confirmed FROM appts ORDER BY orig")
        #expect(confirmed == [0, 1, 2, 4].map { [wall(Self.week($0)), $0 == 4 ? "1" : "0"] })
        // The acceptance changed that instance on Google and nothing else.
        let accepted = g.events().filter {
            (($0["attendees"] as? [[String: Any]])?.first?["responseStatus"] as? String) == "accepted"
        }
        #expect(accepted.map { $0["id"] as? String } == [last])
    }
}
