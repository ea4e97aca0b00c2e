import AlmanacCore
import Foundation
import GRDB

/// The creates sent toward a side whose creates cannot carry almanac's id
/// (`Connector.lateCreates`), kept from just before each is sent until its item's state is
/// committed: a create whose sender died, or whose answer was lost, may still land on the service
/// after the next run has listed it, and is not sent again before its window has passed
/// (`Applier`, ARCHITECTURE.md §5).
extension StateStore {
    static func registerCreatesSent(_ m: inout DatabaseMigrator) {
        m.registerMigration("v8-creates-sent") { db in
            // `id`: the create's deterministic id (its origin stamp); `sent`: seconds since 1970.
            try db.execute(
                sql: """
                    CREATE TABLE creates_sent (
                        job TEXT NOT NULL,
                        id TEXT NOT NULL,
                        sent REAL NOT NULL,
                        PRIMARY KEY (job, id)
                    );
                    """)
        }
    }

    /// When each create of `job` still on record was sent, after forgetting those sent before
    /// `before` (their window has passed: what they made, if anything, is listed by now).
    public func createsSent(job: String, forgettingBefore before: Date) throws -> [String: Date] {
        try pool.write { db in
            try db.execute(
                sql: "DELETE FROM creates_sent WHERE job = ? AND sent < ?",
                arguments: [job, before.timeIntervalSince1970])
            var out: [String: Date] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, sent FROM creates_sent WHERE job = ?", arguments: [job])
            while let row = try rows.next() {
                out[row["id"]] = Date(timeIntervalSince1970: row["sent"])
            }
            return out
        }
    }

    /// Records that the creates `ids` of `job` are sent at `at`, in one transaction, before they are.
    public func recordCreatesSent(job: String, ids: [String], at: Date) throws {
        guard !ids.isEmpty else { return }
        try pool.write { db in
            let insert = try db.cachedStatement(
                sql:
                    "INSERT INTO creates_sent (job, id, sent) VALUES (?,?,?) ON CONFLICT(job, id) DO UPDATE SET sent = excluded.sent"
            )
            for id in ids { try insert.execute(arguments: [job, id, at.timeIntervalSince1970]) }
        }
    }

    /// Forgets the sent creates `ids` of `job` (their answer was seen) inside a transaction.
    static func forgetCreatesSent(_ db: Database, job: String, ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let delete = try db.cachedStatement(sql: "DELETE FROM creates_sent WHERE job = ? AND id = ?")
        for id in ids { try delete.execute(arguments: [job, id]) }
    }
}
