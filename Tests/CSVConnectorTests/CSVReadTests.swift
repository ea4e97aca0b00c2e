import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

@Suite struct CSVReadTests {
    func connector(_ settings: [String: ConfigValue], _ s: Scratch, pageSize: Int = 5000) throws -> CSVConnector {
        let ctx = fileConnectorContext(settings, dir: s.url)
        return CSVConnector(
            settings: try CSVSettings(ctx), side: .from, capabilities: [.read, .write, .delete],
            logger: ctx.logger, pageSize: pageSize)
    }

    @Test func excelExportWithBOMCRLFAndQuotedNewlines() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        let text =
            "\"Appt ID\";\"Subject\";\"Notes\";\"Start\";\"End\";\"Patient\";\"Mobile\";\"Type\"\r\n"
            + "A-1;\"Check-up\";\"Line one\r\nLine \"\"two\"\"\";02/03/2026 09:30;02/03/2026 10:00;\"Doe, Jane\";555-0101;new\r\n"
            + "A-2;Cleaning;;03/03/2026 14:00;03/03/2026 14:45;Roe;;recall\r\n"
        s.file("export.csv", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let c = try connector(
            [
                "path": .string("export.csv"), "delimiter": .string(";"),
                "columns": .table(
                    ConfigTable([
                        "external_id": .string("Appt ID"), "title": .string("Subject"), "content": .string("Notes"),
                        "start_time": .string("Start"), "end_time": .string("End"),
                        "participant_0_name": .string("Patient"),
                        "participant_0_phone_mobile": .string("Mobile"),
                    ])),
                "formats": .table(
                    ConfigTable(["start_time": .string("dd/MM/yyyy HH:mm"), "end_time": .string("dd/MM/yyyy HH:mm")])),
            ], s)
        let (page, _) = try readAll(c)
        #expect(page.problems == [])
        #expect(page.items.map(\.key) == ["A-1", "A-2"])
        let a1 = page.items[0].event
        #expect(a1.title == "Check-up")
        #expect(a1.description == "Line one\r\nLine \"two\"")
        #expect(a1.start == .instant(instant("2026-03-02T15:30:00Z"), timeZone: "America/Chicago"))
        #expect(a1.end == .instant(instant("2026-03-02T16:00:00Z"), timeZone: "America/Chicago"))
        #expect(a1.participants == [Participant(name: "Doe, Jane", phones: [.mobile: "555-0101"])])
        #expect(a1.custom == ["Type": "new"])
        #expect(page.items[1].event.description == nil)
        #expect(page.items[1].event.custom == ["Type": "recall"])
        #expect(page.coverage == .complete(wideWindow))
    }

    @Test func windows1252File() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        let bytes: [UInt8] =
            Array("external_id,title,location,start_time\r\n".utf8)
            + Array("W1,Caf".utf8) + [0xE9, 0x20, 0x80, 0x20, 0x93] + Array("ok".utf8) + [0x94]
            + Array(",M".utf8) + [0xFC] + Array("nchen,2026-03-02T09:00\r\n".utf8)
        s.file("w.csv", bytes)
        let c = try connector(["path": .string("w.csv"), "encoding": .string("windows-1252")], s)
        let (page, _) = try readAll(c)
        #expect(page.items.first?.event.title == "Café € “ok”")
        #expect(page.items.first?.event.location == "München")

