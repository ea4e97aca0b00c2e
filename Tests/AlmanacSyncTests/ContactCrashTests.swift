import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// A two-way contacts job between a store that assigns its own keys (a database) and one that
/// keeps the create id (an address book), run by a real process (`almanac-crashtest`) killed at
/// seeded random items written, then restarted: both sides end as an uninterrupted run leaves
/// them, with no duplicate and nothing lost, through a first sync and a round of random edits.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ContactCrashTests {
    static let job = """
        kind = "contacts"
        direction = "two-way"
        apply_back = { create = true, update = true, delete = true }
        """

    static func child(_ dir: URL, _ n: Int) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = CrashTests.binary
        p.arguments = [dir.path, job, "item", String(n)]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    /// 300 clients on `from` (keys assigned by the store), 40 contacts made on the phone (`to`).
    static func seeded() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-ctcrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var options = MemoryStore.Options()
        options.assignsKeys = true
        let from = try MemoryStore(options: options, file: dir.appendingPathComponent("from.json"))
        try from.put(contentsOf: (0..<300).map { ContactSyncTests.client($0) })
        let to = try MemoryStore(file: dir.appendingPathComponent("to.json"))
        for i in 0..<40 {
            try to.put(
                Contact(displayName: "Phone \(i)", phones: [ContactPhone("+1312555\(2000 + i)", kind: .mobile)])
                    .envelope(), key: "p\(i)")
        }
        return dir
    }

    /// What a side holds: one line per live contact (duplicates show twice).
    static func contents(_ dir: URL, _ file: String) throws -> [String] {
        let store = try MemoryStore(file: dir.appendingPathComponent(file))
        return store.live.values.map { r in
            let c = r.event.contact ?? Contact()
            return "\(c.shownName ?? "")|\(c.emails.map(\.address))|\(c.phones.map(\.number))|\(c.notes ?? "")"
        }.sorted()
    }

    /// The same seeded edits on both sides of `dir`: notes edited and clients deleted on `from`,
    /// numbers changed and contacts added on `to`.
    static func edit(_ dir: URL, seed: UInt64) throws {
        var rng = SeededRandom(state: seed)
        let from = try MemoryStore(file: dir.appendingPathComponent("from.json"))
        let to = try MemoryStore(file: dir.appendingPathComponent("to.json"))
        let fromKeys = from.live.keys.sorted()
        let toKeys = to.live.keys.sorted()
        for _ in 0..<20 { try from.edit(fromKeys[rng.below(fromKeys.count)]) { $0.contact!.notes = "edited" } }
        for k in Set((0..<10).map { _ in fromKeys[rng.below(fromKeys.count)] }) { try from.remove(k) }
        for i in 0..<10 {
            try to.edit(toKeys[rng.below(toKeys.count)]) { e in
                e.contact!.phones = [ContactPhone("+1646555\(3000 + i)", kind: .work)]
            }
        }
        for i in 0..<10 {
            try to.put(
                Contact(displayName: "Added \(i)", emails: [ContactEmail("added\(i)@example.org")]).envelope(),
                key: "n\(i)")
        }
    }

    @Test func killedAtRandomItemsNeitherDuplicatesNorLoses() throws {
        let pristine = try Self.seeded()
        defer { try? FileManager.default.removeItem(at: pristine) }
        let reference = try CrashTests.copy(pristine)
        defer { try? FileManager.default.removeItem(at: reference) }
        let dir = try CrashTests.copy(pristine)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededRandom(state: 18)
        for phase in 0..<2 {
            if phase == 1 {
                try Self.edit(reference, seed: 1_800)
                try Self.edit(dir, seed: 1_800)
            }
            let (status, output) = try Self.child(reference, 0)
            #expect(status == 0, "reference run: \(output)")
            let items = Int(output.split(separator: " ").first { $0.hasPrefix("points=") }!.dropFirst(7))!
            #expect(items > 20, "items written: \(items)")
            var kills = 0
            for _ in 0..<5 {
                let (s, o) = try Self.child(dir, 1 + rng.below(max(1, items / 4)))
                #expect(s == 86 || s == 0, "phase \(phase): \(o)")
                if s == 86 { kills += 1 }
            }
            #expect(kills >= 3, "phase \(phase): only \(kills) kills")
            let (s, o) = try Self.child(dir, 0)
            #expect(s == 0, "phase \(phase) recovery: \(o)")
            let (again, o2) = try Self.child(dir, 0)
            #expect(again == 0 && o2.contains("to=0 from=0"), "phase \(phase) second run: \(o2)")
            for side in ["from.json", "to.json"] {
                let want = try Self.contents(reference, side)
                let got = try Self.contents(dir, side)
                #expect(Set(got).count == got.count, "phase \(phase) \(side): duplicates")
                #expect(got == want, "phase \(phase) \(side) after kills")
            }
            let to = try Self.contents(reference, "to.json")
            #expect(to.count == (try Self.contents(reference, "from.json")).count)
            if phase == 0 { #expect(to.count == 340) }
        }
    }
}
