import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import GRDB
import Logging
import Testing

@testable import AlmanacWorker

/// `chunk_days` reaches the connectors exactly as written, through the production wiring: a
/// profile loaded with the worker's registry, run by `JobRunner`, read by the real ODBC connector
/// from SQLite. The read query returns the bounds it was bound with, so every row says which
/// range the engine handed the connector.
@Suite(.timeLimit(.minutes(10)))
struct JobRunnerChunkTests {
    /// One row a day at noon UTC from 3 days back to 80 days ahead.
    static func database(at path: String) throws {
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: "CREATE TABLE appts (id TEXT PRIMARY KEY, title TEXT, starts TEXT)")
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyy-MM-dd"
            for day in -3...80 {
                let date = f.string(from: Date().addingTimeInterval(Double(day) * 86_400))
                try db.execute(
                    sql: "INSERT INTO appts VALUES (?, ?, ?)", arguments: ["d\(day)", "Visit", "\(date) 12:00:00"])
            }
        }
    }

    /// The profile: the SQLite table → a memory calendar, the window as given.
    static func profile(in dir: URL, database: String, window: String) throws -> Profile {
        let text = """
            timezone = "UTC"
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(database);"
            [connections.cal]
            connector = "memory"
            path = "cal.json"
            [[jobs]]
            name = "appointments"
            from = "db"
            to = "cal"
            window = \(window)
            [jobs.source]
            read_query = \"\"\"
              SELECT id AS external_id, title, starts AS start_time,
                     :window_start AS chunk_start, :window_end AS chunk_end
              FROM appts
              WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
              \"\"\"
            """
        let file = dir.appendingPathComponent("clinic.toml")
        try Data(text.utf8).write(to: file)
        switch ProfileLoader(connectors: ConnectorRegistry.modules + [MemoryModule.self]).load(path: file.path).result {
        case .success(let p): return p
        case .failure(let e):
            throw AlmanacError(.configInvalidValue, e.issues.map(\.description).joined(separator: "\n"))
        }
    }

    /// Runs the job through `JobRunner` and returns the distinct ranges the rows were read with,
    /// in order, as (start, end) instants, and how many events reached the calendar.
    static func ranges(window: String) throws -> (ranges: [(Date, Date)], events: Int) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("clinic.db").path
        try Self.database(at: database)
        let profile = try Self.profile(in: dir, database: database, window: window)
        let runner = try JobRunner(
            profile: profile, stateDirectory: dir.appendingPathComponent("state"), logger: Logger(label: "test"),
            modules: ConnectorRegistry.modules + [MemoryModule.self])
        let report = try runner.run(job: "appointments", options: RunOptions(), progress: { _ in })
        #expect(report.result == .success, "\(report.error ?? "")")
        let calendar = try MemoryStore(file: dir.appendingPathComponent("cal.json"))
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var seen = Set<String>()
        var out: [(Date, Date)] = []
        for event in calendar.live.values.map(\.event) {
            let start = try #require(event.custom["chunk_start"]), end = try #require(event.custom["chunk_end"])
            guard seen.insert(start + "|" + end).inserted else { continue }
            out.append(
                (
                    try #require(f.date(from: String(start.prefix(19)))),
                    try #require(f.date(from: String(end.prefix(19))))
                ))
        }
        return (out.sorted { $0.0 < $1.0 }, calendar.live.count)
    }

    @Test func chunkDaysThirtyReachesTheODBCConnectorAsWritten() throws {
        let (ranges, events) = try Self.ranges(window: "{ past_days = 1, future_days = 70, chunk_days = 30 }")
        let day = 86_400.0
        // 71 days and a bit: two whole 30-day chunks and the rest, each read once, end to end.
        #expect(ranges.count == 3, "\(ranges)")
        #expect(ranges.prefix(2).allSatisfy { $0.1.timeIntervalSince($0.0) == 30 * day }, "\(ranges)")
        #expect(ranges.allSatisfy { $0.1.timeIntervalSince($0.0) <= 30 * day }, "\(ranges)")
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.0.1 == $0.1.0 }, "\(ranges)")
        #expect(events >= 70 && events <= 73, "\(events) events")
    }

    @Test func chunkDaysOneReadsOneDayAtATime() throws {
        let (ranges, _) = try Self.ranges(window: "{ past_days = 1, future_days = 10, chunk_days = 1 }")
        #expect(ranges.count >= 11, "\(ranges)")
        #expect(ranges.allSatisfy { $0.1.timeIntervalSince($0.0) <= 86_400 }, "\(ranges)")
    }
}
