import AlmanacCore
import Foundation
import Testing

@Suite("Row mapping")
struct RowMapperTests {
    let chicago = TimeZone(identifier: "America/Chicago")!
    var mapper: RowMapper { RowMapper(timeZone: chicago) }

    func item(_ row: [(String, FieldValue)], mapper m: RowMapper? = nil) throws -> SourceItem {
        try (m ?? mapper).map(row, locator: "row 1").get()
    }

    func problem(_ row: [(String, FieldValue)]) -> ItemProblem? {
        if case .failure(let p) = mapper.map(row, locator: "row 7") { return p }
        return nil
    }

    @Test func standardFieldsAndCustomColumns() throws {
        let i = try item([
            ("External_ID", .integer(42)), ("title", .text("Check-up")), ("content", .text("Bring X-rays")),
            ("location", .text("Room 2")), ("start_time", .text("2024-07-01 09:00")),
            ("end_time", .naive(NaiveDateTime(iso: "2024-07-01 09:45")!)), ("status", .text("Canceled")),
            ("participant_0_name", .text("Ada")), ("participant_0_email", .text("ada@example.org")),
            ("participant_0_phone_home", .text("555-1")), ("participant_0_phone_mobile", .text("555-2")),
            ("participant_0_response", .text("accepted")), ("participant_1_name", .text("Dr. Who")),
            ("appt_type", .text("hygiene")), ("room_id", .integer(3)), ("notes", .null),
        ])
        #expect(i.key == "42")
        #expect(i.event.title == "Check-up" && i.event.description == "Bring X-rays" && i.event.location == "Room 2")
        #expect(i.event.start == .instant(NaiveDateTimeTests.utc("2024-07-01T14:00:00Z"), timeZone: "America/Chicago"))
        #expect(i.event.end == .instant(NaiveDateTimeTests.utc("2024-07-01T14:45:00Z"), timeZone: "America/Chicago"))
        #expect(i.event.status == .cancelled)
        #expect(i.event.participants.count == 2)
        #expect(i.event.participants[0].phone() == "555-2")
        #expect(i.event.participants[0].phone(priority: [.home, .mobile]) == "555-1")
        #expect(i.event.participants[0].response == .accepted)
        #expect(i.event.participants[1].name == "Dr. Who")
        #expect(i.event.custom == ["appt_type": "hygiene", "room_id": "3"])
        #expect(i.version?.count == 16)
    }

    @Test func versionFollowsTheRowsValues() throws {
        let a = try item([("external_id", .text("1")), ("start_time", .text("2024-07-01 09:00")), ("x", .text("a"))])
        let b = try item([("external_id", .text("1")), ("start_time", .text("2024-07-01 09:00")), ("x", .text("b"))])
        let a2 = try item([("external_id", .text("1")), ("start_time", .text("2024-07-01 09:00")), ("x", .text("a"))])
        #expect(a.version != b.version)
        #expect(a.version == a2.version)
    }

    @Test func allDayEvents() throws {
        let byDate = try item([("external_id", .text("d")), ("start_time", .date(CivilDate(iso: "2024-03-10")!))])
        #expect(byDate.event.start == .allDay(CivilDate(iso: "2024-03-10")!))
        #expect(byDate.event.end == .allDay(CivilDate(iso: "2024-03-11")!))
        let byFlag = try item([
            ("external_id", .text("f")), ("all_day", .text("yes")), ("start_time", .text("2024-03-10 00:00")),
            ("end_time", .text("2024-03-12")),
        ])
        #expect(byFlag.event.start == .allDay(CivilDate(iso: "2024-03-10")!))
        #expect(byFlag.event.end == .allDay(CivilDate(iso: "2024-03-12")!))
    }

    @Test func isoWithOffsetIsAnInstant() throws {
        let i = try item([("external_id", .text("o")), ("start_time", .text("2024-03-10T02:30:00+01:00"))])
        #expect(i.event.start == .instant(NaiveDateTimeTests.utc("2024-03-10T01:30:00Z"), timeZone: "America/Chicago"))
        let z = try item([("external_id", .text("z")), ("start_time", .text("2024-03-10T02:30:00Z"))])
        #expect(z.event.start == .instant(NaiveDateTimeTests.utc("2024-03-10T02:30:00Z"), timeZone: "America/Chicago"))
    }

    @Test func perColumnFormats() throws {
        let m = RowMapper(timeZone: chicago, formats: ["Start_Time": "dd/MM/yyyy HH:mm"])
        let i = try item([("external_id", .text("x")), ("start_time", .text("10/03/2024 02:30"))], mapper: m)
        #expect(i.event.start == .instant(NaiveDateTimeTests.utc("2024-03-10T08:30:00Z"), timeZone: "America/Chicago"))
    }

    @Test func badRowsNameKeyAndColumn() {
        #expect(problem([("title", .text("x")), ("start_time", .text("2024-07-01 09:00"))])
            == ItemProblem(key: "row 7", field: "external_id", reason: "missing (every row needs an external_id)"))
        #expect(problem([("external_id", .text("5")), ("start_time", .null)])
            == ItemProblem(key: "5", field: "start_time", reason: "missing"))
        #expect(problem([("external_id", .text("5")), ("start_time", .text("next tuesday"))])
            == ItemProblem(key: "5", field: "start_time", reason: "cannot read \"next tuesday\" as a date or date-time"))
        #expect(problem([("external_id", .text("5")), ("start_time", .text("2024-07-01 09:00")),
                         ("end_time", .text("2024-07-01 08:00"))])?.field == "end_time")
        #expect(problem([("external_id", .text("5")), ("start_time", .text("2024-07-01 09:00")),
                         ("status", .text("maybe"))])?.field == "status")
        #expect(problem([("external_id", .text("5")), ("start_time", .text("2024-07-01 09:00")),
                         ("all_day", .text("perhaps"))])?.field == "all_day")
    }
}
