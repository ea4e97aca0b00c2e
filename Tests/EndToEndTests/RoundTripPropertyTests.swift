import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// A property of the whole path, checked on seeded random cases: 100 … 300 rows of random text
/// (lengths 0 … 70,000, CR/LF, quotes, non-BMP), in and out of a random window read in random chunks with a
/// random `fetch_rows`, synced by the built binary from SQLite to the fake Google Calendar, then
/// edited on the calendar and written back through the job's `update` statement: after each run
/// every row in the window and its event agree on every field, and rows outside have no event.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RoundTripPropertyTests {
    static let alphabet: [String] =
        Array("abcdefghij klmnopqrstuvwxyz0123456789.,'\"\\%").map(String.init)
        + ["é", "日", "€", "😀", "𝄞", "\t", "\n", "\r\n"]

    /// Text of a random length: mostly short, sometimes up to 70,000 characters.
    static func text(_ rng: inout SeededRandom, long: Bool = true) -> String? {
        let length: Int
        // Long values are rare, as in a real table: one alone among short ones in a rowset.
        switch Int.random(in: 0...99, using: &rng) {
        case 0..<8: return nil
        case 8..<12: length = 0
        case 12 where long: length = [4_095, 4_096, 4_097, 8_192, 65_535].randomElement(using: &rng)!
        case 13 where long: length = Int.random(in: 2_049...70_000, using: &rng)
        default: length = Int.random(in: 1...200, using: &rng)
        }
        var scalars = String.UnicodeScalarView()
        var count = 0
        while count < length {
            for s in alphabet.randomElement(using: &rng)!.unicodeScalars where count < length {
                scalars.append(s)
                count += 1
            }
        }
        // Bracketed: white space and line breaks stay inside the value, where no side may trim them.
        return "<" + String(scalars) + ">"
    }

    static func literal(_ s: String?) -> String {
        guard let s else { return "NULL" }
        return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }

    struct Row: Equatable {
        var id: Int
        var title: String?
        var notes: String?
        var place: String?
        var starts: Date
        var ends: Date
    }

    @Test(arguments: [UInt64(11), 2_026, 90_210, 7, 600])
    func rowsAndEventsAgreeAfterSyncAndWriteBack(seed: UInt64) throws {
        var rng = SeededRandom(state: seed)
        let dir = TempDirectory("round-trip")
        let account = try FakeGoogleAccount(in: dir, clientID: "almanac-rt")
        defer { account.server.stop() }
        let google = account.google
        let db = dir.path + "/rt.db"

        let past = Int.random(in: 1...5, using: &rng)
        let future = Int.random(in: 3...20, using: &rng)
        let chunk = Int.random(in: 1...10, using: &rng)
        let fetchRows = [1, 3, 7, 16, 64, 256, 1_000].randomElement(using: &rng)!
        let today = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        var rows: [Row] = []
        var inWindow: Set<Int> = []
        for id in 1...Int.random(in: 100...300, using: &rng) {
            let inside = Int.random(in: 0...5, using: &rng) != 0
            let day =
                inside
                ? Int.random(in: 1...(future - 1), using: &rng) : [-(past + 3), future + 3].randomElement(using: &rng)!
            if inside { inWindow.insert(id) }
            let start = today.addingTimeInterval(Double(day * 86_400 + Int.random(in: 8...17, using: &rng) * 3_600))
            rows.append(
                Row(
                    id: id, title: Self.text(&rng, long: false), notes: Self.text(&rng),
                    place: Self.text(&rng, long: false),
                    starts: start, ends: start.addingTimeInterval(Double(Int.random(in: 1...8, using: &rng) * 900))))
        }
        let stamp = { (d: Date) -> String in
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return f.string(from: d)
        }
        var sql =
            "CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, notes TEXT, place TEXT, starts TIMESTAMP, ends TIMESTAMP);\n"
        for r in rows {
            sql +=
                "INSERT INTO appointments VALUES (\(r.id), \(Self.literal(r.title)), \(Self.literal(r.notes)), \(Self.literal(r.place)), '\(stamp(r.starts))', '\(stamp(r.ends))');\n"
        }
        try dir.write("rows.sql", sql)
        _ = try DemoWriteBackTests.sqlite(db, ".read \(dir.path)/rows.sql")
        try account.writeProfile(
            "rt", in: dir,
            """
            timezone = "UTC"
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(db);"
            fetch_rows = \(fetchRows)
            \(account.connection("calendar"))
            [[jobs]]
            name = "rt"
            from = "db"
            to = "calendar"
            direction = "two-way"
            window = { past_days = \(past), future_days = \(future), chunk_days = \(chunk) }
            apply_back = { create = false, update = true, delete = false }
            [jobs.source]
            read_query = '''
            SELECT id AS external_id, subject AS title, notes AS content, place AS location, starts AS start_time,
                   ends AS end_time
            FROM appointments
            WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
            '''
            update = "UPDATE appointments SET subject = :title, notes = :content, place = :location WHERE id = :external_id"
            """)
        let label =
            "seed \(seed): \(rows.count) rows, window -\(past)/+\(future) days, chunk \(chunk), fetch_rows \(fetchRows)"
        func run() throws -> BinaryRunner.Output {
            let out = try account.run("rt", in: dir)
            #expect(out.status == 0, "\(label): \(out.stdout)\(out.stderr)")
            return out
        }

        let first = try run()
        #expect(first.stdout.contains("to: \(inWindow.count) created; from: nothing"), "\(label): \(first.stdout)")
        try expectAgreement(db: db, state: dir.path + "/state/rt.sqlite", google: google, inWindow: inWindow, label)

        // Edit a third of the events on the calendar: the next run writes them back.
        var edited = 0
        for event in google.events() where Bool.random(using: &rng) && Int.random(in: 0...2, using: &rng) == 0 {
            let id = try #require(event["id"] as? String)
            let title = Self.text(&rng, long: false) ?? "<>"
            let notes = Self.text(&rng)
            let place = Self.text(&rng, long: false)
            google.edit(id) { e in
                e["summary"] = title
                e["description"] = notes
                e["location"] = place
            }
            edited += 1
        }
        let second = try run()
        #expect(second.stdout.contains("from: \(edited) updated"), "\(label): \(second.stdout)")
        try expectAgreement(db: db, state: dir.path + "/state/rt.sqlite", google: google, inWindow: inWindow, label)
        // Settled: the written-back rows are not sent out again.
        let third = try run()
        #expect(
            third.stdout.contains("to: \(inWindow.count) unchanged; from: nothing"), "\(label): \(third.stdout)")
    }

    /// Every row in the window and its event agree on title, description, location, start and end;
    /// rows outside the window have no event.
    func expectAgreement(db: String, state: String, google: GoogleFake, inWindow: Set<Int>, _ label: String) throws {
        let links = Dictionary(
            uniqueKeysWithValues: try DemoWriteBackTests.sqlite(state, "SELECT key_from || '|' || key_to FROM items")
                .map { line in (Int(line.split(separator: "|")[0])!, String(line.split(separator: "|")[1])) })
        #expect(Set(links.keys) == inWindow, "\(label)")
        #expect(google.events().count == inWindow.count, "\(label)")
        let rows = try Self.rows(db)
        for id in inWindow {
            guard let key = links[id], let event = google.event(key), let row = rows[id] else {
                Issue.record("\(label): row \(id) has no event")
                continue
            }
            func same(_ a: String?, _ b: Any?, _ field: String) {
                let b = b as? String
                // Google has no NULL text: an absent field and an empty one are both "no value".
                if (a ?? "") != (b ?? "") {
                    Issue.record(
                        "\(label): row \(id) \(field): row \(a?.count ?? -1) chars, event \(b?.count ?? -1) chars")
                }
            }
            same(row.title, event["summary"], "title")
            same(row.notes, event["description"], "description")
            same(row.place, event["location"], "location")
            let iso = ISO8601DateFormatter()
            let start = ((event["start"] as? [String: Any])?["dateTime"] as? String).flatMap(iso.date(from:))
            let end = ((event["end"] as? [String: Any])?["dateTime"] as? String).flatMap(iso.date(from:))
            #expect(start == row.starts && end == row.ends, "\(label): row \(id) times")
        }
    }

    /// The table's rows by id, read with `sqlite3 -json`.
    static func rows(_ db: String) throws -> [Int: Row] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = ["-json", db, "SELECT id, subject, notes, place, starts, ends FROM appointments"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let objects = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var byID: [Int: Row] = [:]
        for o in objects {
            let id = (o["id"] as? NSNumber)?.intValue ?? 0
            byID[id] = Row(
                id: id, title: o["subject"] as? String, notes: o["notes"] as? String, place: o["place"] as? String,
                starts: f.date(from: o["starts"] as? String ?? "") ?? .distantPast,
                ends: f.date(from: o["ends"] as? String ?? "") ?? .distantPast)
        }
        return byID
    }
}
