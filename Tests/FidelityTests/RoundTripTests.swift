import AlmanacCore
import AlmanacSync
import FakeCalendars
import Foundation
import GRDB
import Testing

/// Every field shape a calendar can hold, synced both ways between SQLite over ODBC and the fake
/// Google or Cronofy, reaches a fixed point in one run: the next run writes nothing on either
/// side (issue "Exact sync", build item 3).
@Suite(.serialized, .timeLimit(.minutes(10))) struct RoundTripTests {
    static let now = Date(timeIntervalSince1970: 1_773_154_800)
    static let zone = TimeZone(identifier: "America/Chicago")!

    static let schema = """
        CREATE TABLE appts (id TEXT PRIMARY KEY, subject TEXT, notes TEXT, place TEXT, starts TIMESTAMP,
                            ends TIMESTAMP, all_day INTEGER NOT NULL DEFAULT 0, p0_name TEXT, p0_email TEXT,
                            p1_name TEXT, p1_email TEXT);
        """

    static let profile = FidelityHarness.databaseAndCalendar(
        job: "apply_back = { create = true, update = true, delete = false }",
        source: """
            read_query = '''
            SELECT id AS external_id, subject AS title, notes AS content, place AS location, starts AS start_time,
                   ends AS end_time, all_day, p0_name AS participant_0_name, p0_email AS participant_0_email,
                   p1_name AS participant_1_name, p1_email AS participant_1_email
            FROM appts WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
            '''
            insert = '''
            INSERT INTO appts VALUES (:external_id, :title, :content, :location, :start_time, :end_time, :all_day,
                                      :participant_0_name, :participant_0_email, :participant_1_name, :participant_1_email)
            '''
            update = '''
            UPDATE appts SET subject = :title, notes = :content, place = :location, starts = :start_time,
                             ends = :end_time, all_day = :all_day, p0_name = :participant_0_name,
                             p0_email = :participant_0_email, p1_name = :participant_1_name,
                             p1_email = :participant_1_email
            WHERE id = :external_id
            '''
            """)

    /// Rows of every shape: timed with two attendees in order, all-day of one day (no end) and of
    /// three days, an empty and a missing description.
    static func seedDatabase(_ h: FidelityHarness) throws {
        let d = day(now + 2 * 86_400, zone)
        let e = day(now + 5 * 86_400, zone)
        let t = now + 86_400
        let rows: [[String?]] = [
            [
                "timed", "Visit", nil, "Room 1", wall(t, zone), wall(t + 1800, zone), "0", "Zoe", "zoe@example.org",
                "Adam", "adam@example.org",
            ],
            ["allday1", "Holiday", nil, nil, d + " 00:00:00", nil, "1", nil, nil, nil, nil],
            ["allday3", "Course", "three days", nil, d + " 00:00:00", e + " 00:00:00", "1", nil, nil, nil, nil],
            ["emptydesc", "Call", "", nil, wall(t + 7200, zone), wall(t + 9000, zone), "0", nil, nil, nil, nil],
            ["nodesc", "Meeting", nil, "", wall(t + 10_800, zone), nil, "0", "Ann", nil, nil, nil],
        ]
        for r in rows {
            try h.exec("INSERT INTO appts VALUES (?,?,?,?,?,?,?,?,?,?,?)", StatementArguments(r))
        }
    }

    static func iso(_ d: Date, _ zoneID: String) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: zoneID)!)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon)
        return d.formatted(style)
    }

    /// The same shapes made on the calendar, plus a time in a zone other than the profile's.
    static func seedGoogle(_ g: GoogleFake) {
        let d = day(now + 3 * 86_400, zone)
        let d1 = day(now + 4 * 86_400, zone)
        let d4 = day(now + 7 * 86_400, zone)
        let t = now + 86_400 + 3600
        g.seed([
            "summary": "Berlin call", "start": ["dateTime": iso(t, "Europe/Berlin"), "timeZone": "Europe/Berlin"],
            "end": ["dateTime": iso(t + 1800, "Europe/Berlin"), "timeZone": "Europe/Berlin"],
        ])
        g.seed(["summary": "Day off", "start": ["date": d], "end": ["date": d1]])
        g.seed(["summary": "Conference", "description": "", "start": ["date": d], "end": ["date": d4]])
        g.seed([
            "summary": "Team", "description": "agenda",
            "start": ["dateTime": iso(t + 7200, "Asia/Tokyo"), "timeZone": "Asia/Tokyo"],
            "end": ["dateTime": iso(t + 9000, "Asia/Tokyo"), "timeZone": "Asia/Tokyo"],
            "attendees": [
                ["email": "zed@example.org", "displayName": "Zed"], ["email": "amy@example.org", "displayName": "Amy"],
            ],
        ])
    }

    static func seedCronofy(_ c: CronofyFake) {
        let d = day(now + 3 * 86_400, zone)
        let d1 = day(now + 4 * 86_400, zone)
        let d4 = day(now + 7 * 86_400, zone)
        let t = now + 86_400 + 3600
        c.seed(fields: [
            "summary": "Berlin call", "start": ["time": iso(t, "Europe/Berlin"), "tzid": "Europe/Berlin"],
            "end": ["time": iso(t + 1800, "Europe/Berlin"), "tzid": "Europe/Berlin"],
        ])
        c.seed(fields: ["summary": "Day off", "start": d, "end": d1])
        c.seed(fields: ["summary": "Conference", "description": "", "start": d, "end": d4])
        c.seed(fields: [
            "summary": "Team", "description": "agenda", "start": iso(t + 7200, "UTC"), "end": iso(t + 9000, "UTC"),
            "attendees": [
                ["email": "zed@example.org", "display_name": "Zed"],
                ["email": "amy@example.org", "display_name": "Amy"],
            ],
        ])
    }

    @Test(arguments: [FakeService.google, .cronofy])
    func everyShapeIsIdleOnTheRunAfterItSynced(service: FakeService) throws {
        let h = try FidelityHarness(calendar: service, now: Self.now, schema: Self.schema, profile: Self.profile)
        try Self.seedDatabase(h)
        if service == .google { Self.seedGoogle(h.google) } else { Self.seedCronofy(h.cronofy) }
        let first = try h.run().report
        #expect(first.result == .success, "\(first.summary)")
        #expect(first.toCounts.created == 5 && first.fromCounts.created == 4, "\(first.summary)")
        let second = try h.run()
        #expect(second.report.writes == 0, "\(second.report.summary) \(second.actions.map(\.line))")
        let third = try h.run(RunOptions(full: true))
        #expect(third.report.writes == 0, "\(third.report.summary) \(third.actions.map(\.line))")
        // The calendar's shapes arrived as they are.
        let rows = try h.stamps(
            "SELECT subject, starts, ends, all_day, notes, p0_name, p1_name FROM appts ORDER BY subject")
        let bySubject = Dictionary(uniqueKeysWithValues: rows.map { ($0[0] ?? "", $0) })
        #expect(bySubject["Day off"]?[3] == "1")
        #expect(bySubject["Conference"]?[2]?.hasPrefix(day(Self.now + 7 * 86_400, Self.zone)) == true)
        #expect(bySubject["Berlin call"]?[1] == wall(Self.now + 86_400 + 3600, Self.zone))
        if service == .google { #expect(bySubject["Team"]?[5] == "Zed" && bySubject["Team"]?[6] == "Amy") }
    }
}
