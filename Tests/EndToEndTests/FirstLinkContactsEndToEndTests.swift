import Foundation
import Testing

/// Issue 18's first-link acceptance with the built binary: 1,000 clients of "Google Sync" in
/// SQLite (over ODBC, the shipped clients profile) and an `almanac-fakes` Google Contacts account
/// already holding 300 contacts the phone's user made (no origin stamp): 145 of them match a client
/// by e-mail only (typed in capitals), 147 by phone only (typed otherwise than the database holds
/// them), and 8 form 5 ambiguous groups:
/// - client 296: two contacts with its e-mail;
/// - client 297: two contacts with its phone, one in E.164, one in national format;
/// - clients 298 and 299 share a household e-mail, one contact has it;
/// - clients 300 and 301 share a household phone, one contact has it;
/// - clients 302 and 303 share a household e-mail, two contacts have it.
/// So 292 contacts are linked, 700 clients created, the 8 ambiguous clients not sent and the 8
/// ambiguous contacts not written: the account ends with 292 + 700 + 8 = 1,000 contacts.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FirstLinkContactsEndToEndTests {
    static let clients = 1_000
    static let byEmail = 1...145
    static let byPhone = 146...292
    static let ambiguousClients = 296...303

    /// Client `i`'s e-mail and phone as the database holds them (households share one).
    static func email(_ i: Int) -> String {
        switch i {
        case 299: return email(298)
        case 298: return "household298@example.org"
        case 302, 303: return "family302@example.org"
        default: return "client\(i)@example.org"
        }
    }

    static func phone(_ i: Int) -> String { i == 301 ? phone(300) : String(format: "(312) 555-%04d", i) }

    /// A contact as the phone's user made it: a name of their own, one e-mail or one phone.
    static func person(_ name: String, email: String? = nil, phone: String? = nil) -> [String: Any] {
        var p: [String: Any] = ["names": [["unstructuredName": name]]]
        if let email { p["emailAddresses"] = [["value": email, "type": "home"]] }
        if let phone { p["phoneNumbers"] = [["value": phone, "type": "mobile"]] }
        return p
    }

    @Test func anAccountHolding300Of1000ClientsEndsWith1000ContactsAndTheAmbiguousUntouched() throws {
        let started = Date()
        let dir = TempDirectory("first-link-contacts")
        let fakes = try FakesProcess("google", in: dir)
        let db = dir.path + "/clinic.db"
        _ = try DemoWriteBackTests.sqlite(
            db,
            """
            CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, mobile TEXT,
                                  group_names TEXT, ext_id TEXT UNIQUE);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(Self.clients))
            INSERT INTO clients (id, name, email, mobile, group_names)
            SELECT i, 'Client ' || i, 'client' || i || '@example.org', printf('(312) 555-%04d', i), 'Google Sync'
            FROM n;
            UPDATE clients SET email = 'household298@example.org' WHERE id IN (298, 299);
            UPDATE clients SET mobile = '(312) 555-0300' WHERE id = 301;
            UPDATE clients SET email = 'family302@example.org' WHERE id IN (302, 303);
            """)
        #expect(
            try DemoWriteBackTests.sqlite(
                db, "SELECT group_concat(id || '|' || email || '|' || mobile, ';') FROM clients")
                == [(1...Self.clients).map { "\($0)|\(Self.email($0))|\(Self.phone($0))" }.joined(separator: ";")])

        // The 300 contacts, in this order: by e-mail, by phone, then the 5 ambiguous groups.
        var seed: [[String: Any]] = []
        for i in Self.byEmail { seed.append(Self.person("Friend \(i)", email: Self.email(i).uppercased())) }
        for i in Self.byPhone {
            // E.164 with separators, or national with dots: the database has "(312) 555-0146".
            let typed = i % 2 == 0 ? String(format: "+1 312-555-%04d", i) : String(format: "312.555.%04d", i)
            seed.append(Self.person("Caller \(i)", phone: typed))
        }
        let ambiguousSeed: [(name: String, email: String?, phone: String?)] = [
            ("Twin 296 a", "Client296@example.org", nil), ("Twin 296 b", "client296@EXAMPLE.org", nil),
            ("Twin 297 a", nil, "+13125550297"), ("Twin 297 b", nil, "312-555-0297"),
            ("Household 298", "HOUSEHOLD298@example.org", nil),
            ("Household 300", nil, "+1 (312) 555 0300"),
            ("Family 302 a", "family302@example.org", nil), ("Family 302 b", "Family302@Example.org", nil),
        ]
        for a in ambiguousSeed { seed.append(Self.person(a.name, email: a.email, phone: a.phone)) }
        let body = try JSONSerialization.data(withJSONObject: ["people": seed])
        let answer = try fakes.admin("POST", "/_fake/people/seed", body: String(decoding: body, as: UTF8.self))
        let names = try #require(
            (try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])?["resourceNames"]
                as? [String])
        try #require(names.count == 300)
        /// The seeded contact of client `i` (matched ones), by its resource name.
        var seededFor: [Int: String] = [:]
        for (n, i) in (Array(Self.byEmail) + Array(Self.byPhone)).enumerated() { seededFor[i] = names[n] }
        let ambiguousNames = Array(names[292...])
        let before = try ClientsEndToEndTests.contacts(fakes)
        #expect(before.count == 300)
        #expect(before.allSatisfy { $0["clientData"] == nil })
        let untouched = Dictionary(
            uniqueKeysWithValues: before.filter { ambiguousNames.contains($0["resourceName"] as? String ?? "") }.map {
                ($0["resourceName"] as! String, $0["etag"] as? String ?? "")
            })
        #expect(untouched.count == 8)

        var profile = try ClientsEndToEndTests.shippedProfile(
            db: db, baseURL: fakes.baseURL, secretFile: fakes.secretFile)
        for (from, to) in [
            (#"client_id          = "almanac-demo""#, #"client_id = "\#(FakesProcess.clientID)""#),
            (
                #"refresh_token_env  = "ALMANAC_DEMO_GOOGLE_REFRESH_TOKEN""#,
                #"refresh_token_env = "\#(FakesProcess.tokenVariable)""#
            ),
        ] {
            #expect(profile.contains(from), "clients.toml no longer has \(from)")
            profile = profile.replacingOccurrences(of: from, with: to)
        }
        try FileManager.default.createDirectory(atPath: dir.path + "/profiles", withIntermediateDirectories: true)
        try dir.write("profiles/clients.toml", profile)

        // The dry run lists the links, the creates and the 5 ambiguous groups with both sides' keys.
        let dry = try fakes.run("clients", in: dir, ["--dry-run"])
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let lines = dry.stdout.split(separator: "\n").map(String.init)
        func count(_ kind: String) -> Int { lines.filter { $0.hasPrefix("  \(kind) ") }.count }
        #expect(["link", "ambiguous", "create"].map(count) == [292, 5, 700], "\(dry.stdout.suffix(3_000))")
        let groups: [(from: [Int], rule: String, to: [String])] = [
            ([296], "email", [ambiguousNames[0], ambiguousNames[1]]),
            ([297], "phone", [ambiguousNames[2], ambiguousNames[3]]),
            ([298, 299], "email", [ambiguousNames[4]]),
            ([300, 301], "phone", [ambiguousNames[5]]),
            ([302, 303], "email", [ambiguousNames[6], ambiguousNames[7]]),
        ]
        for g in groups {
            let line =
                "  ambiguous -     \(g.from.map(String.init).joined(separator: ", "))  same \(g.rule) as "
                + "\(g.to.sorted().joined(separator: ", ")) on to: not linked, not created"
            #expect(lines.contains(line), "no \(line) in\n\(lines.filter { $0.contains("ambiguous") })")
        }
        for i in [1, 145] {
            #expect(
                lines.contains {
                    $0.hasPrefix("  link ") && $0.contains(" \(i) ") && $0.contains("email with \(seededFor[i]!)")
                },
                "client \(i) not linked by e-mail in the plan")
        }
        for i in [146, 292] {
            #expect(
                lines.contains {
                    $0.hasPrefix("  link ") && $0.contains(" \(i) ") && $0.contains("phone with \(seededFor[i]!)")
                },
                "client \(i) not linked by phone in the plan")
        }
        #expect(try ClientsEndToEndTests.contacts(fakes).count == 300, "the dry run wrote")
        _ = try fakes.admin("DELETE", "/_fake/log")

        let first = try fakes.run("clients", in: dir)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("to: 700 created, 292 updated"), "\(first.stdout)")
        #expect(first.stdout.contains("; 292 linked; 5 ambiguous\n"), "\(first.stdout)")
        for g in groups {
            let line =
                "  ambiguous \(g.from.map(String.init).joined(separator: ", ")) (from) ~ "
                + "\(g.to.sorted().joined(separator: ", ")) (to)"
            #expect(first.stdout.contains(line + "\n"), "no \(line) in \(first.stdout)")
        }
        let log = try fakes.log()
        try Self.expectEachClientOnce(fakes, db: db, state: dir.path + "/state/clients.sqlite", seededFor: seededFor)
        let writes = try Self.expectUntouched(fakes, untouched, log: log)
        // 4 batches of creates, 2 of updates of the linked, their memberships: the log shows them.
        #expect(writes >= 6 && log.contains("batchCreateContacts") && log.contains("batchUpdateContacts"))
        #expect(log.contains(seededFor[146]!), "the request log does not name the contacts it updated")

        let second = try fakes.run("clients", in: dir)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("to: 992 unchanged; from: nothing; 5 ambiguous\n"), "\(second.stdout)")
        try Self.expectEachClientOnce(fakes, db: db, state: dir.path + "/state/clients.sqlite", seededFor: seededFor)
        try Self.expectUntouched(fakes, untouched, log: try fakes.log())
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").prefix(14)
        print("first link of contacts: \(Int(Date().timeIntervalSince(started)))s, load \(load)")
    }

    /// 1,000 contacts: each of the 992 clients not held back exactly once (by its e-mail), the 292
    /// matched ones on the contact the user made, linked once in the state; the database unchanged
    /// in count and not one client brought back from the phone.
    static func expectEachClientOnce(_ fakes: FakesProcess, db: String, state: String, seededFor: [Int: String]) throws
    {
        let contacts = try ClientsEndToEndTests.contacts(fakes)
        #expect(contacts.count == 1_000)
        var byEmail: [String: [String]] = [:]
        for p in contacts {
            for e in p["emailAddresses"] as? [[String: Any]] ?? [] {
                byEmail[(e["value"] as? String ?? "").lowercased(), default: []].append(
                    p["resourceName"] as? String ?? "")
            }
        }
        let sent = (1...clients).filter { !ambiguousClients.contains($0) }
        #expect(sent.count == 992)
        for i in sent {
            let holders = byEmail[email(i)] ?? []
            #expect(holders.count == 1, "client \(i): \(holders.count) contacts with its e-mail")
            if let seeded = seededFor[i] {
                #expect(holders == [seeded], "client \(i) was not linked to the contact the user made")
            }
        }
        // The 700 created and the 292 linked carry the origin stamp now (a link stamps the contact,
        // so that a lost state links it again by the stamp); the 8 ambiguous ones do not.
        let stamped = contacts.filter { $0["clientData"] != nil }.count
        #expect(stamped == 992, "\(stamped) contacts carry an origin stamp")
        let links = try DemoWriteBackTests.sqlite(
            state, "SELECT key_from || '|' || key_to FROM items WHERE job = 'clients' AND key_to IS NOT NULL")
        #expect(links.count == 992)
        for (i, name) in seededFor { #expect(links.contains("\(i)|\(name)"), "client \(i) not linked to \(name)") }
        #expect(
            try DemoWriteBackTests.sqlite(db, "SELECT count(*), count(ext_id) FROM clients") == ["1000|0"])
    }

    /// Each ambiguous contact as the user left it (same etag), and no write in the request log names
    /// it; returns how many writes the log holds.
    @discardableResult
    static func expectUntouched(_ fakes: FakesProcess, _ etags: [String: String], log: String) throws -> Int {
        let now = try ClientsEndToEndTests.contacts(fakes)
        for (name, etag) in etags {
            #expect(now.first { $0["resourceName"] as? String == name }?["etag"] as? String == etag, "\(name) changed")
        }
        var writes = 0
        for line in log.split(separator: "\n") {
            guard let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let method = entry["method"] as? String, method != "GET",
                let path = entry["path"] as? String, !path.hasPrefix("/_fake/")
            else { continue }
            let body = entry["body"] as? String ?? ""
            writes += 1
            for name in etags.keys {
                #expect(
                    !body.contains("\"\(name)\"") && !path.contains(name + ":") && !path.hasSuffix(name),
                    "\(method) \(path) writes the ambiguous \(name)")
            }
        }
        return writes
    }
}
