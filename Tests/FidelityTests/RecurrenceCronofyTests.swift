import AlmanacCore
import AlmanacSync
import AlmanacWorker
import FakeCalendars
import Foundation
import GRDB
import Testing

/// `recurrence = "series"` with Cronofy on the `to` side (issue 19): Cronofy's API has no
/// recurring events, so a row with an `rrule` becomes one Cronofy event per occurrence inside the
/// window (`event_id` `<series key>_<original start>`), and an occurrence deleted or moved on
/// Cronofy comes back to the row as an exception (`exdate`, `rdate`), as with Google.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RecurrenceCronofyTests {
    static let zone = TimeZone(identifier: "America/Chicago")!
    /// Monday 2026-03-02 12:00 CST: the window runs from 2026-02-23 to 2026-05-01.
    static let now = Date(timeIntervalSince1970: 1_772_474_400)
    /// Tuesday 2026-03-03 10:00 CST (16:00Z); Chicago moves to CDT on Sunday 2026-03-08.
    static let tuesday = Date(timeIntervalSince1970: 1_772_553_600)
    static let rule = "FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH"

    static func profile(window: String = "{ past_days = 7, future_days = 60, chunk_days = 7 }") -> String {
        FidelityHarness.databaseAndCalendar(
            job: "recurrence = \"series\"\napply_back = { create = true, update = true, delete = false }",
            source: source, window: window)
    }

    static let source = """
        read_query = '''
        SELECT id AS external_id, subject AS title, starts AS start_time, ends AS end_time,
               rrule, exdate, rdate
        FROM appts WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
        '''
        insert = '''
        INSERT INTO appts VALUES (:external_id, :title, :start_time, :end_time, :rrule, :exdate, :rdate)
        '''
        update = '''
        UPDATE appts SET subject = :title, starts = :start_time, ends = :end_time, rrule = :rrule,
                         exdate = :exdate, rdate = :rdate
        WHERE id = :external_id
        '''
        """

    static let schema = """
        CREATE TABLE appts (id TEXT PRIMARY KEY, subject TEXT, starts TIMESTAMP, ends TIMESTAMP,
                            rrule TEXT, exdate TEXT, rdate TEXT);
        """

    /// A harness with the row `r1` (Lab, Tuesday 10:00–11:00, `rule`) in the database.
    static func harness() throws -> FidelityHarness {
        let h = try FidelityHarness(calendar: .cronofy, now: now, schema: schema, profile: profile())
        try h.exec(
            "INSERT INTO appts (id, subject, starts, ends, rrule) VALUES ('r1', 'Lab', ?, ?, ?)",
            [wall(tuesday), wall(tuesday + 3600), rule])
        return h
    }

    /// The Tuesdays and Thursdays at 10:00 in Chicago from `tuesday`: `count` of them.
    static func occurrences(_ count: Int) -> [Date] {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return (0..<count).map { n in
            let day = cal.date(byAdding: .day, value: (n / 2) * 7 + (n % 2) * 2, to: tuesday)!
            return cal.date(bySettingHour: 10, minute: 0, second: 0, of: day)!
        }
    }

    /// The fake's live managed events: `event_id` → start instant.
    static func starts(_ h: FidelityHarness) -> [String: Date] {
        h.cronofy.managedEvents().compactMapValues { e in
            (e["start"] as? String).flatMap { try? Date.ISO8601FormatStyle().parse($0) }
        }
    }

    /// The methods of the entries of every batch the fake answered (`POST`: an upsert,
    /// `DELETE`), in order.
    static func batchEntries(_ h: FidelityHarness) -> [String] {
        h.server?.log.all.filter { $0.path == "/v1/batch" }.flatMap { r in r.parts.map(\.method) } ?? []
    }

    /// The series key: the `event_id`s less their `_<original start>`.
    static func seriesKeys(_ h: FidelityHarness) -> Set<String> {
        Set(h.cronofy.managedEvents().keys.compactMap { id in id.lastIndex(of: "_").map { String(id[..<$0]) } })
    }

    static func stamp(_ d: Date) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: .gmt)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeSeparator(.omitted)
            .dateSeparator(.omitted)
        return d.formatted(style) + "Z"
    }

    @Test func theSeriesProfileIsAccepted() throws {
        let h = try Self.harness()
        #expect(h.runner.profile.jobs[0].recurrence == .series)
    }

    @Test func aRowWithAnRRuleBecomesOneEventPerOccurrenceAndEditsOfTheRuleChangeOnlyTheirOwn() throws {
        let h = try Self.harness()
        let first = try h.run().report
        #expect(first.result == .success && first.toCounts.created == 1, "\(first.summary)")
        let events = Self.starts(h)
        let expected = Self.occurrences(10)
        #expect(events.count == 10)
        #expect(events.values.sorted() == expected)
        // 10:00 on each day in Chicago, across the change to daylight saving time on 8 March.
        #expect(events.values.sorted().map { wall($0).suffix(8) } == Array(repeating: "10:00:00", count: 10))
        #expect(events.values.sorted().prefix(2).map { wall($0, .gmt).suffix(8) } == ["16:00:00", "16:00:00"])
        #expect(
            events.values.sorted().suffix(8).map { wall($0, .gmt).suffix(8) } == Array(repeating: "15:00:00", count: 8))
        let keys = Self.seriesKeys(h)
        #expect(keys.count == 1)
        let key = keys.first ?? ""
        #expect(Set(events.keys) == Set(expected.map { key + "_" + Self.stamp($0) }))
        #expect(h.cronofy.managedEvents().values.allSatisfy { $0["summary"] as? String == "Lab" })
        let idle = try h.run()
        #expect(idle.report.writes == 0, "\(idle.report.summary) \(idle.actions.map(\.line))")

        // An exdate of the second Tuesday removes that occurrence only.
        var sent = Self.batchEntries(h).count
        try h.exec("UPDATE appts SET exdate = '20260310T100000' WHERE id = 'r1'")
        let ex = try h.run().report
        #expect(ex.result == .success && ex.toCounts.updated == 1, "\(ex.summary)")
        let afterEx = Self.starts(h)
        #expect(Set(afterEx.keys) == Set(events.keys).subtracting([key + "_20260310T150000Z"]))
        #expect(Self.batchEntries(h).dropFirst(sent) == ["DELETE"])  // the other 9 are not sent again
        sent = Self.batchEntries(h).count

        // COUNT=12 adds the two occurrences after the tenth.
        try h.exec("UPDATE appts SET rrule = 'FREQ=WEEKLY;COUNT=12;BYDAY=TU,TH' WHERE id = 'r1'")
        let more = try h.run().report
        #expect(more.result == .success && more.toCounts.updated == 1, "\(more.summary)")
        let twelve = Self.occurrences(12)
        #expect(
            Set(Self.starts(h).keys).subtracting(afterEx.keys)
                == Set(twelve.suffix(2).map { key + "_" + Self.stamp($0) }))
        #expect(Self.starts(h).count == 11)
        #expect(Self.batchEntries(h).dropFirst(sent) == ["POST", "POST"])
        let idleAgain = try h.run(RunOptions(full: true))
        #expect(idleAgain.report.writes == 0, "\(idleAgain.report.summary) \(idleAgain.actions.map(\.line))")

        // The row deleted: every occurrence goes.
        try h.exec("DELETE FROM appts")
        var options = RunOptions()
        options.allowMassDelete = true
        let gone = try h.run(options).report
        #expect(gone.result == .success && gone.toCounts.deleted == 1, "\(gone.summary)")
        #expect(h.cronofy.managedEvents().isEmpty)
    }

    @Test func anOccurrenceDeletedOrMovedOnCronofyComesBackAsAnException() throws {
        let h = try Self.harness()
        #expect(try h.run().report.result == .success)
        let key = Self.seriesKeys(h).first ?? ""
        // The second Tuesday is deleted on Cronofy.
        h.cronofy.userDelete(eventID: key + "_20260310T150000Z")
        let back = try h.run().report
        #expect(back.result == .success && back.fromCounts.updated == 1, "\(back.summary)")
        #expect(try h.rows("SELECT rrule, exdate, rdate FROM appts") == [[Self.rule, "20260310T100000", nil]])
        #expect(Self.starts(h).count == 9)
        let idle = try h.run(RunOptions(full: true))
        #expect(idle.report.writes == 0, "\(idle.report.summary) \(idle.actions.map(\.line))")

        // The first Thursday is moved to 14:00 on Cronofy.
        h.cronofy.edit(eventID: key + "_20260305T160000Z") { f in
            f["start"] = "2026-03-05T20:00:00Z"
            f["end"] = "2026-03-05T21:00:00Z"
        }
        let moved = try h.run().report
        #expect(moved.result == .success && moved.fromCounts.updated == 1, "\(moved.summary)")
        #expect(
            try h.rows("SELECT rrule, exdate, rdate FROM appts") == [
                [Self.rule, "20260305T100000,20260310T100000", "20260305T140000"]
            ])
        let still = try h.run(RunOptions(full: true))
        #expect(still.report.writes == 0, "\(still.report.summary) \(still.actions.map(\.line))")
        #expect(Self.starts(h).count == 9)
    }

    /// The batch of occurrences is applied by Cronofy but its answer is lost (the connection
    /// reset, as when almanac is killed while waiting): whether the run retries it or the next
    /// run writes the series again, the same `event_id`s are upserted, so the calendar ends with
    /// each occurrence once.
    @Test func aWriteWhoseAnswerIsLostLeavesNoDuplicate() throws {
        let h = try Self.harness()
        h.server?.injectOnce(.reset, pathPrefix: "/v1/batch")
        _ = try h.run()
        #expect(h.cronofy.liveEvents().count == 10)
        let rerun = try h.run().report
        #expect(rerun.result == .success, "\(rerun.summary)")
        #expect(Self.starts(h).values.sorted() == Self.occurrences(10))
        #expect(h.cronofy.liveEvents().count == 10)
        #expect(try h.rows("SELECT exdate, rdate FROM appts") == [[nil, nil]])
        let idle = try h.run(RunOptions(full: true))
        #expect(idle.report.writes == 0, "\(idle.report.summary) \(idle.actions.map(\.line))")
        #expect(h.cronofy.liveEvents().count == 10)
        // The batch answered by a reset, and the one that wrote the occurrences again.
        #expect((h.server?.log.all.filter { $0.path == "/v1/batch" }.count ?? 0) >= 2)
    }

    /// An unbounded weekly series on Mondays (from Monday 2 March 10:00) with a 28-day future
    /// window: the run of `now` writes the 5 Mondays up to 30 March. Fourteen days later, 6 and 13
    /// April have entered the window while neither side changed: the Cronofy side names the
    /// series to be written again (`ReadPage.refresh`), the dry run lists that update, the run
    /// writes those 2 occurrences only, and the next run writes nothing. With `past_days = 7`
    /// the series' first occurrence has left the window by then (neither side lists the series:
    /// both are taken as stored); with 30 both list it.
    @Test(arguments: [7, 30]) func occurrencesThatEnterTheWindowAreWritten(pastDays: Int) throws {
        let window = "{ past_days = \(pastDays), future_days = 28, chunk_days = 7 }"
        let h = try FidelityHarness(
            calendar: .cronofy, now: Self.now, schema: Self.schema, profile: Self.profile(window: window))
        let monday = Self.now - 2 * 3600  // 2026-03-02 10:00 CST
        try h.exec(
            "INSERT INTO appts (id, subject, starts, ends, rrule) VALUES ('w1', 'Review', ?, ?, 'FREQ=WEEKLY;BYDAY=MO')",
            [wall(monday), wall(monday + 3600)])
        let first = try h.run().report
        #expect(first.result == .success && first.toCounts.created == 1, "\(first.summary)")
        let key = Self.seriesKeys(h).first ?? ""
        let mondays = (0..<7).map { Calendar.chicago.date(byAdding: .day, value: 7 * $0, to: monday)! }
        #expect(Set(Self.starts(h).keys) == Set(mondays.prefix(5).map { key + "_" + Self.stamp($0) }))
        #expect(Self.starts(h).values.map { wall($0).suffix(8) }.allSatisfy { $0 == "10:00:00" })
        let idle = try h.run()
        #expect(idle.report.writes == 0, "\(idle.report.summary) \(idle.actions.map(\.line))")

        h.now = Self.now + 14 * 86_400
        let sent = Self.batchEntries(h).count
        var dry = RunOptions()
        dry.dryRun = true
        let planned = try h.run(dry)
        #expect(
            planned.actions.map(\.line) == [
                PlannedAction(kind: .update, target: .to, key: "w1", reason: "occurrences entered the window").line
            ])
        #expect(Self.starts(h).count == 5)
        #expect(Self.batchEntries(h).count == sent)

        let later = try h.run().report
        #expect(later.result == .success && later.toCounts.updated == 1 && later.writes == 1, "\(later.summary)")
        #expect(Set(Self.starts(h).keys) == Set(mondays.map { key + "_" + Self.stamp($0) }))
        #expect(Self.batchEntries(h).dropFirst(sent) == ["POST", "POST"])  // the 2 new Mondays only
        #expect(try h.rows("SELECT rrule, exdate, rdate FROM appts") == [["FREQ=WEEKLY;BYDAY=MO", nil, nil]])
        let again = try h.run()
        #expect(
            again.report.writes == 0 && again.actions.isEmpty, "\(again.report.summary) \(again.actions.map(\.line))")
        #expect(Self.batchEntries(h).count == sent + 2)
        #expect(Self.starts(h).count == 7)
    }
}

extension Calendar {
    fileprivate static var chicago: Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = RecurrenceCronofyTests.zone
        return cal
    }
}
