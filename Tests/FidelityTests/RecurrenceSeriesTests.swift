import AlmanacCore
import AlmanacSync
import FakeCalendars
import Foundation
import GRDB
import Testing

/// `recurrence = "series"` through the engine (issue 19, acceptance): a row with an `rrule`
/// becomes one recurring Google event, and an occurrence cancelled on Google comes back as an
/// exception, added to the row's `exdate`. And the job's `recurrence` decides how a series made
/// on Google arrives: one row per occurrence, or one row for the series.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RecurrenceSeriesTests {
    static let now = RecurrenceInstancesTests.now
    static let zone = TimeZone(identifier: "America/Chicago")!
    /// Tuesday 2026-03-17 10:00 CDT.
    static let tuesday = Date(timeIntervalSince1970: 1_773_759_600)

    static let schema = """
        CREATE TABLE appts (id TEXT PRIMARY KEY, subject TEXT, starts TIMESTAMP, ends TIMESTAMP,
                            series TEXT, orig TIMESTAMP, rrule TEXT, exdate TEXT, rdate TEXT);
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
                       series AS series_id, orig AS original_start, rrule, exdate, rdate
                FROM appts WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
                '''
                insert = '''
                INSERT INTO appts VALUES (:external_id, :title, :start_time, :end_time, :series_id, :original_start,
                                          :rrule, :exdate, :rdate)
                '''
                update = '''
                UPDATE appts SET subject = :title, starts = :start_time, ends = :end_time, series = :series_id,
                                 orig = :original_start, rrule = :rrule, exdate = :exdate, rdate = :rdate
                WHERE id = :external_id
                '''
                """)
    }

    @Test func aRowWithAnRRuleBecomesOneRecurringEventAndACancelledOccurrenceComesBackAsAnExdate() throws {
        let h = try FidelityHarness(
            calendar: .google, now: Self.now, schema: Self.schema, profile: Self.profile(mode: "series"))
        try h.exec(
            "INSERT INTO appts (id, subject, starts, ends, rrule) VALUES ('r1', 'Lab', ?, ?, ?)",
            [wall(Self.tuesday), wall(Self.tuesday + 3600), "FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH"])
        let first = try h.run().report
        #expect(first.result == .success && first.toCounts.created == 1, "\(first.summary)")
        let events = h.google.events()
        #expect(events.count == 1)
        let series = events.first?["id"] as? String ?? ""
        #expect(events.first?["recurrence"] as? [String] == ["RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH"])
        #expect((events.first?["start"] as? [String: Any])?["timeZone"] as? String == "America/Chicago")
        // Ten occurrences, Tuesdays and Thursdays at 10:00 in Chicago.
        let starts = h.google.instanceStarts(of: series)
        #expect(starts.count == 10)
        #expect(starts.map { wall($0).suffix(8) } == Array(repeating: "10:00:00", count: 10))
        #expect(starts[1] == Self.tuesday + 2 * 86_400 && starts[2] == Self.tuesday + 7 * 86_400)
        let idle = try h.run()
        #expect(idle.report.writes == 0, "\(idle.report.summary) \(idle.actions.map(\.line))")

        // The second Tuesday is cancelled on Google.
        h.google.userDelete(GoogleFake.instanceID(series: series, originalStart: Self.tuesday + 7 * 86_400))
        let back = try h.run().report
        #expect(back.result == .success && back.fromCounts.updated == 1, "\(back.summary)")
        #expect(
            try h.rows("SELECT rrule, exdate, rdate FROM appts") == [
                ["FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH", "20260324T100000", nil]
            ])
        #expect(h.google.instanceStarts(of: series).count == 9)
        let after = try h.run(RunOptions(full: true))
        #expect(after.report.writes == 0, "\(after.report.summary) \(after.actions.map(\.line))")
    }

    /// The same weekly series made on Google reaches the database as 5 rows with `series_id`
    /// under `instances`, as 1 row with its `rrule` under `series`.
    @Test(arguments: ["instances", "series"])
    func theJobsRecurrenceDecidesHowASeriesArrives(mode: String) throws {
        let h = try FidelityHarness(
            calendar: .google, now: Self.now, schema: Self.schema, profile: Self.profile(mode: mode))
        let series = RecurrenceInstancesTests.seedSeries(h.google)
        let report = try h.run().report
        #expect(report.result == .success, "\(report.summary)")
        let rows = try h.stamps("SELECT subject, starts, series, orig, rrule FROM appts ORDER BY starts")
        let first = RecurrenceInstancesTests.first
        if mode == "instances" {
            #expect(
                rows
                    == (0..<5).map { n in
                        let s = first + Double(n) * 7 * 86_400
                        return ["Physio", wall(s), series, wall(s), nil]
                    })
        } else {
            #expect(rows == [["Physio", wall(first), nil, nil, "FREQ=WEEKLY;COUNT=5"]])
        }
        let idle = try h.run()
        #expect(idle.report.writes == 0, "\(idle.report.summary) \(idle.actions.map(\.line))")
    }
}
