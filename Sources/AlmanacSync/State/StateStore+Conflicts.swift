import AlmanacCore
import Foundation
import GRDB

/// Each job's schedule conflicts as of its last run (`ConflictFinder`), kept so that
/// `almanac conflicts` and `GET /v1/profiles/NAME/conflicts` answer between runs.
extension StateStore {
    static func registerConflicts(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7-conflicts") { db in
            // One row per conflict, replaced by each run of the job; `conflict` is its JSON.
            try db.execute(
                sql: """
                    CREATE TABLE conflicts (
                        job TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        conflict TEXT NOT NULL,
                        PRIMARY KEY (job, position)
                    );
                    """)
        }
    }

    /// Keeps `report` in the run history and, when `conflicts` is given, replaces the job's
    /// conflicts with it, in one transaction.
    public func record(_ report: RunReport, conflicts: [ScheduleConflict]?) throws {
        guard let conflicts else { return try record(report) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let rows = try conflicts.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let json = try Self.reportText(report)
        try pool.write { db in
            try Self.insertRun(report, json: json, db)
            try db.execute(sql: "DELETE FROM conflicts WHERE job = ?", arguments: [report.job])
            let insert = try db.cachedStatement(sql: "INSERT INTO conflicts (job, position, conflict) VALUES (?,?,?)")
            for (i, row) in rows.enumerated() { try insert.execute(arguments: [report.job, i, row]) }
        }
    }

    /// The conflicts kept of `job`, or of every job when nil (by job, then in the order found).
    public func conflicts(job: String?) throws -> [ScheduleConflict] {
        let rows = try pool.read { db in
            if let job {
                return try String.fetchAll(
                    db, sql: "SELECT conflict FROM conflicts WHERE job = ? ORDER BY position", arguments: [job])
            }
            return try String.fetchAll(db, sql: "SELECT conflict FROM conflicts ORDER BY job, position")
        }
        let decoder = JSONDecoder()
        return try rows.map { try decoder.decode(ScheduleConflict.self, from: Data($0.utf8)) }
    }
}
