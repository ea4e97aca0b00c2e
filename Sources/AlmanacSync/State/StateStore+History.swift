import AlmanacCore
import Foundation
import GRDB

/// The run history's queries and retention, and what was last seen of each connection
/// (ARCHITECTURE.md §5, "Three-way state"). Dry runs are never in the history.
extension StateStore {
    /// The most recent runs, newest first: of `job`, or of every job when nil.
    public func history(job: String?, limit: Int) throws -> [RunReport] {
        guard let job else {
            return try reports(sql: "SELECT report FROM runs ORDER BY started DESC LIMIT ?", [limit])
        }
        return try runs(job: job, limit: limit)
    }

    /// The latest run of each job that has one, by job name.
    public func lastRuns() throws -> [String: RunReport] {
        let reports = try reports(
            sql: """
                SELECT r.report FROM runs r
                JOIN (SELECT job, max(started) AS started FROM runs GROUP BY job) l
                  ON l.job = r.job AND l.started = r.started
                """, [])
        return Dictionary(reports.map { ($0.job, $0) }) { a, b in a.finished >= b.finished ? a : b }
    }

    /// Deletes the runs that started before `cutoff`; returns how many.
    @discardableResult
    public func pruneRuns(startedBefore cutoff: Date) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM runs WHERE started < ?", arguments: [cutoff.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// What was last seen of each connection, by name.
    public func connectionHealth() throws -> [String: ConnectionHealth] {
        try pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT name, state, since, checked, error_code, error FROM connections")
            var out: [String: ConnectionHealth] = [:]
            for r in rows {
                guard let state = ConnectionHealth.State(rawValue: r[1]) else { continue }
                out[r[0]] = ConnectionHealth(
                    name: r[0], state: state, since: Date(timeIntervalSince1970: r[2]),
                    checked: Date(timeIntervalSince1970: r[3]), errorCode: r[4], error: r[5])
            }
            return out
        }
    }

    /// Stores `health` (one transaction), replacing what was kept of the same connections.
    public func save(_ health: [ConnectionHealth]) throws {
        try pool.write { db in
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO connections (name, state, since, checked, error_code, error)
                    VALUES (?,?,?,?,?,?)
                    """)
            for h in health {
                try upsert.execute(arguments: [
                    h.name, h.state.rawValue, h.since.timeIntervalSince1970, h.checked.timeIntervalSince1970,
                    h.errorCode, h.error,
                ])
            }
        }
    }

    private func reports(sql: String, _ arguments: StatementArguments) throws -> [RunReport] {
        let decoder = Self.reportDecoder()
        return try pool.read { db in try String.fetchAll(db, sql: sql, arguments: arguments) }
            .map { try decoder.decode(RunReport.self, from: Data($0.utf8)) }
    }

    /// Run reports are kept with their times to the millisecond (a run's duration is computed from
    /// them); reports kept before that, to the second, still read.
    static func reportEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(date.formatted(Self.reportTime))
        }
        return encoder
    }

    static func reportDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            if let d = try? Self.reportTime.parse(text) { return d }
            if let d = try? Date.ISO8601FormatStyle().parse(text) { return d }
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO 8601 time: \(text)")
        }
        return decoder
    }

    private static let reportTime = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
