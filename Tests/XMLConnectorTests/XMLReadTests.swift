import AlmanacCore
import AlmanacTestKit
import FileConnectorSupport
import Foundation
import Testing

@testable import XMLConnector

@Suite struct XMLReadTests {
    func connector(_ settings: [String: ConfigValue], _ s: Scratch, pageSize: Int = 5000) throws -> XMLConnector {
        let ctx = fileConnectorContext(settings, dir: s.url)
        return XMLConnector(
            settings: try XMLSettings(ctx), side: .from, capabilities: [.read, .write, .delete],
            logger: ctx.logger, pageSize: pageSize)
    }

    static let plain: [String: ConfigValue] = [
        "path": .string("a.xml"), "item": .string("/Appointments/Appointment"),
        "fields": .table(ConfigTable(["external_id": .string("@id"), "title": .string("Subject")])),
    ]

    func plain(_ name: String) -> [String: ConfigValue] {
        var p = XMLReadTests.plain
        p["path"] = .string(name)
        return p
    }

    @Test func namespacesAndCDATA() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file(
            "ns.xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <a:Export xmlns:a="urn:clinic:appointments" xmlns:p="urn:clinic:people">
              <a:Appointments>
                <a:Appointment id="X1" type="new">
                  <a:Subject><![CDATA[Check-up <urgent> & "more"]]></a:Subject>
                  <a:Start>2026-03-02T09:30:00</a:Start>
                  <a:End>2026-03-02T10:00:00</a:End>
                  <p:Patient p:id="77"><p:Name>Jane Doe</p:Name><p:Mobile>555-0101</p:Mobile></p:Patient>
                  <a:Room>4</a:Room>
                  <location>Main street</location>
                </a:Appointment>
                <b:Appointment xmlns:b="urn:clinic:appointments" id="X2">
                  <b:Subject>Other prefix, same namespace</b:Subject><b:Start>2026-03-03</b:Start><b:Notes/>
                </b:Appointment>
                <Appointment id="X3"><Subject>No namespace: not an item</Subject></Appointment>
              </a:Appointments>
            </a:Export>
            """)
        let c = try connector(
            [
                "path": .string("ns.xml"), "item": .string("/x:Export/x:Appointments/x:Appointment"),
                "namespaces": .table(
                    ConfigTable(["x": .string("urn:clinic:appointments"), "p": .string("urn:clinic:people")])),
                "fields": .table(
                    ConfigTable([
                        "external_id": .string("@id"), "title": .string("x:Subject"), "start_time": .string("x:Start"),
                        "end_time": .string("x:End"), "participant_0_name": .string("p:Patient/p:Name"),
                        "participant_0_phone_mobile": .string("p:Patient/p:Mobile"),
                        "patient_id": .string("p:Patient/@p:id"),
                    ])),
            ], s)
        let (page, _) = try readAll(c)
        #expect(page.problems == [])
        #expect(page.items.map(\.key) == ["X1", "X2"])
        let x1 = page.items[0].event
        #expect(x1.title == "Check-up <urgent> & \"more\"")
        #expect(x1.start == .instant(instant("2026-03-02T15:30:00Z"), timeZone: "America/Chicago"))
        #expect(x1.end == .instant(instant("2026-03-02T16:00:00Z"), timeZone: "America/Chicago"))
        #expect(x1.location == "Main street")
        #expect(x1.participants == [Participant(name: "Jane Doe", phones: [.mobile: "555-0101"])])
        #expect(x1.custom == ["type": "new", "Room": "4", "patient_id": "77"])
        let x2 = page.items[1].event
        #expect(x2.title == "Other prefix, same namespace")
        #expect(x2.start == .allDay(CivilDate(year: 2026, month: 3, day: 3)))
        #expect(x2.custom == [:])
        #expect(page.coverage == .complete(wideWindow))
    }

    @Test func declaredLatin1EncodingIsDecoded() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        let bytes: [UInt8] =
            Array(
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Appointments><Appointment id=\"L1\"><Subject>Caf"
                    .utf8)
            + [0xE9] + Array(" M".utf8) + [0xFC]
            + Array("nchen</Subject><start_time>2026-03-02T09:00</start_time>".utf8)
            + Array("</Appointment></Appointments>\n".utf8)
        s.file("latin.xml", bytes)
        let (page, _) = try readAll(try connector(plain("latin.xml"), s))
        #expect(page.items.first?.event.title == "Café München")
    }

    @Test func externalEntitiesReadNothing() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        let secret = s.file("secret.txt", "TOPSECRET-42")
        s.file(
            "xxe.xml",
            """
            <?xml version="1.0"?>
            <!DOCTYPE Appointments [
              <!ENTITY xxe SYSTEM "file://\(secret.path)">
              <!ENTITY net SYSTEM "http://127.0.0.1:9/steal">
              <!ENTITY % remote SYSTEM "file://\(secret.path)">
              %remote;
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            ]>
            <Appointments>
              <Appointment id="E1"><Subject>&xxe;</Subject><start_time>2026-03-02T09:00</start_time>
                <content>before&net;after</content><Laughs>&lol2;</Laughs></Appointment>
            </Appointments>
            """)
        let (page, _) = try readAll(try connector(plain("xxe.xml"), s))
        #expect(page.items.count == 1)
        let e = page.items[0].event
        #expect(e.title == nil)
        #expect(e.description == "beforeafter")
        #expect(!"\(page.items)".contains("TOPSECRET"))
        #expect(!"\(page.items)".contains("lollol"))
    }

    @Test func itemProblemsCarryFileAndLine() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file(
            "p.xml",
            """
            <Appointments>
              <Appointment id="G1"><start_time>2026-03-02T09:00</start_time></Appointment>
              <Appointment><start_time>2026-03-02T09:00</start_time></Appointment>
              <Appointment id="G3">
                <start_time>March 2nd</start_time>
              </Appointment>
              <Appointment id="G4"><start_time>2026-03-02T11:00</start_time><status>maybe</status></Appointment>
            </Appointments>
            """)
        let (page, _) = try readAll(try connector(plain("p.xml"), s))
        #expect(page.items.map(\.key) == ["G1"])
        #expect(
            page.problems.map(\.description) == [
                "p.xml line 3 column 3: external_id: missing (every row needs an external_id)",
                "G3: start_time: p.xml line 4 column 3: \"March 2nd\" does not match ISO 8601 like 2026-03-02T09:30 or 2026-03-02 (set formats.start_time to the file's format)",
                "G4: status: p.xml line 7 column 3: \"maybe\" is not a status (confirmed, tentative, cancelled)",
            ])
    }

    @Test func columnsOfItemsSharingALine() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        let line2 =
            "<Appointment id=\"1\"><start_time>2026-03-02T09:00</start_time></Appointment> <Appointment id=\"2\"/>"
        s.file("one.xml", "<Appointments>\n" + line2 + "\n</Appointments>")
        let (page, _) = try readAll(try connector(plain("one.xml"), s))
        #expect(page.items.map(\.key) == ["1"])
        let column = line2.utf8.count - "<Appointment id=\"2\"/>".utf8.count + 1
        #expect(
            page.problems.map(\.description) == [
                "2: start_time: one.xml line 2 column \(column): missing (every row needs a start_time)"
            ])
    }

    @Test(
        arguments: [
            (
                "truncated",
                "<Appointments><Appointment id=\"T1\"><start_time>2026-03-02T09:00</start_time></Appointment>\n<Appointment id=\"T2\"><start_t",
                "xml.parse_failed", "line 2"
            ),
            ("garbage", "\u{1}\u{2}PK\u{3}\u{4} not xml at all", "xml.parse_failed", "line 1"),
            ("html", "<html><body>Service unavailable</body></html>", "xml.unexpected_document", "<html>"),
            ("empty", "", "xml.empty_file", "empty"),
            (
                "mismatch", "<Appointments><Appointment id=\"M1\"></Apointment></Appointments>", "xml.parse_failed",
                "column"
            ),
        ] as [(String, String, String, String)])
    func brokenDocumentsFailTheRead(name: String, text: String, code: String, mentions: String) throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file("\(name).xml", text)
        let error = thrownError { _ = try readAll(try connector(plain("\(name).xml"), s)) }
        let (got, message) = (error?.code.rawValue, error?.message ?? "")
        #expect(got == code, "\(message)")
        #expect(error?.retryable == false)
        #expect(message.contains("\(name).xml"))
        #expect(message.contains(mentions), "\(message)")
    }

    @Test func libxml2PrintsNothingOnItsOwn() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file("bad.xml", "<Appointments><Appointment id=\"1\"></Appointments>")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let saved = dup(2)
        dup2(fds[1], 2)
        let (code, _) = errorCode { _ = try readAll(try connector(plain("bad.xml"), s)) }
        dup2(saved, 2)
        close(fds[1])
        close(saved)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = read(fds[0], &buffer, buffer.count)
        close(fds[0])
        #expect(code == "xml.parse_failed")
        // fd 2 is the whole process's: the test runner's own lines about tests running meanwhile
        // may land in the pipe too. Anything else is libxml2's.
        let runner: Set<Character> = ["◇", "✔", "✘", "↳", "􀟈", "􁁛", "􀢄", "􀄵"]
        let foreign = String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self).split(separator: "\n").filter {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return !line.isEmpty && !runner.contains(line.first!)
        }
        #expect(foreign.isEmpty, "libxml2 wrote to stderr: \(foreign)")
    }

    @Test func sizeLimitAndAllBadItems() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        var big = "<Appointments>"
        while big.utf8.count < (1 << 20) + 10 {
            big += "<Appointment id=\"x\"><Subject>padding padding padding</Subject></Appointment>\n"
        }
        s.file("big.xml", big + "</Appointments>")
        var settings = plain("big.xml")
        settings["max_size_mb"] = .integer(1)
        #expect(errorCode { _ = try readAll(try connector(settings, s)) }.0 == "xml.too_large")
        // Under a larger limit the same file is well-formed but no item has a start: the read fails.
        settings["max_size_mb"] = .integer(2)
        let (code, message) = errorCode { _ = try readAll(try connector(settings, s)) }
        #expect(code == "xml.no_valid_items")
        #expect(message.contains("big.xml line 1 column 15"))
    }

    @Test func pagesResumeFromTheToken() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        var text = "<Appointments>\n"
        for i in 0..<12 {
            text +=
                "<Appointment id=\"P\(i)\"><Subject>n\(i)</Subject><start_time>2026-03-02T09:\(10 + i)</start_time></Appointment>\n"
        }
        s.file("p.xml", text + "</Appointments>\n")
        let c = try connector(plain("p.xml"), s, pageSize: 5)
        let (all, pages) = try readAll(c)
        #expect(pages == 3)
        #expect(all.items.map(\.key) == (0..<12).map { "P\($0)" })
        let first = try c.read(ReadRequest(window: wideWindow))
        let fresh = try connector(plain("p.xml"), s, pageSize: 5)
        let second = try fresh.read(ReadRequest(window: wideWindow, continuation: first.continuation))
        #expect(second.items.map(\.key) == ["P5", "P6", "P7", "P8", "P9"])
        #expect(second.items.map(\.version) == Array(all.items[5..<10].map(\.version)))
    }

    @Test func aFileBeingWrittenIsNotRead() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file(
            "a.xml",
            "<Appointments><Appointment id=\"1\"><start_time>2026-03-02T09:00</start_time></Appointment></Appointments>"
        )
        s.file(".~lock.a.xml#", "lock")
        let busy = thrownError { _ = try readAll(try connector(plain("a.xml"), s)) }
        #expect(busy?.code.rawValue == "xml.file_busy")
        #expect(busy?.retryable == true)
    }

    @Test func testConnectionSaysWhatItFound() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file(
            "a.xml",
            "<Appointments><Appointment id=\"1\"><start_time>2026-03-02T09:00</start_time></Appointment></Appointments>"
        )
        let report = try connector(plain("a.xml"), s).testConnection()
        #expect(report.ok)
        #expect(report.steps.last?.detail == "first 1 <Appointment> item(s): 1 readable, 0 with problems")
        s.file("b.xml", "<Appointments><Appointment id=\"1\">")
        let bad = try connector(plain("b.xml"), s).testConnection()
        #expect(!bad.ok)
        #expect(bad.steps.last?.detail.contains("b.xml line 1 column") == true, "\(bad.steps)")
    }

    @Test func itemsOutsideTheWindowAreSkippedUnmapped() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file(
            "w.xml",
            """
            <Appointments>
              <Appointment id="old"><start_time>2020-01-02T09:00</start_time><end_time>x</end_time></Appointment>
              <Appointment id="in"><start_time>2026-03-02T09:00</start_time></Appointment>
              <Appointment id="bad"><start_time>2026-03-03T09:00</start_time><status>maybe</status></Appointment>
            </Appointments>
            """)
        let march = TimeWindow(start: instant("2026-03-01T06:00:00Z"), end: instant("2026-04-01T05:00:00Z"))
        let page = try readAll(try connector(plain("w.xml"), s), window: march).0
        #expect(page.items.map(\.key) == ["in"])
        #expect(page.problems.map(\.key) == ["bad"])
    }
    /// A mapped element around another mapped element, with text on both sides of it: each gets
    /// its own text, and the version is the one the sink computes from the same values.
    @Test func nestedMappedElementsKeepTheirOwnText() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file(
            "n.xml",
            """
            <Appointments>
              <Appointment id="N1">
                <Client> Doe, <Name>Jane</Name> (new) <Email>j@example.org</Email> <X/> patient </Client>
                <Start>2026-03-02T09:30</Start><Room> 4 </Room>
                <Who><First>Jane</First> <Last>Doe</Last></Who>
              </Appointment>
            </Appointments>
            """)
        let c = try connector(
            [
                "path": .string("n.xml"), "item": .string("/Appointments/Appointment"),
                "fields": .table(
                    ConfigTable([
                        "external_id": .string("@id"), "start_time": .string("Start"), "title": .string("Client"),
                        "participant_0_name": .string("Client/Name"), "participant_0_email": .string("Client/Email"),
                        "location": .string("Who"),
                    ])),
            ], s)
        let page = try readAll(c).0
        #expect(page.problems == [])
        let item = try #require(page.items.first)
        #expect(item.event.title == "Doe,  (new)   patient")
        #expect(item.event.location == "Jane Doe")
        #expect(item.event.participants == [Participant(name: "Jane", email: "j@example.org")])
        #expect(item.event.custom == ["Room": "4"])

        let url = s.url.appendingPathComponent("n.xml")
        let reader = try XMLItemReader(
            url: url, settings: c.settings, source: FileSource(prefix: "xml", path: url, glob: "*", settle: .zero))
        let (values, line) = try #require(try reader.nextValues())
        #expect(line == 2)
        #expect(values.version == item.version)
    }
}
