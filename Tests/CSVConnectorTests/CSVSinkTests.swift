import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

@Suite struct CSVSinkTests {
    func connector(_ settings: [String: ConfigValue], _ s: Scratch) throws -> CSVConnector {
        let ctx = fileConnectorContext(settings, side: .to, dir: s.url)
        return CSVConnector(
            settings: try CSVSettings(ctx), side: .to, capabilities: [.read, .write, .delete],
            logger: ctx.logger)
    }

    let visit = Event(
        title: "Visit, \"first\"", description: "line 1\nline 2", location: "Room 4",
        start: .instant(Date(timeIntervalSince1970: 1_772_465_400), timeZone: "America/Chicago"),
        end: .instant(Date(timeIntervalSince1970: 1_772_467_200), timeZone: "America/Chicago"),
        participants: [Participant(name: "Ann", email: "ann@example.com", phones: [.mobile: "555-1"])],
        custom: ["appt_type": "new"])
    let holiday = Event(
        title: "Closed", start: .allDay(CivilDate(year: 2026, month: 3, day: 9)),
        end: .allDay(CivilDate(year: 2026, month: 3, day: 10)))

    @Test func createsAFileThatReadsBackTheSame() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        let c = try connector(["path": .string("out.csv")], s)
        let outcomes = try c.write([.create(id: "k1", event: visit), .create(id: "k2", event: holiday)])
        let text = try String(contentsOf: s.url.appendingPathComponent("out.csv"), encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n")
        #expect(
            lines[0] == "external_id,title,content,location,start_time,end_time,all_day,status,created,updated,"
                + "participant_0_name,participant_0_email,participant_0_phone_mobile,appt_type")
        #expect(
            lines[1] == "k1,\"Visit, \"\"first\"\"\",\"line 1\nline 2\",Room 4,2026-03-02T09:30:00-06:00,"
                + "2026-03-02T10:00:00-06:00,false,confirmed,,,Ann,ann@example.com,555-1,new")
        #expect(lines[2] == "k2,Closed,,,2026-03-09,2026-03-10,true,confirmed,,,,,,")

        let (page, _) = try readAll(c)
        #expect(page.problems == [])
        #expect(page.items.map(\.event) == [visit, holiday])
        #expect(outcomes == page.items.map { .written(key: $0.key, version: $0.version) })
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.url.path).filter { $0 != "out.csv" }
        #expect(leftovers.isEmpty)
    }

    @Test func updatesAndDeletesCheckVersionsAndKeepForeignRows() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file(
            "book.csv",
            "external_id;title;start_time;Room\nk1;Old;2026-03-02T09:00;7\nbroken;\"x\"y;z\nk2;Two;2026-03-03T09:00;8\n"
        )
        let c = try connector(["path": .string("book.csv"), "delimiter": .string(";")], s)
        let before = try readAll(c).0.items
        #expect(before.map(\.key) == ["k1", "k2"])

        var changed = before[0].event
        changed.title = "New"
        changed.custom = [:]
        let outcomes = try c.write([
            .update(key: "k1", ifVersion: "stale", event: changed),
            .update(key: "k1", ifVersion: before[0].version, event: changed),
            .delete(key: "k2", ifVersion: before[1].version),
            .delete(key: "k3", ifVersion: nil),
            .create(id: "k1", event: holiday),
        ])
        #expect(outcomes[0] == .conflict(current: before[0]))
        guard case .written("k1", let v?) = outcomes[1] else { Issue.record("\(outcomes[1])"); return }
        #expect(outcomes[2] == .written(key: "k2", version: nil))
        #expect(outcomes[3] == .gone)
        guard case .conflict(let current?) = outcomes[4] else { Issue.record("\(outcomes[4])"); return }
        #expect(current.event.title == "Old")

        let text = try String(contentsOf: s.url.appendingPathComponent("book.csv"), encoding: .utf8)
        #expect(
            text == "external_id;title;start_time;Room;all_day;status\n"
                + "k1;New;2026-03-02T09:00:00-06:00;7;false;confirmed\n"
                + "broken;\"x\"y;z\n")
        let after = try readAll(c)
        #expect(after.0.items.map(\.key) == ["k1"])
        #expect(after.0.items[0].version == v)
        #expect(after.0.items[0].event.custom == ["Room": "7"])
        #expect(after.0.problems.count == 1)
    }

    @Test func writesInTheConfiguredEncodingColumnsAndFormats() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        let c = try connector(
            [
                "path": .string("legacy.csv"), "encoding": .string("windows-1252"),
                "columns": .table(ConfigTable(["external_id": .string("ID"), "title": .string("Betreff")])),
                "formats": .table(
                    ConfigTable(["start_time": .string("dd.MM.yyyy HH:mm"), "end_time": .string("dd.MM.yyyy HH:mm")])),
            ], s)
        var e = visit
        e.title = "Café €"
        e.description = nil
        e.participants = []
        e.custom = [:]
        _ = try c.write([.create(id: "x", event: e)])
        let bytes = try [UInt8](Data(contentsOf: s.url.appendingPathComponent("legacy.csv")))
        let expected: [UInt8] =
            Array("ID,Betreff,content,location,start_time,end_time,all_day,status,created,updated\r\nx,Caf".utf8)
            + [0xE9, 0x20, 0x80] + Array(",,Room 4,02.03.2026 09:30,02.03.2026 10:00,false,confirmed,,\r\n".utf8)
        #expect(bytes == expected)
        #expect(try readAll(c).0.items.map(\.event) == [e])
    }

    @Test func aBusyTargetIsNotOverwritten() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file("out.csv", "external_id,start_time\nk1,2026-03-02T09:00\n")
        s.file("~$out.csv", "lock")
        let c = try connector(["path": .string("out.csv")], s)
        #expect(errorCode { _ = try c.write([.create(id: "k2", event: holiday)]) }.0 == "csv.file_busy")
        let text = try String(contentsOf: s.url.appendingPathComponent("out.csv"), encoding: .utf8)
        #expect(text == "external_id,start_time\nk1,2026-03-02T09:00\n")
    }

    @Test func withoutHeaderWritesMappedColumnsAndKeepsLineEnds() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        s.file("pos.csv", "x,k1,Old,2026-03-02T09:00:00-06:00,keep\n")
        let c = try connector(
            [
                "path": .string("pos.csv"), "header": .bool(false),
                "columns": .table(
                    ConfigTable(["external_id": .string("2"), "title": .string("3"), "start_time": .string("4")])),
            ], s)
        let before = try readAll(c).0.items
        var e = before[0].event
        e.title = "New, quoted"
        let out = try c.write([
            .update(key: "k1", ifVersion: before[0].version, event: e),
            .create(id: "k2", event: holiday),
        ])
        let text = try String(contentsOf: s.url.appendingPathComponent("pos.csv"), encoding: .utf8)
        #expect(text == "x,k1,\"New, quoted\",2026-03-02T09:00:00-06:00,keep\n,k2,Closed,2026-03-09\n")
        let after = try readAll(c).0.items
        #expect(out == after.map { .written(key: $0.key, version: $0.version) })
    }

    @Test func aTargetNotWrittenYetIsEmptyButAVanishedOneIsAnError() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        let ctx = fileConnectorContext(["path": .string("new.csv")], side: .to, dir: s.url)
        let c = try CSVModule.make(ctx)
        #expect(try readAll(c).0.items.isEmpty)
        _ = try c.write([.create(id: "k1", event: holiday)])
        #expect(try readAll(c).0.items.map(\.key) == ["k1"])
        try FileManager.default.removeItem(at: s.url.appendingPathComponent("new.csv"))
        let (code, message) = errorCode { _ = try readAll(try CSVModule.make(ctx)) }
        #expect(code == "csv.path_missing")
        #expect(message.contains("was written by this job before and is gone"))
        // As a source, a missing file is always an error.
        let source = try CSVModule.make(fileConnectorContext(["path": .string("other.csv")], dir: s.url))
        #expect(errorCode { _ = try readAll(source) }.0 == "csv.path_missing")
    }
}
