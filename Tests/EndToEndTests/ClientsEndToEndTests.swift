import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// Issue 18's end-to-end acceptance with the built binary: the shipped `profiles.d/clients.toml`
/// (the demo database's clients over ODBC ↔ the fake Google Contacts) sends the clients of the
/// "Google Sync" group out, brings a contact added to that group on the phone back as one new
/// client row, and carries a phone edited in the database to the contact; and a sync killed ten
/// times during a 5,000-contact initial sync (`almanac run`, and the daemon's worker) ends with
/// each client once on both sides.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ClientsEndToEndTests {
    /// The shipped clients profile pointed at `db`, the fake at `baseURL` and the secret in `dir`.
    static func shippedProfile(db: String, baseURL: String, secretFile: String) throws -> String {
        var profile = try String(
            contentsOf: DemoWriteBackTests.root.appendingPathComponent("profiles.d/clients.toml"), encoding: .utf8)
        for (from, to) in [
            ("http://127.0.0.1:18080", baseURL), (".build/demo/clinic.db", db),
            ("../contrib/demo/secrets/client-secret", secretFile),
        ] {
            #expect(profile.contains(from), "clients.toml no longer names \(from)")
            profile = profile.replacingOccurrences(of: from, with: to)
        }
        return profile
    }

    /// The live contacts of the fake by shown name (unstructured name, else given and family).
    static func byName(_ people: PeopleFake) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for p in people.contacts() {
            let n = (p["names"] as? [[String: Any]])?.first ?? [:]
            let shown =
                (n["unstructuredName"] as? String)
                ?? [n["givenName"], n["familyName"]].compactMap { $0 as? String }.joined(separator: " ")
            out[shown] = p
        }
        return out
    }

    static func phones(_ person: [String: Any]?) -> [String] {
        (person?["phoneNumbers"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
    }

    @Test func theDemoClientsGoOutComeBackAndFollowAnEdit() throws {
        let dir = TempDirectory("clients")
        let server = try FakeServer(.google)
        defer { server.stop() }
        let people = try #require(server.people)
        let secret = "demo-secret-\(UUID().uuidString)"
        let refresh = server.auth.register(clientID: "almanac-demo", secret: secret)
        try dir.write("client-secret", secret, mode: 0o600)
        let db = dir.path + "/clinic.db"
        try FileManager.default.createDirectory(atPath: dir.path + "/profiles", withIntermediateDirectories: true)
        _ = try DemoWriteBackTests.sqlite(
            db, ".read " + DemoWriteBackTests.root.appendingPathComponent("contrib/demo/clinic.sql").path)
        try dir.write(
            "profiles/clients.toml",
            Self.shippedProfile(db: db, baseURL: server.baseURL, secretFile: dir.path + "/client-secret"))
        func run() throws -> String {
            let out = try BinaryRunner.run(
                ["run", "clients", "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"],
                environment: ["ALMANAC_DEMO_GOOGLE_REFRESH_TOKEN": refresh])
            #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
            #expect(!(out.stdout + out.stderr).contains(secret) && !(out.stdout + out.stderr).contains(refresh))
            return out.stdout + out.stderr
        }

        // 1. The five clients of "Google Sync" are contacts, in that group, phones in E.164; the
        //    London number the US rules cannot read is kept as typed.
        let first = try run()
        var contacts = Self.byName(people)
        #expect(
            contacts.keys.sorted() == [
                "Ada Byron", "Alan Turing", "Barbara Liskov", "Grace Hopper", "Margaret Hamilton",
            ], "\(first)")
        #expect(Self.phones(contacts["Ada Byron"]) == ["+13125550101"])
        #expect(Self.phones(contacts["Margaret Hamilton"]) == ["+13125550106"])
        #expect(Self.phones(contacts["Alan Turing"]) == ["020 7946 0958"])
        #expect(Self.phones(contacts["Barbara Liskov"]) == [])
        let groups = people.groups()
        let sync = try #require(groups["Google Sync"])
        for (name, p) in contacts {
            let memberOf = (p["memberships"] as? [[String: Any]] ?? []).compactMap {
                ($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String
            }
            #expect(memberOf.contains(sync), "\(name) is not in Google Sync")
        }

        // 2. A contact added on the phone to "Google Sync" becomes one client row, once.
        try people.seed(
            [
                "names": [["givenName": "Rosalind", "familyName": "Franklin"]],
                "emailAddresses": [["value": "rosalind@example.org", "type": "work"]],
                "phoneNumbers": [["value": "(312) 555-0199", "type": "mobile"]],
            ], groups: ["Google Sync"])
        let second = try run()
        let added = try DemoWriteBackTests.sqlite(
            db, "SELECT name, email, mobile, ext_id IS NOT NULL FROM clients WHERE email = 'rosalind@example.org'")
        #expect(added == ["Rosalind Franklin|rosalind@example.org|+13125550199|1"], "\(second)")
        let third = try run()
        #expect(
            try DemoWriteBackTests.sqlite(db, "SELECT count(*) FROM clients WHERE email = 'rosalind@example.org'")
                == ["1"], "\(third)")
        #expect(people.contacts().count == 6)

        // 3. A phone edited in the database reaches the contact, normalised.
        _ = try DemoWriteBackTests.sqlite(db, "UPDATE clients SET mobile = '312.555.0142' WHERE id = 2")
        let fourth = try run()
        contacts = Self.byName(people)
        #expect(Self.phones(contacts["Grace Hopper"]) == ["+13125550142"], "\(fourth)")
        #expect(people.contacts().count == 6)
        #expect(try DemoWriteBackTests.sqlite(db, "SELECT count(*) FROM clients") == ["8"])
    }

    /// The demo's `clients` table with 5,000 clients, all in the "Google Sync" group, each with
    /// its own e-mail and mobile phone. Returns their number.
    static func seedClients(_ db: String) throws -> Int {
        let count = 5_000
        _ = try DemoWriteBackTests.sqlite(
            db,
            """
            CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, mobile TEXT,
                                  group_names TEXT, ext_id TEXT UNIQUE);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
            INSERT INTO clients (id, name, email, mobile, group_names)
            SELECT i, 'Client ' || i, 'client' || i || '@example.org', '+1 312 555 ' || printf('%04d', i),
                   'Google Sync' FROM n;
            """)
        return count
    }

    /// `almanac run clients` against an in-process Google fake: the shipped profile (one request
    /// at a time, so that late answers pace the sync) on 5,000 clients seeded in `dir/clinic.db`,
    /// the `almanac-demo` client registered with its secret in `dir/client-secret`; `timeout`:
    /// the connection's request timeout (twice it, a create whose answer a killed run did not
    /// see is held: Plugins/GoogleContacts/README.md).
    struct SeededRun {
        let server: FakeServer
        let people: PeopleFake
        let db: String
        let count: Int
        let arguments: [String]
        let environment: [String: String]

        init(_ dir: TempDirectory, faults: FaultPolicy, timeout: String = "60s") throws {
            server = try FakeServer(.google, faults: faults)
            people = try #require(server.people)
            let secret = "clients-\(UUID().uuidString)"
            let refresh = server.auth.register(clientID: "almanac-demo", secret: secret)
            try dir.write("client-secret", secret, mode: 0o600)
            db = dir.path + "/clinic.db"
            count = try ClientsEndToEndTests.seedClients(db)
            try FileManager.default.createDirectory(atPath: dir.path + "/profiles", withIntermediateDirectories: true)
            let profile = try ClientsEndToEndTests.shippedProfile(
                db: db, baseURL: server.baseURL, secretFile: dir.path + "/client-secret"
            ).replacingOccurrences(
                of: "\n[[jobs]]", with: "max_concurrent = 1\ntimeout = \"\(timeout)\"\n\n[[jobs]]")
            #expect(profile.contains("max_concurrent = 1\n"))
            try dir.write("profiles/clients.toml", profile)
            arguments = ["run", "clients", "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"]
            environment = ["ALMANAC_DEMO_GOOGLE_REFRESH_TOKEN": refresh]
        }

        /// The `batchCreateContacts` calls the fake answered 200 so far.
        func creates() -> Int {
            server.log.all.filter { $0.path == "/v1/people:batchCreateContacts" && $0.status == 200 }.count
        }

        /// Starts a run whose output is discarded (to be killed).
        func start() throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: BinaryRunner.almanac)
            p.arguments = arguments
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
    }

    /// The origin stamps (`clientData` `almanac-origin`) of `contacts`.
    static func stamps(_ contacts: [[String: Any]]) -> [String] {
        contacts.compactMap { p in
            (p["clientData"] as? [[String: Any]] ?? []).first { $0["key"] as? String == "almanac-origin" }?["value"]
                as? String
        }
    }

    /// 5,000 clients of "Google Sync" synced by `almanac run` (the worker's job runner in its own
    /// process), SIGKILLed ten times at seeded random moments of the initial sync (every other one
    /// once that run has created contacts, so that a busy machine still sees kills between the
    /// first and the last contact): once a run
    /// completes, the fake holds 5,000 contacts, each client once (by e-mail and by origin stamp),
    /// and the database 5,000 rows, none brought back from the phone as a new client. (The same
    /// with the daemon's worker, restarted by the supervisor within its restart policy:
    /// `ClientsDaemonKillTests.swift`.)
    @Test func tenKillsDuringA5000ContactInitialSyncLeaveEachClientOnce() throws {
        let dir = TempDirectory("clients-kills")
        // Every answer 0.3 s late, so that the initial sync lasts long enough for the kills to land
        // inside it.
        // A 5 s request timeout: a create the last kill left unanswered is held for 10 s.
        let run = try SeededRun(dir, faults: FaultPolicy(rate: 1, kinds: [.slow], slowDelay: 0.3), timeout: "5s")
        defer { run.server.stop() }
        let (people, db, count, arguments, environment) = (
            run.people, run.db, run.count, run.arguments, run.environment
        )

        var rng = SeededRandom(state: 0x18)
        var landed = 0
        var seen: [Int] = []
        for round in 0..<10 {
            let before = run.creates()
            let p = try run.start()
            if round % 2 == 0 {
                // Early: 1-4 s after the start (starting, listing, planning or creating on a busy machine).
                usleep(UInt32(1_000_000 + rng.next() % 3_000_000))
            } else {
                // Late: once this run has created contacts (however busy the machine), plus up to 0.3 s.
                let deadline = Date().addingTimeInterval(120)
                while p.isRunning && run.creates() == before && Date() < deadline { usleep(20_000) }
                usleep(UInt32(rng.next() % 300_000))
            }
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                landed += 1
            }
            p.waitUntilExit()
            seen.append(people.contacts().count)
        }
        print("clients kills: \(landed) of 10 landed during a run; contacts on the fake after each: \(seen)")
        // The run after the kills sends no create a killed run sent without seeing its answer
        // (it may still land); it ends partial, saying so, and the run after the window completes.
        var done = try BinaryRunner.run(arguments, environment: environment)
        if done.status == 1 && done.stdout.contains("it may still land: not sent again before") {
            usleep(10_500_000)
            done = try BinaryRunner.run(arguments, environment: environment)
        }
        #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
        #expect(landed >= 5, "only \(landed) of 10 kills landed during a run (contacts after each: \(seen))")
        #expect(
            seen.filter { $0 > 0 && $0 < count }.count >= 3,
            "fewer than 3 kills landed between the first and the last contact: \(seen)")

        func expectEachClientOnce(_ when: String) throws {
            let contacts = people.contacts()
            let emails = contacts.compactMap { ($0["emailAddresses"] as? [[String: Any]])?.first?["value"] as? String }
            let stamps = Self.stamps(contacts)
            #expect(contacts.count == count, "\(when): \(contacts.count) contacts (after each kill: \(seen))")
            #expect(Set(emails).count == count && emails.count == count, "\(when): \(Set(emails).count) e-mails")
            #expect(Set(stamps).count == count, "\(when): \(Set(stamps).count) distinct origin stamps")
            #expect(
                try DemoWriteBackTests.sqlite(db, "SELECT count(*), count(DISTINCT email), count(ext_id) FROM clients")
                    == ["\(count)|\(count)|0"], "\(when)")
        }
        try expectEachClientOnce("after the kills")
        let again = try BinaryRunner.run(arguments, environment: environment)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("5000 unchanged") || again.stdout.contains("5,000 unchanged"), "\(again.stdout)")
        try expectEachClientOnce("after one more run")
    }
}
