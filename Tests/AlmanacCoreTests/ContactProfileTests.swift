import AlmanacCore
import Foundation
import Testing

/// An address book that carries contacts (and events), always writable.
enum TestAddressBookModule: ConnectorModule {
    static let kind = "testbook"
    static let summary = "test address book"
    static let connectionSettings: [SettingSpec] = []
    static let sourceSettings: [SettingSpec] = []
    static let targetSettings: [SettingSpec] = []
    static let itemKinds: Set<ItemKind> = [.events, .contacts]
    static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete]
    }
    static func make(_ context: ConnectorContext) throws -> any Connector {
        throw AlmanacError(.configCapability, "not for running")
    }
}

/// `kind`, `default_region`, `groups` and a contacts job's `match` (README "Contacts").
@Suite(.timeLimit(.minutes(10))) struct ContactProfileTests {
    let loader = ProfileLoader(connectors: [TestDBModule.self, TestCalendarModule.self, TestAddressBookModule.self])

    /// A profile with two address books (`crm` → `phone`) and one job, plus `job` lines.
    func text(_ job: String, top: String = "", from: String = "crm") -> String {
        """
        timezone = "America/Chicago"
        \(top)
        [connections.crm]
        connector = "testbook"
        [connections.phone]
        connector = "testbook"
        [connections.db]
        connector = "testdb"
        dsn = "clinic"
        [[jobs]]
        name = "clients"
        from = "\(from)"
        to = "phone"
        \(job)
        """
    }

    func load(_ text: String) -> Result<Profile, ProfileErrors> {
        let dir = ProfileDir()
        return loader.load(path: dir.write("clinic.toml", text)).result
    }

    func issues(_ text: String) -> [ConfigIssue] {
        if case .failure(let e) = load(text) { return e.issues }
        return []
    }

    @Test func contactsJobIsRead() throws {
        let p = try load(
            text(
                """
                kind = "contacts"
                direction = "two-way"
                groups = ["Google Sync", "VIP", "Google Sync"]
                match = ["phone", "email"]
                apply_back = { create = true, delete = true }
                """, top: "default_region = \"gb\"")
        ).get()
        #expect(p.defaultRegion == "GB")
        let job = p.jobs[0]
        #expect(job.kind == .contacts)
        #expect(job.groups == ["Google Sync", "VIP"])
        #expect(job.contactMatch == [.phone, .email])
        #expect(job.applyBack == ApplyFlags(create: true, update: true, delete: true))
    }

    @Test func defaultsAreEventsWithoutRegion() throws {
        let p = try load(text("")).get()
        #expect(p.defaultRegion == nil)
        #expect(p.jobs[0].kind == .events)
        #expect(p.jobs[0].groups.isEmpty)
        #expect(p.jobs[0].contactMatch == [.email, .phone, .name])
    }

    @Test func unknownRegionIsRejected() throws {
        let found = issues(text("kind = \"contacts\"", top: "default_region = \"XX\""))
        #expect(found.codesAndPaths == ["config.invalid_value default_region"])
        #expect(
            found.first?.message.hasPrefix(
                "\"XX\" is not a region the phone rules know (docs/PHONE-NUMBERS.md); known: AU,") == true)
    }

    /// `almanac check` (the loader) rejects a job whose side cannot carry its kind, naming the
    /// job, the side, the connection's connector and the kind.
    @Test func sideWithoutTheKindIsRejected() {
        let found = issues(text("kind = \"contacts\"\n[jobs.source]\nquery = \"SELECT 1\"", from: "db"))
        #expect(found.codesAndPaths == ["config.capability jobs[0].from"])
        #expect(
            found.first?.message
                == "job \"clients\": the from side, connection \"db\" (connector testdb), cannot carry contacts; it carries events"
        )
        #expect(issues(text("kind = \"contacts\"")).isEmpty)
        #expect(issues(text("kind = \"addresses\"")).codesAndPaths == ["config.invalid_value jobs[0].kind"])
    }

    @Test func groupsBelongToContactsJobs() {
        let found = issues(text("groups = [\"Google Sync\"]"))
        #expect(found.codesAndPaths == ["config.invalid_value jobs[0].groups"])
        #expect(found.first?.message == "selects contacts by group: only a job with kind = \"contacts\" has groups")
        #expect(
            issues(text("kind = \"contacts\"\ngroups = []")).codesAndPaths == ["config.invalid_value jobs[0].groups"])
        #expect(
            issues(text("kind = \"contacts\"\ngroups = [\" \"]")).codesAndPaths
                == ["config.invalid_value jobs[0].groups"])
    }

    @Test(
        arguments: [
            "window = { past_days = 1 }", "title_template = \"{{title}}\"", "to_owns = [\"title\"]",
            "include_tentative = true", "phone_priority = [\"work\"]", "privacy = \"busy\"",
            "include = { status = [\"confirmed\"] }", "exclude = { status = [\"confirmed\"] }",
            "conflicts = { by = [\"participant_0_email\"] }",
        ])
    func eventOnlyKeysAreRejected(_ line: String) {
        let key = String(line.prefix { $0 != " " })
        let found = issues(text("kind = \"contacts\"\n" + line))
        #expect(found.codesAndPaths.contains("config.invalid_value jobs[0].\(key)"), "\(found)")
        #expect(
            found.contains { $0.message.hasPrefix("applies to appointments only") && $0.path == "jobs[0].\(key)" })
        #expect(issues(text(line)).allSatisfy { $0.path != "jobs[0].\(key)" || !$0.message.hasPrefix("applies") })
    }

    @Test func contactMatchVocabulary() {
        let found = issues(text("kind = \"contacts\"\nmatch = [\"email\", \"start_time\"]"))
        #expect(found.codesAndPaths == ["config.invalid_value jobs[0].match[1]"])
        #expect(
            found.first?.message
                == "unknown contact match \"start_time\"; a contacts job matches on email, phone, name")
        #expect(
            issues(text("kind = \"contacts\"\nmatch = [\"phnoe\"]")).first?.message.hasSuffix(
                "(did you mean \"phone\"?)") == true)
        #expect(issues(text("match = [\"email\"]")).codesAndPaths == ["config.invalid_value jobs[0].match[0]"])
    }
}
