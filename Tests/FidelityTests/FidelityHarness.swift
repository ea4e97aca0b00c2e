import AlmanacCore
import AlmanacSync
import AlmanacWorker
import FakeCalendars
import Foundation
import GRDB
import Logging

/// A profile of the real connectors, run by the sync engine at a chosen `now`: an SQLite
/// database over ODBC (the SQLite3 driver), CSV or XML files, and the fake Google or Cronofy on
/// 127.0.0.1. The profile text names its places with `$DIR` (this test's directory), `$DB` (the
/// database file), `$CAL` (a `[connections.cal]` table for the fake calendar, if any).
final class FidelityHarness {
    let dir: URL
    let db: DatabaseQueue
    let server: FakeServer?
    let runner: JobRunner
    var now: Date

    init(calendar: FakeService? = nil, now: Date = Date(), schema: String = "", profile text: String) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-fidelity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.now = now
        let dbPath = dir.appendingPathComponent("clinic.db").path
        db = try DatabaseQueue(path: dbPath)
        if !schema.isEmpty { try db.write { try $0.execute(sql: schema) } }
        var calendarTable = ""
        if let calendar {
            let server = try FakeServer(calendar)
            self.server = server
            let refresh = server.auth.register(clientID: "client-1", secret: "s3cret-value")
            try Self.secret("s3cret-value", at: dir.appendingPathComponent("secret"))
            try Self.secret(refresh, at: dir.appendingPathComponent("refresh"))
            let common = """
                base_url = "\(server.baseURL)"
                token_url = "\(server.tokenURL)"
                client_id = "client-1"
                client_secret_file = "\(dir.path)/secret"
                refresh_token_file = "\(dir.path)/refresh"
                """
            calendarTable =
                calendar == .google
                ? "[connections.cal]\nconnector = \"google\"\ncalendar_id = \"primary\"\n\(common)"
                : "[connections.cal]\nconnector = \"cronofy\"\ncalendar_id = \"cal_fake_primary\"\n\(common)"
        } else {
            server = nil
        }
        let body = text.replacingOccurrences(of: "$CAL", with: calendarTable)
            .replacingOccurrences(of: "$DB", with: dbPath).replacingOccurrences(of: "$DIR", with: dir.path)
        let file = dir.appendingPathComponent("clinic.toml")
        try Data(body.utf8).write(to: file)
        let profile: Profile
        switch ProfileLoader(connectors: ConnectorRegistry.modules).load(path: file.path).result {
        case .success(let p): profile = p
        case .failure(let e):
            throw AlmanacError(.configInvalidValue, e.issues.map(\.description).joined(separator: "\n"))
        }
        runner = try JobRunner(
            profile: profile, stateDirectory: dir.appendingPathComponent("state"), logger: Logger(label: "fidelity"))
    }

    /// A two-way profile between the SQLite database over ODBC (`db`, the `from` side) and the
    /// fake calendar (`cal`): `job` adds lines to the `[[jobs]]` table, `source` is the body of
    /// its `[jobs.source]` table.
    static func databaseAndCalendar(
        job: String, source: String, window: String = "{ past_days = 7, future_days = 30, chunk_days = 7 }"
    ) -> String {
        """
        timezone = "America/Chicago"
        [connections.db]
        connector = "odbc"
        connection_string = "Driver=SQLite3;Database=$DB;"
        $CAL
        [[jobs]]
        name = "appointments"
        from = "db"
        to = "cal"
        direction = "two-way"
        window = \(window)
        \(job)
        [jobs.source]
        \(source)
        """
    }

    private static func secret(_ value: String, at url: URL) throws {
        try Data(value.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    var google: GoogleFake { server!.google! }
    var cronofy: CronofyFake { server!.cronofy! }

    /// The engine of the profile's first job, its connectors built as the worker builds them.
    func engine() throws -> SyncEngine {
        let job = runner.profile.jobs[0]
        let from = try runner.connector(job: job, side: .from)
        let to = try runner.connector(job: job, side: .to)
        let sync = try SyncJob(
            profile: runner.profile.name, config: job, timeZone: runner.profile.timeZone, from: from, to: to)
        return SyncEngine(job: sync, from: from, to: to, store: runner.store)
    }

    /// One run at `now`.
    @discardableResult
    func run(_ options: RunOptions = RunOptions()) throws -> SyncOutcome {
        try engine().run(options: options, now: now)
    }

    /// Rows of a query, each column as text (NULL as nil).
    func rows(_ sql: String) throws -> [[String?]] {
        try db.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { v in v.isNull ? nil : String(describing: v.storage.value ?? "") }
            }
        }
    }

    /// `rows(sql)` with timestamps as `YYYY-MM-DD HH:MM:SS` (the driver writes a `.000` fraction).
    func stamps(_ sql: String) throws -> [[String?]] {
        try rows(sql).map { $0.map { $0.map { $0.hasSuffix(".000") ? String($0.dropLast(4)) : $0 } } }
    }

    func exec(_ sql: String, _ arguments: StatementArguments = []) throws {
        try db.write { try $0.execute(sql: sql, arguments: arguments) }
    }
}

extension RunReport {
    /// Writes toward either side (creates, updates, deletes, write-backs).
    var writes: Int { toCounts.changed + fromCounts.changed }

    /// `to: 1 created, from: 2 updated` style, for failure messages.
    var summary: String {
        "\(result.rawValue) to: \(toCounts) from: \(fromCounts) failures: \(failures) \(error ?? "")"
    }
}

/// Wall-clock text `YYYY-MM-DD HH:MM:SS` of `date` in `zone` (how the SQLite rows hold times).
func wall(_ date: Date, _ zone: TimeZone = TimeZone(identifier: "America/Chicago")!) -> String {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = zone
    let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
}

/// `YYYY-MM-DD` of `date` in `zone`.
func day(_ date: Date, _ zone: TimeZone = TimeZone(identifier: "America/Chicago")!) -> String {
    String(wall(date, zone).prefix(10))
}

/// The start instant of a Google event resource (nil for all-day events).
func startInstant(_ event: [String: Any]) -> Date? {
    guard let text = (event["start"] as? [String: Any])?["dateTime"] as? String else { return nil }
    return try? Date.ISO8601FormatStyle().parse(text)
}
