import AlmanacCore
import AlmanacSync
import Foundation
import GRDB
import Testing

@Suite struct StateStoreTests {
    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("almanac-state-\(UUID().uuidString).sqlite").path
    }

    @Test func itemsCursorsAndRunsSurviveReopening() throws {
        let path = Self.path()
        do {
            let store = try StateStore(path: path)
            var s = ItemState(
                keyFrom: "A1", keyTo: "x1", hashFrom: "h1", hashTo: "h2", versionFrom: "1", versionTo: "v1",
                derived: [.title])
            s.away = [.from, .to]
            s.setBase(
                Event(title: "Visit", start: .instant(Date(timeIntervalSince1970: 1_900_000_000), timeZone: nil)),
                zone: TimeZone(identifier: "UTC")!)
            let saved = try store.commit(
                job: "j", upserts: [s, ItemState(keyFrom: "A2", keyTo: "x2")],
                cursors: [.from: "seq:9"])
            #expect(saved.allSatisfy { $0.id != nil })
            try store.commit(job: "j", upserts: [], removals: [saved[1].id!])
            let now = Date(timeIntervalSince1970: 1_900_000_000)
            try store.record(
                RunReport(
                    runID: "r1", profile: "p", job: "j", trigger: .schedule, dryRun: false,
                    started: now, finished: now.addingTimeInterval(2), result: .partial,
                    failures: [ItemFailure(key: "A9", side: "from", reason: "bad")]))
        }
        let store = try StateStore(path: path)  // migrations run again: nothing to do
        let items = try store.items(job: "j")
        #expect(items.map(\.keyFrom) == ["A1"])
        #expect(items[0].base?.title == "Visit")
        #expect(items[0].derived == [.title])
        #expect(items[0].away == [.from, .to])
        #expect(items[0].start == Date(timeIntervalSince1970: 1_900_000_000))
        #expect(try store.cursor(job: "j", side: .from) == "seq:9")
        #expect(try store.cursor(job: "j", side: .to) == nil)
        #expect(try store.items(job: "other").isEmpty)
        let runs = try store.runs(job: "j")
        #expect(runs.map(\.runID) == ["r1"])
        #expect(runs[0].failures.map(\.description) == ["A9 (from): bad"])
        try store.dropCursors(job: "j")
        #expect(try store.cursor(job: "j", side: .from) == nil)
    }

    @Test func aStateReadWithoutItsBaseKeepsTheStoredOneWhenCommitted() throws {
        let store = try StateStore(path: Self.path())
        var s = ItemState(keyFrom: "A1", keyTo: "x1", hashFrom: "h1", hashTo: "h2", versionFrom: "1")
        s.setBase(
            Event(title: "Visit", start: .instant(Date(timeIntervalSince1970: 1_900_000_000), timeZone: nil)),
            zone: TimeZone(identifier: "UTC")!)
        s.heldTo = Data("{}".utf8)
        try store.commit(job: "j", upserts: [s])
        var light = try #require(try store.items(job: "j", withBases: false).first)
        #expect(light.baseData == nil && light.heldTo == nil && !light.baseLoaded)
        #expect(light.hashTo == "h2" && light.start == Date(timeIntervalSince1970: 1_900_000_000))
        light.versionFrom = "2"
        try store.commit(job: "j", upserts: [light])
        let full = try #require(try store.items(job: "j").first)
        #expect(full.versionFrom == "2")
        #expect(full.base?.title == "Visit")
        #expect(full.heldTo == Data("{}".utf8))
        let loaded = try store.withBase(light)
        #expect(loaded.baseLoaded && loaded.base?.title == "Visit" && loaded.heldTo == Data("{}".utf8))
    }

    @Test func theFileIsInWALModeWithAVersionedSchema() throws {
        let path = Self.path()
        _ = try StateStore(path: path)
        let db = try DatabaseQueue(path: path)
        let mode = try db.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let migrations = try db.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(
            migrations == [
                "v1", "v2", "v3-derived", "v4-held", "v5-away", "v6-connections", "v7-row-from", "v7-conflicts",
                "v8-creates-sent",
            ])
    }

    /// A state file written before `response_to` existed opens, keeps its rows, and gains the column.
    @Test func aVersionOneFileIsMigratedInPlace() throws {
        let path = Self.path()
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v1')")
            try db.execute(
                sql: """
                    CREATE TABLE items (id INTEGER PRIMARY KEY, job TEXT NOT NULL, key_from TEXT, key_to TEXT,
                        hash_from TEXT, hash_to TEXT, version_from TEXT, version_to TEXT, base BLOB, start REAL,
                        generation INTEGER NOT NULL DEFAULT 0, origin TEXT NOT NULL DEFAULT 'from', write_back TEXT);
                    CREATE TABLE cursors (job TEXT NOT NULL, side TEXT NOT NULL, cursor TEXT NOT NULL,
                        updated REAL NOT NULL, PRIMARY KEY (job, side));
                    CREATE TABLE runs (run_id TEXT PRIMARY KEY, job TEXT NOT NULL, trigger TEXT NOT NULL,
                        dry_run INTEGER NOT NULL, started REAL NOT NULL, finished REAL NOT NULL, result TEXT NOT NULL,
                        error_code TEXT, error TEXT, report TEXT NOT NULL);
                    INSERT INTO items (job, key_from, key_to, write_back) VALUES ('j', 'A1', 'x1', 'confirmed');
                    """)
        }
        try db.close()
        let store = try StateStore(path: path)
        let items = try store.items(job: "j")
        #expect(items.map(\.keyFrom) == ["A1"])
        #expect(items.first?.writeBack == "confirmed")
        #expect(items.first?.responseTo == nil)
        var s = try #require(items.first)
        s.responseTo = "accepted"
        try store.commit(job: "j", upserts: [s])
        #expect(try store.items(job: "j").first?.responseTo == "accepted")
    }

    /// A state file of schema v3 opens, keeps its rows (each side taken to hold the base, as
    /// before), and gains what each side holds apart from the base.
    @Test func aVersionThreeFileIsMigratedInPlace() throws {
        let path = Self.path()
        let old = try StateStore(path: path)
        try old.commit(
            job: "j",
            upserts: [
                ItemState(keyFrom: "A1", keyTo: "x1", hashFrom: "h1", baseData: Data("{}".utf8), derived: [.title])
            ])
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: "ALTER TABLE items DROP COLUMN held_from")
            try db.execute(sql: "ALTER TABLE items DROP COLUMN held_to")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4-held'")
        }
        try db.close()
        let store = try StateStore(path: path)
        var s = try #require(try store.items(job: "j").first)
        #expect(s.keyFrom == "A1" && s.hashFrom == "h1" && s.derived == [.title])
        #expect(s.heldFrom == nil && s.heldTo == nil)
        s.heldTo = Data("{\"location\":\"Room 9\"}".utf8)
        try store.commit(job: "j", upserts: [s])
        #expect(try store.items(job: "j").first?.heldTo == s.heldTo)
        #expect(try store.items(job: "j").first?.heldFrom == nil)
    }

    @Test func aKeyCannotBeLinkedTwice() throws {
        let store = try StateStore(path: Self.path())
        try store.commit(job: "j", upserts: [ItemState(keyFrom: "A1", keyTo: "x1")])
        #expect(throws: (any Error).self) {
            try store.commit(job: "j", upserts: [ItemState(keyFrom: "A2", keyTo: "x1")])
        }
        #expect(try store.items(job: "j").count == 1)  // the failed transaction left nothing behind
    }

    @Test func anUnwritableLocationIsAnActionableError() {
        #expect {
            _ = try StateStore(path: "/proc/almanac-cannot-be-here/x.sqlite")
        } throws: { error in
            guard let e = error as? AlmanacError else { return false }
            return e.code.rawValue == "state.open_failed" && e.message.hasPrefix("cannot open the state file /proc/")
        }
    }
}