        // Read as UTF-8 by mistake: every row is a problem, and the read fails rather than list nothing.
        let wrong = try connector(["path": .string("w.csv")], s)
        let (code, message) = errorCode { _ = try readAll(wrong) }
        #expect(code == "csv.no_valid_rows")
        #expect(message.contains("w.csv line 2"))
        #expect(message.contains("encoding"))
    }

    @Test func malformedLinesAreProblemsWithFileAndLine() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file(
            "bad.csv",
            """
            external_id,title,start_time
            B1,Good,2026-03-02T09:00
            B2,"Bad" quote,2026-03-02T10:00
            B3,Too,many,2026-03-02T11:00
            B4,Bad date,2026-13-40
            ,No id,2026-03-02T12:00
            B6,"multi
            line",2026-03-02T13:00
            B7,After,2026-03-02T14:00
            B8,Late,not a date

            """)
        let (page, _) = try readAll(try connector(["path": .string("bad.csv")], s))
        #expect(page.items.map(\.key) == ["B1", "B6", "B7"])
        #expect(page.items[1].event.title == "multi\nline")
        let problems = page.problems.map(\.description)
        #expect(problems.count == 5)
        #expect(problems[0] == "bad.csv line 3: text after the closing quote of field 2")
        #expect(problems[1].hasPrefix("bad.csv line 4: 4 fields where the header has 3"))
        #expect(problems[2].hasPrefix("B4: start_time: bad.csv line 5: \"2026-13-40\" does not match ISO 8601"))
        #expect(problems[3] == "bad.csv line 6: external_id: missing (every row needs an external_id)")
        #expect(problems[4].hasPrefix("B8: start_time: bad.csv line 10:"))
    }

    @Test(
        arguments: [
            (
                "truncated", Array("external_id,title,start_time\nC1,\"never closed,2026-03-02T09:00\n".utf8),
                "csv.truncated"
            ),
            (
                "png",
                [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52],
                "csv.not_csv"
            ),
            (
                "prose", Array("Dear customer,\nthis is not the export you are looking for.\n".utf8),
                "csv.column_missing"
            ),
            ("empty", [], "csv.empty_file"),
            ("utf16", [0xFF, 0xFE, 0x65, 0x00, 0x78, 0x00], "csv.not_csv"),
        ] as [(String, [UInt8], String)])
    func brokenFilesFailTheRead(name: String, bytes: [UInt8], code: String) throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file("\(name).csv", bytes)
        let c = try connector(["path": .string("\(name).csv")], s)
        let error = thrownError { _ = try readAll(c) }
        #expect(error?.code.rawValue == code, "\(String(describing: error))")
        #expect(error?.message.contains("\(name).csv") == true)
        #expect(error?.retryable == false)  // a broken file stays broken until someone replaces it
    }

    @Test func headerOnlyIsALegitimateEmptyListing() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file("none.csv", "external_id,title,start_time\r\n")
        let (page, _) = try readAll(try connector(["path": .string("none.csv")], s))
        #expect(page.items.isEmpty)
        #expect(page.coverage == .complete(wideWindow))
    }

    @Test func missingPathAndEmptyDirectoryFail() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        #expect(errorCode { _ = try readAll(try connector(["path": .string("nope.csv")], s)) }.0 == "csv.path_missing")
        try FileManager.default.createDirectory(
            at: s.url.appendingPathComponent("drop"), withIntermediateDirectories: true)
        s.file("drop/readme.txt", "x")
        #expect(errorCode { _ = try readAll(try connector(["path": .string("drop")], s)) }.0 == "csv.no_files")
    }

    @Test func directoryWithGlobSkipsHiddenAndPartialFiles() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        try FileManager.default.createDirectory(
            at: s.url.appendingPathComponent("drop"), withIntermediateDirectories: true)
        s.file("drop/b.csv", "external_id,start_time\nB,2026-03-02T09:00\n")
        s.file("drop/a.csv", "external_id,start_time\nA,2026-03-02T09:00\n")
        s.file("drop/.c.csv", "external_id,start_time\nC,2026-03-02T09:00\n")
        s.file("drop/d.csv.part", "external_id,start_time\nD,2026-03-02T09:00\n")
        s.file("drop/notes.txt", "hello")
        let (page, _) = try readAll(try connector(["path": .string("drop")], s))
        #expect(page.items.map(\.key) == ["A", "B"])
    }

    @Test func aFileBeingWrittenIsNotRead() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file("export.csv", "external_id,start_time\nA,2026-03-02T09:00\n")
        s.file("export.csv.tmp", "external_id,start_time\nA,2026-03-02T09:00\nB,")
        let busy = thrownError { _ = try readAll(try connector(["path": .string("export.csv")], s)) }
        #expect(busy?.code.rawValue == "csv.file_busy")
        #expect(busy?.message.contains("export.csv.tmp") == true)
        #expect(busy?.retryable == true)  // the run fails now, a later one reads the file
        try FileManager.default.removeItem(at: s.url.appendingPathComponent("export.csv.tmp"))
        #expect(try readAll(try connector(["path": .string("export.csv")], s)).0.items.count == 1)
    }

    @Test func aFileChangingBetweenPagesFailsTheListing() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        var text = "external_id,start_time\n"
        for i in 0..<6 { text += "R\(i),2026-03-02T09:0\(i)\n" }
        let url = s.file("grow.csv", text)
        let c = try connector(["path": .string("grow.csv")], s, pageSize: 2)
        let first = try c.read(ReadRequest(window: wideWindow))
        #expect(first.items.count == 2)
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: Data("R9,2026-03-02T10:00\n".utf8))
        try h.close()
        let busy = thrownError { _ = try c.read(ReadRequest(window: wideWindow, continuation: first.continuation)) }
        #expect(busy?.code.rawValue == "csv.file_busy")
        #expect(busy?.retryable == true)
        // Resumed from the token by a new connector: the file is no longer the one listed.
        let fresh = try connector(["path": .string("grow.csv")], s, pageSize: 2)
        let again = thrownError {
            _ = try fresh.read(ReadRequest(window: wideWindow, continuation: first.continuation))
        }
        #expect(again?.code.rawValue == "csv.file_busy")
        #expect(again?.retryable == true)
    }

    @Test func aFreshFileIsReadOnlyOnceSettled() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        let url = s.url.appendingPathComponent("fresh.csv")
        try Data("external_id,start_time\nA,2026-03-02T09:00\n".utf8).write(to: url)
        let started = Date()
        let page = try readAll(try connector(["path": .string("fresh.csv"), "settle": .string("1s")], s)).0
        #expect(page.items.count == 1)
        #expect(Date().timeIntervalSince(started) > 0.5)

        try Data("external_id,start_time\nA,2026-03-02T09:00\n".utf8).write(to: url)
        let writer = Thread {
            usleep(200_000)
            try? Data("external_id,start_time\nA,2026-03-02T09:00\nB,2026-03-02T10:00\n".utf8).write(to: url)
        }
        writer.start()
        let busy = thrownError {
            _ = try readAll(try connector(["path": .string("fresh.csv"), "settle": .string("1s")], s))
        }
        #expect(busy?.code.rawValue == "csv.file_busy")
        #expect(busy?.retryable == true)
    }

    @Test func pagesResumeInMemoryAndFromTheToken() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        var text = "external_id,title,start_time\r\n"
        for i in 0..<12 { text += "P\(i),\"Item, \(i)\",2026-03-02T09:\(10 + i)\r\n" }
        s.file("p.csv", text)
        let c = try connector(["path": .string("p.csv")], s, pageSize: 5)
        let (all, pages) = try readAll(c)
        #expect(pages == 3)
        #expect(all.items.map(\.key) == (0..<12).map { "P\($0)" })

        let first = try c.read(ReadRequest(window: wideWindow))
        let fresh = try connector(["path": .string("p.csv")], s, pageSize: 5)
        let second = try fresh.read(ReadRequest(window: wideWindow, continuation: first.continuation))
        #expect(second.items.map(\.key) == ["P5", "P6", "P7", "P8", "P9"])
        #expect(second.items.map(\.version) == Array(all.items[5..<10].map(\.version)))
    }

    @Test func windowFiltersAndVersionsFollowContent() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file(
            "v.csv",
            "external_id,title,start_time\nV1,a,2026-03-02T09:00\nV2,b,2026-04-02T09:00\nV3,c,2026-03-03T09:00\n")
        let march = TimeWindow(start: instant("2026-03-01T06:00:00Z"), end: instant("2026-04-01T05:00:00Z"))
        let c = try connector(["path": .string("v.csv")], s)
        let one = try readAll(c, window: march).0
        #expect(one.items.map(\.key) == ["V1", "V3"])
        #expect(one.coverage == .complete(march))
        #expect(try readAll(c, window: march).0.items.map(\.version) == one.items.map(\.version))
        s.file(
            "v.csv",
            "external_id,title,start_time\nV1,a,2026-03-02T09:00\nV2,b,2026-04-02T09:00\nV3,changed,2026-03-03T09:00\n")
        let two = try readAll(c, window: march).0
        #expect(two.items[0].version == one.items[0].version)
        #expect(two.items[1].version != one.items[1].version)
    }

    @Test func naiveTimesUseTheProfileZoneAcrossDSTChanges() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file(
            "dst.csv",
            """
            external_id,start_time,end_time,all_day
            gap,2026-03-08T02:30,,
            overlap,2026-11-01 01:30:00,,
            utc,2026-03-02T09:00:00Z,2026-03-02T10:30:00+01:00,
            day,2026-03-02,,
            days,2026-03-02,2026-03-04,yes

            """)
        let items = try readAll(try connector(["path": .string("dst.csv")], s)).0.items
        let byKey = Dictionary(uniqueKeysWithValues: items.map { ($0.key, $0.event) })
        #expect(byKey["gap"]?.start == .instant(instant("2026-03-08T08:30:00Z"), timeZone: "America/Chicago"))
        #expect(byKey["overlap"]?.start == .instant(instant("2026-11-01T06:30:00Z"), timeZone: "America/Chicago"))
        #expect(byKey["utc"]?.start == .instant(instant("2026-03-02T09:00:00Z"), timeZone: "America/Chicago"))
        #expect(byKey["utc"]?.end == .instant(instant("2026-03-02T09:30:00Z"), timeZone: "America/Chicago"))
        #expect(byKey["day"]?.start == .allDay(CivilDate(year: 2026, month: 3, day: 2)))
        #expect(byKey["day"]?.end == .allDay(CivilDate(year: 2026, month: 3, day: 3)))
        #expect(byKey["days"]?.end == .allDay(CivilDate(year: 2026, month: 3, day: 4)))
    }

    @Test func noHeaderMapsColumnsByNumber() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file("n.tsv", "x\tN1\tTabbed\t2026-03-02T09:00\ny\tN2\tTwo\t2026-03-02T10:00\n")
        let c = try connector(
            [
                "path": .string("n.tsv"), "header": .bool(false), "delimiter": .string("tab"),
                "columns": .table(
                    ConfigTable(["external_id": .string("2"), "title": .string("3"), "start_time": .string("4")])),
            ], s)
        let items = try readAll(c).0.items
        #expect(items.map(\.key) == ["N1", "N2"])
        #expect(items[0].event.title == "Tabbed")
        #expect(items[0].event.custom.isEmpty)
    }

    @Test func participantsStatusAndCustomColumns() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file(
            "p.csv",
            """
            external_id,start_time,status,participant_0_name,participant_0_email,participant_1_name,participant_1_phone_work,Room
            S1,2026-03-02T09:00,Cancelled,Ann,ann@example.com,Bob,555-2,12

            """)
        let e = try readAll(try connector(["path": .string("p.csv")], s)).0.items[0].event
        #expect(e.status == .cancelled)
        #expect(
            e.participants == [
                Participant(name: "Ann", email: "ann@example.com"),
                Participant(name: "Bob", phones: [.work: "555-2"]),
            ])
        #expect(e.custom == ["Room": "12"])
    }

    @Test func testConnectionSaysWhatItFound() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file("ok.csv", "Appt ID,start_time,Room\nA,2026-03-02T09:00,4\nB,never,5\n")
        let good = try connector(
            [
                "path": .string("ok.csv"),
                "columns": .table(ConfigTable(["external_id": .string("Appt ID")])),
            ], s)
        let report = good.testConnection()
        #expect(report.steps.map(\.name) == ["files", "header", "rows"])
        #expect(report.steps[1].detail == "Appt ID→external_id, start_time→start_time, Room→Room")
        #expect(
            report.steps[2].detail.hasPrefix(
                "first 2 row(s): 1 readable, 1 with problems (first: B: start_time: ok.csv line 3:"))
        #expect(report.ok)

        s.file("other.csv", "Invoice;Amount\n1;20\n")
        let bad = try connector(["path": .string("other.csv")], s).testConnection()
        #expect(!bad.ok)
        #expect(bad.steps.last?.detail.contains("no column for external_id; the header is \"Invoice;Amount\"") == true)
    }

    @Test func rowsOutsideTheWindowAreSkippedUnmapped() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file(
            "w.csv",
            """
            external_id,title,start_time,end_time,all_day
            old,Old,2020-01-02T09:00,not a date,
            edge,Edge,2026-02-28T23:30,,
            day,Day,2026-03-01,,true
            in,In,2026-03-02T09:00,2026-03-02T10:00,
            bad,Bad,2026-03-03T09:00,nope,
            late,Late,2027-01-01T09:00,,

            """)
        let march = TimeWindow(start: instant("2026-03-01T06:00:00Z"), end: instant("2026-04-01T05:00:00Z"))
        let page = try readAll(try connector(["path": .string("w.csv")], s), window: march).0
        #expect(page.items.map(\.key) == ["day", "in"])
        #expect(page.problems.map(\.key) == ["bad"])
        let before = TimeWindow(start: instant("2019-01-01T00:00:00Z"), end: instant("2019-02-01T00:00:00Z"))
        let none = try readAll(try connector(["path": .string("w.csv")], s), window: before).0
        #expect(none.items.isEmpty && none.problems.isEmpty)
    }
}
