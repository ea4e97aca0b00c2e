import Foundation

/// The bench's SQL side and profile: an SQLite clinic database (seeded with the `sqlite3` shell,
/// as `make demo` does) read through the SQLite3 ODBC driver by the odbc connector, and a two-way
/// job to the fake Google shaped like the demo's `clinic` profile.
enum BenchProfile {
    static let name = "calbench"
    static let job = "appointments"
    static let clientID = "almanac-bench"

    /// Creates `DIR/clinic.db` with `count` appointments spread over the next 50 days (8:00–18:00,
    /// naive local times) for 1,000 clients.
    static func seed(_ directory: URL, count: Int) throws -> URL {
        let db = directory.appendingPathComponent("clinic.db")
        try? FileManager.default.removeItem(at: db)
        let sql = """
            CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, mobile TEXT);
            CREATE TABLE appointments (
                id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL REFERENCES clients(id), subject TEXT,
                kind TEXT NOT NULL, room TEXT, starts TEXT NOT NULL, ends TEXT NOT NULL,
                confirmed INTEGER NOT NULL DEFAULT 0, cancelled INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX appointments_starts ON appointments(starts);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
            INSERT INTO clients SELECT i, 'Client ' || i, 'client' || i || '@example.org',
                   CASE WHEN i % 3 = 0 THEN NULL ELSE '+1 312 555 ' || substr('000' || i, -4) END FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(count - 1))
            INSERT INTO appointments (id, client_id, subject, kind, room, starts, ends)
            SELECT 100000 + i, 1 + (i % 1000),
                   CASE WHEN i % 4 = 0 THEN NULL ELSE 'Follow-up ' || i END,
                   CASE i % 3 WHEN 0 THEN 'Check-up' WHEN 1 THEN 'Cleaning' ELSE 'Consultation' END,
                   'Room ' || (1 + i % 12),
                   datetime('now', 'start of day', (1 + i % 50) || ' days', (8 + (i / 50) % 10) || ' hours',
                            ((i / 500) % 4 * 15) || ' minutes'),
                   datetime('now', 'start of day', (1 + i % 50) || ' days', (8 + (i / 50) % 10) || ' hours',
                            ((i / 500) % 4 * 15 + 45) || ' minutes')
            FROM n;
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [db.path]
        let input = Pipe()
        p.standardInput = input
        try p.run()
        input.fileHandleForWriting.write(Data(sql.utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw BenchError("sqlite3 could not seed \(db.path)") }
        return db
    }

    /// Writes `PROFILES/calbench.toml`; the refresh token and client secret are read from files.
    static func write(profiles: URL, database: URL, google: String, tokenFile: URL, secretFile: URL) throws -> URL {
        try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
        let toml = """
            timezone = "America/Chicago"

            [schedule]
            every = "1h"

            [connections.db]
            connector         = "odbc"
            connection_string = "Driver=SQLite3;Database=\(database.path);"

            [connections.calendar]
            connector          = "google"
            calendar_id        = "primary"
            base_url           = "\(google)"
            token_url          = "\(google)/token"
            client_id          = "\(clientID)"
            client_secret_file = "\(secretFile.path)"
            refresh_token_file = "\(tokenFile.path)"

            [[jobs]]
            name           = "\(job)"
            from           = "db"
            to             = "calendar"
            direction      = "two-way"
            window         = { past_days = 7, future_days = 90, chunk_days = 7 }
            to_owns        = ["responses"]
            apply_back     = { create = false, update = false, delete = false }
            title_template = "{{appt_type}} with {{participant_0_name}}"

            [jobs.source]
            read_query = \"\"\"
            SELECT a.id AS external_id, a.subject AS title, a.starts AS start_time, a.ends AS end_time,
                   a.room AS location, c.name AS participant_0_name, c.email AS participant_0_email,
                   c.mobile AS participant_0_phone_mobile, a.kind AS appt_type,
                   CASE WHEN a.cancelled = 1 THEN 'cancelled' ELSE 'confirmed' END AS status
            FROM appointments a JOIN clients c ON c.id = a.client_id
            WHERE a.starts >= :window_start AND a.starts < :window_end
            \"\"\"
            on_confirmed = "UPDATE appointments SET confirmed = 1 WHERE id = :external_id"

            """
        let url = profiles.appendingPathComponent("\(name).toml")
        try Data(toml.utf8).write(to: url)
        return url
    }
}
