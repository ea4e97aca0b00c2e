import AlmanacCore
import AlmanacTestKit
import AlmanacWire
import Foundation
import Testing

/// Issue 18's kill acceptance through the daemon: `almanac daemon` runs the clients profile (5,000
/// clients of "Google Sync" in SQLite over ODBC → the `almanac-fakes` People API, every answer
/// late), and its worker for that profile is SIGKILLed ten times at seeded random moments of the
/// initial sync, the supervisor starting a new one each time by its restart policy.
extension ClientsEndToEndTests {
    /// The contacts the fakes process holds (`GET /_fake/people/contacts`, through curl: the answer
    /// is megabytes, and the machine may be busy).
    static func contacts(_ fakes: FakesProcess) throws -> [[String: Any]] {
        let out = try BinaryRunner.run(
            ["-sS", "--max-time", "120", fakes.baseURL + "/_fake/people/contacts"], executable: "/usr/bin/curl")
        try #require(out.status == 0, "curl: \(out.stderr)")
        let root = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        return try #require(root?["people"] as? [[String: Any]], "\(out.stdout.prefix(300))")
    }

    /// The `batchCreateContacts` calls the fake answered 200, read from its `--log-file` as it grows.
    final class CreateCounter {
        let path: String
        private var offset: UInt64 = 0
        private var partial = Data()
        private(set) var created = 0

        init(path: String) { self.path = path }

