import AlmanacCore
import Foundation
import GRDB

/// The per-profile state file (`STATE_DIR/NAME.sqlite`, WAL): per job the item map, a cursor per
/// side, and the run history. Schema changes are numbered migrations applied on open.
///
/// Every mutating call is one SQLite transaction: after it returns, its effect survives a crash;
/// if the process dies inside it, none of it happened.
public final class StateStore: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) and migrates the state file at `path`; a new file is written
    /// from `image` when there is one (`StateStore+NewFileImage.swift`).
    /// - Throws: `state.open_failed` naming the file when it cannot be opened or migrated.
    public init(path: String, image: [UInt8]? = StateStore.newFileImage) throws {
        self.path = path
        do {
            if let image { Self.write(image, newFileAt: path) }
            var config = Configuration()
            config.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw AlmanacError(
                .stateOpenFailed,
                "cannot open the state file \(path): \(error); check the state directory's permissions and free space",
                cause: error)
        }
    }

    /// The schema's migrations, in order. Never edit a published one; add the next.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE items (
                        id INTEGER PRIMARY KEY,
                        job TEXT NOT NULL,
                        key_from TEXT,
                        key_to TEXT,
                        hash_from TEXT,
                        hash_to TEXT,
                        version_from TEXT,
                        version_to TEXT,
                        base BLOB,
                        start REAL,
                        generation INTEGER NOT NULL DEFAULT 0,
                        origin TEXT NOT NULL DEFAULT 'from',
                        write_back TEXT
                    );
                    CREATE UNIQUE INDEX items_from ON items(job, key_from) WHERE key_from IS NOT NULL;
                    CREATE UNIQUE INDEX items_to ON items(job, key_to) WHERE key_to IS NOT NULL;
                    CREATE TABLE cursors (
                        job TEXT NOT NULL,
                        side TEXT NOT NULL,
                        cursor TEXT NOT NULL,
                        updated REAL NOT NULL,
                        PRIMARY KEY (job, side)
                    );
                    CREATE TABLE runs (
                        run_id TEXT PRIMARY KEY,
                        job TEXT NOT NULL,
                        trigger TEXT NOT NULL,
                        dry_run INTEGER NOT NULL,
                        started REAL NOT NULL,
                        finished REAL NOT NULL,
                        result TEXT NOT NULL,
                        error_code TEXT,
                        error TEXT,
                        report TEXT NOT NULL
                    );
                    CREATE INDEX runs_job ON runs(job, started);
                    """)
        }
        m.registerMigration("v2") { db in
            // The first participant's response on `to` as last seen: write-back (ARCHITECTURE.md §5) must see
            // an acceptance even when the job's content projection has no responses.
            try db.execute(sql: "ALTER TABLE items ADD COLUMN response_to TEXT")
        }
        m.registerMigration("v3-derived") { db in
            // The fields of the base the job derived (`ItemState.derived`): never written back as
            // if the source held them.
            try db.execute(sql: "ALTER TABLE items ADD COLUMN derived TEXT")
        }
        m.registerMigration("v4-held") { db in
            // What each side holds where it differs from the base (`ItemState.heldFrom`/`heldTo`):
            // a value a side refused is not undone on it by a run that does not read that side.
            // NULL (every row migrated) means the side holds the base, as before.
            try db.execute(sql: "ALTER TABLE items ADD COLUMN held_from BLOB")
            try db.execute(sql: "ALTER TABLE items ADD COLUMN held_to BLOB")
        }
        m.registerMigration("v5-away") { db in
            // The sides on which the item was last seen out of the window (`ItemState.away`).
            try db.execute(sql: "ALTER TABLE items ADD COLUMN away TEXT")
        }
        m.registerMigration("v6-connections") { db in
            // What was last seen of each connection (`ConnectionHealth`), and the run history by
            // age for its retention (`StateStore+History.swift`).
            try db.execute(
                sql: """
                    CREATE TABLE connections (
                        name TEXT PRIMARY KEY,
                        state TEXT NOT NULL,
                        since REAL NOT NULL,
                        checked REAL NOT NULL,
                        error_code TEXT,
                        error TEXT
                    );
                    CREATE INDEX runs_started ON runs(started);
                    """)
        }
        m.registerMigration("v7-row-from") { db in
            // What the `from` row was last found to map to (`ItemState.rowFrom`, `RowFact`): NULL
            // (every row migrated) means nothing is known, and the row is mapped as before.
            try db.execute(sql: "ALTER TABLE items ADD COLUMN row_from INTEGER")
        }
        registerConflicts(&m)
        registerCreatesSent(&m)
        return m
    }

    // MARK: Items

    /// Every item of `job`. Without `withBases`, the items come without their base and held
    /// values (`ItemState.baseLoaded` false): `withBase` reads them for one item.
    public func items(job: String, withBases: Bool = true) throws -> [ItemState] {
        let blobs = withBases ? "base, held_from, held_to" : "NULL, NULL, NULL"
        return try pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, key_from, key_to, hash_from, hash_to, version_from, version_to, start, generation,
                           origin, write_back, response_to, derived, away, \(blobs), row_from FROM items WHERE job = ?
                    """, arguments: [job])
            var out: [ItemState] = []
            out.reserveCapacity(try Self.keyCount(db, job: job))
            // Texts most items share (origin, derived, away) are made once, not once per row.
            var derived: [String: Set<EventField>] = [:]
            while let r = try rows.next() {
                let start: Double? = r[7]
                var s = ItemState(
                    id: r[0], keyFrom: r[1], keyTo: r[2], hashFrom: r[3], hashTo: r[4],
                    versionFrom: r[5], versionTo: r[6], baseData: r[14], heldFrom: r[15], heldTo: r[16],
                    start: start.map(Date.init(timeIntervalSince1970:)), generation: r[8],
                    origin: ItemOrigin(rawValue: r[9]) ?? .from, writeBack: r[10],
                    responseTo: r[11])
                if let text: String = r[12] {
                    if derived[text] == nil { derived[text] = ItemState.derived(fromText: text) }
                    s.derived = derived[text]!
                }
                if let text: String = r[13] { s.away = ItemState.away(fromText: text) }
                if let row: Int64 = r[17] { s.rowFrom = UInt64(bitPattern: row) }
                s.baseLoaded = withBases
                out.append(s)
            }
            return out
        }
    }

    /// How many items `job` has.
    public func itemCount(job: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE job = ?", arguments: [job]) ?? 0
        }
    }

    /// About how many items `job` has, for making room for them: `keyCount`.
    public func itemCountEstimate(job: String) throws -> Int {
        try pool.read { db in try Self.keyCount(db, job: job) }
    }

    /// The larger of how many items of `job` have a `from` key and how many a `to` key: each
    /// counted in its key's index. (`count(*)` of the job's rows reads the whole table, bases
    /// included, page by page: ~80 MB at 100,000 items.) An item without either key is not
    /// counted.
    static func keyCount(_ db: Database, job: String) throws -> Int {
        let from = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM items WHERE job = ? AND key_from IS NOT NULL", arguments: [job])
        let to = try Int.fetchOne(
            db, sql: "SELECT count(*) FROM items WHERE job = ? AND key_to IS NOT NULL", arguments: [job])
        return max(from ?? 0, to ?? 0)
    }

    /// `state` with its base and held values read from the file (as it is when they are loaded).
    public func withBase(_ state: ItemState) throws -> ItemState {
        guard !state.baseLoaded, let id = state.id else { return state }
        var out = state
        try pool.read { db in
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT base, held_from, held_to FROM items WHERE id = ?"), arguments: [id])
            out.baseData = row?[0]
            out.heldFrom = row?[1]
            out.heldTo = row?[2]
        }
        out.baseLoaded = true
        return out
    }

    /// Commits one batch in one transaction: `upserts` are written (new rows get ids, returned in
    /// order), `removals` are forgotten, and `cursors` (side → cursor) are stored last; the sent
    /// creates `answeredCreates` are forgotten too (`StateStore+CreatesSent.swift`).
    @discardableResult
    public func commit(
        job: String, upserts: [ItemState], removals: [Int64] = [],
        cursors: [ConnectorContext.Side: String] = [:], answeredCreates: [String] = []
    ) throws -> [ItemState] {
        try pool.write { db in
            try Self.forgetCreatesSent(db, job: job, ids: answeredCreates)
            var out = upserts
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO items (job, key_from, key_to, hash_from, hash_to, version_from, version_to, start,
                                       generation, origin, write_back, response_to, derived, away, row_from, base,
                                       held_from, held_to)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """)
            let update = try db.cachedStatement(
                sql: """
                    UPDATE items SET key_from = ?, key_to = ?, hash_from = ?, hash_to = ?, version_from = ?,
                                     version_to = ?, start = ?, generation = ?, origin = ?, write_back = ?,
                                     response_to = ?, derived = ?, away = ?, row_from = ?, base = ?, held_from = ?,
                                     held_to = ?
                    WHERE id = ?
                    """)
            // A state read without its base keeps the stored base and held values.
            let updateKeepingBase = try db.cachedStatement(
                sql: """
                    UPDATE items SET key_from = ?, key_to = ?, hash_from = ?, hash_to = ?, version_from = ?,
                                     version_to = ?, start = ?, generation = ?, origin = ?, write_back = ?,
                                     response_to = ?, derived = ?, away = ?, row_from = ?
                    WHERE id = ?
                    """)
            // Free keys first so that a key moving between rows never trips the unique index.
            let remove = try db.cachedStatement(sql: "DELETE FROM items WHERE id = ?")
            for id in removals { try remove.execute(arguments: [id]) }
            for i in out.indices {
                let s = out[i]
                let values: [DatabaseValueConvertible?] = [
                    s.keyFrom, s.keyTo, s.hashFrom, s.hashTo, s.versionFrom, s.versionTo,
                    s.start?.timeIntervalSince1970, s.generation, s.origin.rawValue, s.writeBack, s.responseTo,
                    s.derivedText, s.awayText, s.rowFrom == 0 ? nil : Int64(bitPattern: s.rowFrom),
                ]
                let blobs: [DatabaseValueConvertible?] = [s.baseData, s.heldFrom, s.heldTo]
                if let id = s.id {
                    if s.baseLoaded {
                        try update.execute(arguments: StatementArguments(values + blobs + [id]))
                    } else {
                        try updateKeepingBase.execute(arguments: StatementArguments(values + [id]))
                    }
                } else {
                    try insert.execute(arguments: StatementArguments([job] + values + blobs))
                    out[i].id = db.lastInsertedRowID
                }
            }
            let setCursor = try db.cachedStatement(
                sql: """
                    INSERT INTO cursors (job, side, cursor, updated) VALUES (?,?,?,?)
                    ON CONFLICT(job, side) DO UPDATE SET cursor = excluded.cursor, updated = excluded.updated
                    """)
            for (side, cursor) in cursors {
                try setCursor.execute(arguments: [job, side.rawValue, cursor, Date().timeIntervalSince1970])
            }
            return out
        }
    }

    /// Keeps `ItemState.rowFrom` of the rows `facts` name (by row id), in one transaction; a
    /// row that is gone is skipped.
    public func keepRowFacts(_ facts: [(id: Int64, fact: UInt64)]) throws {
        try pool.write { db in
            let update = try db.cachedStatement(sql: "UPDATE items SET row_from = ? WHERE id = ?")
            for (id, fact) in facts { try update.execute(arguments: [Int64(bitPattern: fact), id]) }
        }
    }

    // MARK: Cursors

    public func cursor(job: String, side: ConnectorContext.Side) throws -> String? {
        try pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT cursor FROM cursors WHERE job = ? AND side = ?",
                arguments: [job, side.rawValue])
        }
    }

    /// Forgets the cursors of `job` (the next run reads fully).
    public func dropCursors(job: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM cursors WHERE job = ?", arguments: [job]) }
    }

    // MARK: Run history

    /// Keeps `report` in the run history.
    public func record(_ report: RunReport) throws {
        let json = try Self.reportText(report)
        try pool.write { db in try Self.insertRun(report, json: json, db) }
    }

    /// `report` as the run history keeps it (`reportEncoder`).
    static func reportText(_ report: RunReport) throws -> String {
        String(decoding: try reportEncoder().encode(report), as: UTF8.self)
    }

    /// Writes one run of the history (`json`: `reportText(report)`) inside a transaction of the caller's.
    static func insertRun(_ report: RunReport, json: String, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO runs (run_id, job, trigger, dry_run, started, finished, result, error_code,
                                             error, report) VALUES (?,?,?,?,?,?,?,?,?,?)
                """,
            arguments: [
                report.runID, report.job, report.trigger.rawValue, report.dryRun,
                report.started.timeIntervalSince1970, report.finished.timeIntervalSince1970,
                report.result.rawValue, report.errorCode, report.error, json,
            ])
    }

    /// The most recent runs of `job`, newest first.
    public func runs(job: String, limit: Int = 20) throws -> [RunReport] {
        let decoder = Self.reportDecoder()
        return try pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT report FROM runs WHERE job = ? ORDER BY started DESC LIMIT ?",
                arguments: [job, limit])
        }.map { try decoder.decode(RunReport.self, from: Data($0.utf8)) }
    }
}
