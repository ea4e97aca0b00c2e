import GRDB

/// Whether a job's first link is still open (`SyncEngine`): set before a first run (or a
/// `--relink` run) writes anything, cleared once a run of the job applied everything and left
/// nothing ambiguous. While it is set, every run matches unlinked items again before creating
/// any, so a run that stopped after some of its links were committed, or left ambiguous items,
/// does not create what the other side already holds on the next run.
///
/// Kept as a row of the cursors table under the side name `first_link` (no schema change; the
/// `from`/`to` cursors are read by their own side names).
extension StateStore {
    static let firstLinkSide = "first_link"

    public func firstLinkOpen(job: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM cursors WHERE job = ? AND side = ?", arguments: [job, Self.firstLinkSide])
                ?? false
        }
    }

    /// Opens (`true`) or closes the first link of `job`, in one transaction.
    public func setFirstLinkOpen(job: String, _ open: Bool) throws {
        try pool.write { db in
            if open {
                try db.execute(
                    sql: """
                        INSERT INTO cursors (job, side, cursor, updated) VALUES (?, ?, 'open', strftime('%s','now'))
                        ON CONFLICT(job, side) DO NOTHING
                        """, arguments: [job, Self.firstLinkSide])
            } else {
                try db.execute(
                    sql: "DELETE FROM cursors WHERE job = ? AND side = ?", arguments: [job, Self.firstLinkSide])
            }
        }
    }
}