        /// Reads what the fakes appended since the last call; returns the count so far.
        @discardableResult
        func update() throws -> Int {
            guard let h = FileHandle(forReadingAtPath: path) else { return created }
            defer { try? h.close() }
            try h.seek(toOffset: offset)
            let data = h.readDataToEndOfFile()
            offset += UInt64(data.count)
            partial += data
            while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                let line = partial[partial.startIndex..<newline]
                partial = Data(partial[partial.index(after: newline)...])
                guard line.range(of: Data(":batchCreateContacts\"".utf8)) != nil,
                    let entry = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                    entry["path"] as? String == "/v1/people:batchCreateContacts", entry["status"] as? Int == 200
                else { continue }
                created += 1
            }
            return created
        }
    }

    /// Every answer of the fake `seconds` late (a `slow` fault on each request).
    static func answersLate(_ fakes: FakesProcess, by seconds: Double) throws {
        _ = try fakes.admin("POST", "/_fake/faults?rate=1&kinds=slow&slow_delay=\(seconds)")
    }

    /// Ten kills within the restart policy (RestartPolicy.swift): the backoff doubles from 1 s
    /// while the workers die young, and more than 5 restarts in 60 s would be fatal for 5 minutes.
    /// So each replacement is killed only once it is up (every other one once it has created
    /// contacts, the others at a random moment of their start, listing or planning; the first five
    /// then restart after 1, 2, 4, 8 and 16 s, never more than 5 in a minute), and the sixth
    /// worker is left up for over 60 s (answers 8 s late meanwhile, so that the sync is still
    /// going), after which it restarts at once and the backoff starts over for the last four.
    @Test func tenKillsOfTheDaemonsWorkerDuringA5000ContactInitialSyncLeaveEachClientOnce() throws {
        let started = Date()
        let dir = TempDirectory("clients-daemon-kills")
        let fakes = try FakesProcess("google", in: dir, arguments: ["--log-file", dir.path + "/fakes-log.jsonl"])
        let creates = CreateCounter(path: dir.path + "/fakes-log.jsonl")
        let fast = 0.5
        try Self.answersLate(fakes, by: fast)
        let db = dir.path + "/clinic.db"
        let count = try Self.seedClients(db)
        var profile = try Self.shippedProfile(db: db, baseURL: fakes.baseURL, secretFile: fakes.secretFile)
        for (from, to) in [
            (#"client_id          = "almanac-demo""#, #"client_id = "\#(FakesProcess.clientID)""#),
            (
                #"refresh_token_env  = "ALMANAC_DEMO_GOOGLE_REFRESH_TOKEN""#,
                // One request at a time, so that the late answers pace the sync.
                #"refresh_token_env = "\#(FakesProcess.tokenVariable)"\#nmax_concurrent = 1"#
            ),
            // No jitter: a new worker starts the unfinished initial sync at once.
            (#"jitter = "5s""#, ""),
        ] {
            #expect(profile.contains(from), "clients.toml no longer has \(from)")
            profile = profile.replacingOccurrences(of: from, with: to)
        }
        let daemon = try DaemonHarness()
        try daemon.write("clients.toml", profile)
        try daemon.start(environment: [FakesProcess.tokenVariable: fakes.refreshToken])
        defer { daemon.stop() }

        var rng = SeededRandom(state: 0x18_d)
        var pid = try daemon.waitReady("clients", timeout: 30)
        var seen: [Int] = []
        var restarts: [Int] = []
        var times: [Int] = []
        for round in 0..<10 {
            let upSince = Date()
            if round == 5 {
                // Up for more than the policy's 60 s: its restart is at once and resets the backoff.
                try daemon.waitUntil("the sixth worker up for 61 s", timeout: 70) {
                    Date().timeIntervalSince(upSince) > 61
                }
            } else if round % 2 == 1 {
                // Early: while it starts its run, lists the fake or plans.
                usleep(UInt32(300_000 + rng.next() % 2_700_000))
            } else {
                // Late: once it has created contacts.
                let before = try creates.update()
                try daemon.waitUntil("worker \(pid) creating contacts (kill \(round + 1))", timeout: 60) {
                    try creates.update() > before
                }
                usleep(UInt32(rng.next() % 500_000))
            }
            #expect(isAlive(pid), "worker \(pid) exited before kill \(round + 1)")
            kill(pid, SIGKILL)
            times.append(Int(Date().timeIntervalSince(started)))
            seen.append(try Self.contacts(fakes).count)
            // The sixth worker lists and creates slowly, from its start, while it stays up.
            if round == 4 { try Self.answersLate(fakes, by: 8) }
            if round == 5 { try Self.answersLate(fakes, by: fast) }
            pid = try daemon.waitReady("clients", timeout: 40, notPID: pid)
            restarts.append(try #require(try daemon.status("clients")).restarts)
        }
        let killed = Date()
        print("clients daemon kills at \(times) s: contacts on the fake at each: \(seen); restarts: \(restarts)")
        #expect(restarts == Array(1...10), "the supervisor did not restart the worker once per kill")
        #expect(seen.allSatisfy { $0 > 0 && $0 < count }, "a kill landed outside the initial sync: \(seen)")
        #expect(seen.last! > seen.first!, "the sync made no progress between the kills: \(seen)")

        // The tenth worker finishes the initial sync, answered at once; creates a killed worker
        // left without an answer are held for twice the request timeout (60 s), and retried then.
        _ = try fakes.admin("POST", "/_fake/faults?rate=0")
        try daemon.waitUntil("the initial sync done", timeout: 240) {
            try daemon.status("clients")?.lastRun?.result == "success"
        }
        let state = daemon.state + "/clients.sqlite"
        func expectEachClientOnce(_ when: String) throws {
            let contacts = try Self.contacts(fakes)
            let names = contacts.compactMap { ($0["names"] as? [[String: Any]])?.first?["unstructuredName"] as? String }
            let emails = contacts.compactMap { ($0["emailAddresses"] as? [[String: Any]])?.first?["value"] as? String }
            let stamps = Self.stamps(contacts)
            let resourceNames = Set(contacts.compactMap { $0["resourceName"] as? String })
            #expect(contacts.count == count, "\(when): \(contacts.count) contacts (at each kill: \(seen))")
            #expect(Set(stamps).count == count && stamps.count == count, "\(when): \(Set(stamps).count) origin stamps")
            #expect(
                Set(names) == Set((1...count).map { "Client \($0)" }) && names.count == count,
                "\(when): \(Set(names).count) names")
            #expect(
                Set(emails) == Set((1...count).map { "client\($0)@example.org" }) && emails.count == count,
                "\(when): \(Set(emails).count) e-mails")
            // The database: the 5,000 rows, none brought back from the phone as a new client.
            #expect(
                try DemoWriteBackTests.sqlite(
                    db, "SELECT count(*), count(DISTINCT email), count(ext_id), min(id), max(id) FROM clients")
                    == ["\(count)|\(count)|0|1|\(count)"], "\(when)")
            // The state: each row linked once, to a contact the fake holds, and nothing else.
            let links = try DemoWriteBackTests.sqlite(
                state, "SELECT ifnull(key_from, '') || '|' || ifnull(key_to, '') FROM items WHERE job = 'clients'")
            let keys = links.map { $0.split(separator: "|").map(String.init) }
            #expect(links.count == count, "\(when): \(links.count) links in the state")
            #expect(Set(keys.map { $0.first ?? "" }) == Set((1...count).map(String.init)), "\(when)")
            #expect(Set(keys.compactMap { $0.count == 2 ? $0[1] : nil }) == resourceNames, "\(when)")
        }
        try expectEachClientOnce("after the kills")
        let finished = Date()

        let again = try daemon.cli(["sync", "clients", "--wait"])
        #expect(again.code == 0, "\(again.out)\(again.err)")
        let last = try #require(try daemon.status("clients")?.lastRun)
        #expect(last.result == "success" && last.to.created == 0 && last.to.updated == 0, "\(again.out)")
        try expectEachClientOnce("after one more run")
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").prefix(14)
        print(
            "clients daemon kills: \(Int(killed.timeIntervalSince(started)))s to the 10th kill, "
                + "\(Int(finished.timeIntervalSince(started)))s to the checked end, load \(load)")
    }
}
