import AlmanacCore
import Foundation
import Testing

@testable import AlmanacSupervisor

/// The last valid versions of the profiles: copies, and one file of their hashes.
@Suite(.timeLimit(.minutes(10)))
struct LastGoodStoreTests {
    static func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "/almanac-lastgood-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes a profile file `name` with `text`; returns its path and hash.
    static func profile(_ dir: String, _ name: String, _ text: String) throws -> (path: String, hash: String) {
        let path = dir + "/\(name).toml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (path, SHA256.hex(Data(text.utf8)))
    }

    @Test func copiesAndTheirHashesSurviveARestartAndATornCopyIsNotUsed() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = LastGoodStore(stateDirectory: dir)
        let a = try Self.profile(dir, "a", "timezone = \"UTC\"\n")
        let b = try Self.profile(dir, "b", "timezone = \"Europe/Paris\"\n")
        #expect(try store.save("a", from: a.path, hash: a.hash))
        #expect(try store.save("b", from: b.path, hash: b.hash))
        #expect(try !store.save("a", from: a.path, hash: a.hash))
        #expect(store.sync() == true)
        #expect(store.sync() == nil)  // nothing changed since
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/lastgood").sorted()
        #expect(files == ["a.toml", "b.toml", "hashes"])
        let index = try String(contentsOfFile: dir + "/lastgood/hashes", encoding: .utf8)
        #expect(index == "a \(a.hash)\nb \(b.hash)\n")

        let restarted = LastGoodStore(stateDirectory: dir)
        #expect(restarted.savedHash("a") == a.hash)
        #expect(restarted.savedHash("b") == b.hash)
        #expect(restarted.names().sorted() == ["a", "b"])
        // A copy whose bytes no longer hash to the recorded value is no saved version.
        try Data("timezone = \"U".utf8).write(to: URL(fileURLWithPath: dir + "/lastgood/a.toml"))
        #expect(restarted.savedHash("a") == nil)
        #expect(try restarted.save("a", from: a.path, hash: a.hash))
        #expect(restarted.savedHash("a") == a.hash)

        restarted.remove("b")
        #expect(restarted.sync() == true)
        #expect(try String(contentsOfFile: dir + "/lastgood/hashes", encoding: .utf8) == "a \(a.hash)\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/lastgood/b.toml"))
    }

    @Test func aCopyWhoseHashWasNeverWrittenIsNoSavedVersion() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try Self.profile(dir, "a", "timezone = \"UTC\"\n")
        #expect(try LastGoodStore(stateDirectory: dir).save("a", from: a.path, hash: a.hash))
        // The daemon stopped before `sync` (a crash): the copy is there, its hash is not.
        #expect(LastGoodStore(stateDirectory: dir).savedHash("a") == nil)
    }

    @Test func aCopySavedWithItsHashBesideItIsReadAndMovedToTheHashesFile() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let old = try Self.profile(dir, "a", "timezone = \"UTC\"\n")
        try FileManager.default.createDirectory(atPath: dir + "/lastgood", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: old.path, toPath: dir + "/lastgood/a.toml")
        try Data((old.hash + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/lastgood/a.sha256"))
        let store = LastGoodStore(stateDirectory: dir)
        #expect(store.savedHash("a") == old.hash)
        #expect(try !store.save("a", from: old.path, hash: old.hash))

        let new = try Self.profile(dir, "a", "timezone = \"Europe/Paris\"\n")
        #expect(try store.save("a", from: new.path, hash: new.hash))
        #expect(store.sync() == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/lastgood/a.sha256"))
        #expect(LastGoodStore(stateDirectory: dir).savedHash("a") == new.hash)
    }

    @Test func linesThatAreNotANameAndAHashAreIgnored() {
        let hash = String(repeating: "ab", count: 32)
        let text = "a \(hash)\nbad-name \(hash)\nb short\nc \(hash) extra\n\nd \(hash)"
        #expect(LastGoodStore.parse(Data(text.utf8)) == ["a": hash, "d": hash])
    }
}
