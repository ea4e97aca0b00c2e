import Foundation
import GRDB

/// The SQLite database the job reads through the SQLite3 ODBC driver. The test changes and
/// inspects it directly (as the clinic's own software would), never through the connector.
final class ClinicDatabase {
    let path: String
    let queue: DatabaseQueue
    let zone: TimeZone
    /// The instants a row's `updated` takes: later / earlier than any calendar edit of the test.
    let newerStamp: String
    let olderStamp: String

    init(directory: URL, zone: TimeZone) throws {
        path = directory.appendingPathComponent("clinic.db").path
        self.zone = zone
        queue = try DatabaseQueue(path: path)
        let now = Date()
        newerStamp = Self.iso(now.addingTimeInterval(10 * 86_400))
        olderStamp = Self.iso(now.addingTimeInterval(-10 * 86_400))
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE appts (id TEXT PRIMARY KEY, subject TEXT, notes TEXT, room TEXT,
                      starts TIMESTAMP NOT NULL, ends TIMESTAMP, client TEXT, email TEXT, kind TEXT, updated TEXT,
                      confirmed INTEGER NOT NULL DEFAULT 0, cancelled INTEGER NOT NULL DEFAULT 0)
                    """)
        }
    }

    /// The job's statements (`[jobs.source]`): every synced column read and written back, and
    /// write-backs that count, so a repeated one shows.
    static let source = """
        read_query = '''
        SELECT id AS external_id, subject AS title, notes AS content, room AS location, starts AS start_time,
               ends AS end_time, client AS participant_0_name, email AS participant_0_email, kind AS appt_type,
               updated
        FROM appts
        WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
        '''
        insert = '''
        INSERT INTO appts (id, subject, notes, room, starts, ends, client, email, kind)
        VALUES (:external_id, :title, :content, :location, :start_time, :end_time, :participant_0_name,
                :participant_0_email, :custom.appt_type)
        '''
        update = '''
        UPDATE appts SET subject = :title, notes = :content, room = :location, starts = :start_time,
               ends = :end_time, client = :participant_0_name, email = :participant_0_email,
               kind = :custom.appt_type
        WHERE id = :external_id
        '''
        delete = "DELETE FROM appts WHERE id = :external_id"
        on_confirmed = "UPDATE appts SET confirmed = confirmed + 1 WHERE id = :external_id"
        on_cancelled = "UPDATE appts SET cancelled = cancelled + 1 WHERE id = :external_id"
        """

    func upsert(_ id: String, _ row: RowValue) throws {
        let f = row.fields
        let updated: String? = row.newer.map { $0 ? newerStamp : olderStamp }
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO appts (id, subject, notes, room, starts, ends, client, email, kind, updated)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET subject = excluded.subject, notes = excluded.notes,
                      room = excluded.room, starts = excluded.starts, ends = excluded.ends,
                      client = excluded.client, email = excluded.email, kind = excluded.kind,
                      updated = excluded.updated
                    """,
                arguments: [
                    id, f.title, f.notes, f.location, wallClock(f.start), f.end.map(wallClock), f.name, f.email,
                    f.kind, updated,
                ])
        }
    }

    func delete(_ id: String) throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM appts WHERE id = ?", arguments: [id]) }
    }

    /// Every row, as the model describes rows. Throws on a timestamp it cannot read.
    func rows() throws -> [String: RowValue] {
        try queue.read { db in
            var out: [String: RowValue] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT * FROM appts") {
                let id: String = r["id"]
                guard let start = instant(r["starts"]) else { throw ModelFailure("row \(id): starts unreadable") }
                let endText: String? = r["ends"]
                let updated: String? = r["updated"]
                out[id] = RowValue(
                    fields: Fields(
                        title: r["subject"], notes: r["notes"], location: r["room"], start: start,
                        end: endText.flatMap(instant), name: r["client"], email: r["email"], kind: r["kind"]),
                    newer: updated.map { $0 == newerStamp }, confirmed: r["confirmed"], cancelled: r["cancelled"])
            }
            return out
        }
    }

    /// `2026-03-11 09:00:00` in the profile's zone.
    func wallClock(_ d: Date) -> String {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        let p = c.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!)
    }

    /// Reads a wall-clock timestamp as stored by the test or by the driver (`… 09:00:00.000`).
    func instant(_ text: String?) -> Date? {
        guard let text else { return nil }
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 5 else { return nil }
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c.date(
            from: DateComponents(
                year: digits[0], month: digits[1], day: digits[2], hour: digits[3], minute: digits[4],
                second: digits.count > 5 ? digits[5] : 0))
    }

    static func iso(_ d: Date) -> String { d.formatted(Date.ISO8601FormatStyle()) }
}

/// A failure of the model test's own machinery (not of the system under test).
struct ModelFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
