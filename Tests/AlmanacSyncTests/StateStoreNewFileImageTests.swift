import AlmanacCore
import Foundation
import GRDB
import Testing

@testable import AlmanacSync

/// New state files written from the image of a migrated one (what workers forked from the
/// template do) against files the migrations create.
@Suite(.timeLimit(.minutes(10)))
struct StateStoreNewFileImageTests {
    static func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "/almanac-image-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// What a file holds that is not data: the schema, the migrations applied, the header's
    /// settings, and the integrity check.
    static func shape(_ store: StateStore) throws -> [String] {
        let schema = "SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM sqlite_master ORDER BY name"
        return try store.pool.read { db in
            var lines = try String.fetchAll(db, sql: schema)
            lines += try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            lines.append("user_version \(try Int.fetchOne(db, sql: "PRAGMA user_version") ?? -1)")
            lines.append("journal_mode \(try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "")")
            lines.append("integrity \(try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "")")
            return lines
        }
    }

    @Test func aFileMadeFromTheImageIsTheFileTheMigrationsMake() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try StateStore.makeNewFileImage(in: dir)
        let migrated = try StateStore(path: dir + "/migrated.sqlite", image: nil)
        let fromImage = try StateStore(path: dir + "/from-image.sqlite", image: made.image)
        let shape = try Self.shape(migrated)
        #expect(shape.count > 10)
        #expect(shape.contains("journal_mode wal"))
        #expect(shape.contains("integrity ok"))
        #expect(try Self.shape(fromImage) == shape)
        // The image is the migrated file's bytes, and the new file was made of them.
        let bytes = try #require(FileManager.default.contents(atPath: dir + "/from-image.sqlite"))
        #expect(bytes.starts(with: made.image.prefix(100)))
        #expect(!FileManager.default.fileExists(atPath: dir + "/from-image.sqlite.new"))
        // It takes and keeps data as any file does.
        try fromImage.setFirstLinkOpen(job: "main", true)
        #expect(try StateStore(path: dir + "/from-image.sqlite", image: made.image).firstLinkOpen(job: "main"))
        #expect(try !migrated.firstLinkOpen(job: "main"))
    }

    @Test func theImageNeverReplacesAFileOrALogLeftWithoutOne() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try StateStore.makeNewFileImage(in: dir)
        let path = dir + "/kept.sqlite"
        try StateStore(path: path, image: nil).setFirstLinkOpen(job: "main", true)
        #expect(try StateStore(path: path, image: made.image).firstLinkOpen(job: "main"))

        // A write-ahead log without its file: the image is not written under it.
        let orphan = dir + "/orphan.sqlite"
        try Data("not a log".utf8).write(to: URL(fileURLWithPath: orphan + "-wal"))
        StateStore.write(made.image, newFileAt: orphan)
        #expect(!FileManager.default.fileExists(atPath: orphan))
        StateStore.write(made.image, newFileAt: dir + "/new.sqlite")
        #expect(FileManager.default.contents(atPath: dir + "/new.sqlite") == Data(made.image))
    }

    @Test func durableCreateNeverReplacesAFile() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f"
        try DurableFile.create(Array("one".utf8), at: path, mode: 0o600)
        #expect(throws: DurableFile.Failure.self) { try DurableFile.create(Array("two".utf8), at: path, mode: 0o600) }
        #expect(FileManager.default.contents(atPath: path) == Data("one".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f"])
    }
}
