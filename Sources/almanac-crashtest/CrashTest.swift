import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation

/// `almanac-crashtest DIR JOB_TOML MODE N`: runs one sync of the file-backed memory stores in DIR
/// (`from.json`, `to.json`, `test.sqlite`) and calls `_exit(86)` — no unwinding, no flushing —
/// at the N-th fault point. MODE `point` counts the engine's fault points (before and after each
/// write batch and each state commit, around the cursor commit); MODE `item` counts items written
/// by either connector (each saved before the count). N = 0 never crashes.
///
/// `almanac-crashtest seed DIR` writes the seed data (see `seed`).
///
/// Prints `RESULT points=P to=T from=F failures=X` and exits 0 on success, 1 otherwise.
@main
enum CrashTest {
    static func main() throws {
        let args = CommandLine.arguments
        if args.count == 3, args[1] == "seed" {
            try seed(URL(fileURLWithPath: args[2], isDirectory: true))
            exit(0)
        }
        if args.count == 3, args[1] == "edit" {
            try edit(URL(fileURLWithPath: args[2], isDirectory: true))
            exit(0)
        }
        guard args.count == 5, let limit = Int(args[4]), ["point", "item"].contains(args[3]) else {
            FileHandle.standardError.write(Data("usage: almanac-crashtest DIR JOB_TOML point|item N\n".utf8))
            exit(64)
        }
        let dir = URL(fileURLWithPath: args[1], isDirectory: true)
        let counter = Counter(limit: limit)
        var options = MemoryStore.Options()
        options.pageSize = 200
        var fromOptions = options
        fromOptions.assignsKeys = true
        let h = try SyncHarness(
            job: args[2], fromOptions: fromOptions, toOptions: options, directory: dir,
            persistent: true, now: now)
        h.batchSize = 50
        if args[3] == "point" {
            h.faultHook = { _ in counter.tick() }
        } else {
            h.fromFaults.onItemApplied { _ in counter.tick() }
            h.toFaults.onItemApplied { _ in counter.tick() }
        }
        let r = try h.run().report
        print(
            "\(r.result.rawValue) points=\(counter.count) to=\(r.toCounts.changed) from=\(r.fromCounts.changed) "
                + "failures=\(r.failures.count) \(r.error ?? "")"
        )
        exit(r.result == .success ? 0 : 1)
    }

    /// `almanac-crashtest seed DIR`: 1,000 items on `from` (keys assigned by the store) and 100
    /// items made on the calendar (`to`), within the window of `now`.
    static func seed(_ dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func event(_ title: String, _ i: Int) -> Event {
            let start = now.addingTimeInterval(Double(i % 600 + 1) * 3_600)
            return Event(
                title: title, location: "Room \(i % 9)", start: .instant(start, timeZone: "America/Chicago"),
                end: .instant(start.addingTimeInterval(1_800), timeZone: "America/Chicago"),
                participants: [Participant(name: "Client \(i)", email: "c\(i)@example.org")])
        }
        var fromOptions = MemoryStore.Options()
        fromOptions.assignsKeys = true
        let from = try MemoryStore(options: fromOptions, file: dir.appendingPathComponent("from.json"))
        try from.put(contentsOf: (0..<1_000).map { event("Appointment \($0)", $0) })
        let to = try MemoryStore(file: dir.appendingPathComponent("to.json"))
        for i in 0..<100 { try to.put(event("Booked online \(i)", i + 7), key: "cal\(i)") }
        try to.persist()
    }

    /// `almanac-crashtest edit DIR`, after a completed sync of the seed: on `from`, 100 items
    /// moved and 50 deleted; on `to`, 30 acceptances and 10 declines of the first participant,
    /// 20 calendar-made items edited and 10 deleted.
    static func edit(_ dir: URL) throws {
        let from = try MemoryStore(file: dir.appendingPathComponent("from.json"))
        let to = try MemoryStore(file: dir.appendingPathComponent("to.json"))
        func toKey(_ i: Int) -> String {
            DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "m\(i + 1)", generation: 0)
        }
        for i in 0..<100 {
            try from.edit("m\(i + 1)") { e in
                e.title = "Appointment \(i) (moved)"
                e.start = .instant(now.addingTimeInterval(Double(i + 700) * 3_600), timeZone: "America/Chicago")
                e.end = .instant(now.addingTimeInterval(Double(i + 700) * 3_600 + 1_800), timeZone: "America/Chicago")
            }
        }
        for i in 100..<150 { try from.remove("m\(i + 1)") }
        for i in 200..<230 { try to.edit(toKey(i)) { $0.participants[0].response = .accepted } }
        for i in 230..<240 { try to.edit(toKey(i)) { $0.participants[0].response = .declined } }
        for i in 0..<20 { try to.edit("cal\(i)") { $0.location = "Room 99" } }
        for i in 20..<30 { try to.remove("cal\(i)") }
    }

    /// The fixed "now" of crash-test runs (2030-03-08T00:00:00Z).
    static let now = Date(timeIntervalSince1970: 1_899_158_400)
}

/// Counts fault points; exits the process at the limit.
final class Counter: @unchecked Sendable {  // touched only by the one thread that runs the sync
    var count = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func tick() {
        count += 1
        if count == limit { _exit(86) }
    }
}
