import FakeCalendars
import Foundation
import Testing

/// The 600-row appointments table of one window chunk, synced by the built binary to the fake
/// Google Calendar while one row's note grows from 5,000 to 100,000 characters, past
/// `max_value_bytes`, and shrinks again: every run lists all 600 rows, deletes nothing, and the
/// event's description follows the row (above the limit the row is reported and its event kept).
@Suite(.serialized, .timeLimit(.minutes(10))) struct LongNoteEndToEndTests {
    static let longRow = 300

    /// The note of the long row as `length` characters.
    static func note(_ length: Int) -> String { String(repeating: "n", count: length) }

    @Test func everyRunListsAllRowsWhileANoteGrowsAndShrinks() throws {
        let dir = TempDirectory("long-note")
        let account = try FakeGoogleAccount(in: dir, clientID: "almanac-long")
        defer { account.server.stop() }
        let google = account.google
        let db = dir.path + "/clinic.db"
        // 600 appointments over the next five days, in one chunk of the window.
        _ = try DemoWriteBackTests.sqlite(
            db,
            """
            CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, notes TEXT, starts TIMESTAMP, ends TIMESTAMP);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
            INSERT INTO appointments
            SELECT i, 'Visit ' || i, 'note ' || i,
                   datetime('now', 'start of day', '+' || (1 + i % 5) || ' days', '+' || (8 + i / 60) || ' hours',
                            '+' || (i % 60) || ' minutes'),
                   datetime('now', 'start of day', '+' || (1 + i % 5) || ' days', '+' || (9 + i / 60) || ' hours',
                            '+' || (i % 60) || ' minutes')
            FROM n;
            """)
        try account.writeProfile(
            "big", in: dir,
            """
            timezone = "UTC"
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(db);"
            \(account.connection("calendar"))
            [[jobs]]
            name = "big"
            from = "db"
            to = "calendar"
            window = { past_days = 1, future_days = 14, chunk_days = 15 }
            [jobs.source]
            read_query = '''
            SELECT id AS external_id, subject AS title, notes AS content, starts AS start_time, ends AS end_time
            FROM appointments
            WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
            ORDER BY id
            '''
            """)
        func run() throws -> BinaryRunner.Output { try account.run("big", in: dir) }
        func setNote(_ length: Int) throws {
            _ = try DemoWriteBackTests.sqlite(
                db, "UPDATE appointments SET notes = printf('%.*c', \(length), 'n') WHERE id = \(Self.longRow)")
        }
        func longEvent() -> [String: Any]? {
            google.events().first { $0["summary"] as? String == "Visit \(Self.longRow)" }
        }
        func expectAllEvents(_ note: String, _ out: BinaryRunner.Output, _ step: String) {
            #expect(google.events().count == 600, "\(step): \(out.stdout)")
            #expect(!out.stdout.contains("deleted"), "\(step): \(out.stdout)")
            #expect((longEvent()?["description"] as? String) == note, "\(step)")
            #expect(
                google.events().first { $0["summary"] as? String == "Visit 555" }?["description"] as? String
                    == "note 555", "\(step)")
        }

        try setNote(5_000)
        let first = try run()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("to: 600 created"), "\(first.stdout)")
        expectAllEvents(Self.note(5_000), first, "5,000")

        for length in [4_200, 100_000, 4_096, 5_000] {
            try setNote(length)
            let out = try run()
            #expect(out.status == 0, "\(length): \(out.stdout)\(out.stderr)")
            #expect(out.stdout.contains("to: 1 updated, 599 unchanged"), "\(length): \(out.stdout)")
            expectAllEvents(Self.note(length), out, "\(length)")
        }

        // Past max_value_bytes (1 MiB): the row is reported, its event kept as it was.
        try setNote(1_048_577)
        let above = try run()
        #expect(above.status == 1, "\(above.stdout)\(above.stderr)")
        #expect(above.stdout.contains("to: 1 failed, 599 unchanged"), "\(above.stdout)")
        #expect(
            above.stdout.contains(
                "failed \(Self.longRow) (from): content: is longer than max_value_bytes (1048576 bytes)"),
            "\(above.stdout)")
        expectAllEvents(Self.note(5_000), above, "1,048,577")

        // Back under the limit: the event follows the row again.
        try setNote(3_000)
        let back = try run()
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(back.stdout.contains("to: 1 updated, 599 unchanged"), "\(back.stdout)")
        expectAllEvents(Self.note(3_000), back, "3,000")
    }
}
