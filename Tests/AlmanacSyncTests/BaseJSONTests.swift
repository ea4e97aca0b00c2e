import AlmanacCore
import Foundation
import Testing

@testable import AlmanacSync

/// The base written by hand reads back as the same event, in the bytes `JSONEncoder` writes.
@Suite struct BaseJSONTests {
    static let events: [Event] = [
        Event(start: .allDay(CivilDate(year: 2026, month: 3, day: 2))),
        Event(
            title: "Visit \"A\" / B\\C\n\ttab é 🎉 \u{1}", description: "", location: "Room 1",
            start: .instant(Date(timeIntervalSince1970: 1_800_000_000), timeZone: "America/Chicago"),
            end: .instant(Date(timeIntervalSince1970: 1_800_001_800.25), timeZone: nil), status: .tentative,
            participants: [
                Participant(name: "Ann", email: "ann@example.org", phones: [.mobile: "+1 555"], response: .accepted),
                Participant(),
            ],
            custom: ["b": "2", "a": "1"], created: Date(timeIntervalSince1970: -5.5),
            updated: Date(timeIntervalSinceReferenceDate: 0.1 + 0.2),
            recurrence: RecurrenceInstance(
                seriesKey: "s1", originalStart: .allDay(CivilDate(year: 1999, month: 12, day: 31))),
            origin: "0123abcd"),
        Contact(
            givenName: "Ann", familyName: "Lee \"/\"", emails: [ContactEmail("ann@example.org", kind: .work)],
            phones: [ContactPhone("+14155550101", kind: .mobile)], address: PostalAddress(city: "Springfield"),
            birthday: CivilDate(year: 1980, month: 2, day: 29), groups: ["Google Sync"], custom: ["b": "2", "a": "1"],
            updated: Date(timeIntervalSinceReferenceDate: 12.5)
        ).envelope(origin: "abc"),
    ]

    @Test(arguments: events)
    func readsBackAndMatchesJSONEncoder(event: Event) throws {
        let data = BaseJSON.encode(event)
        #expect(try JSONDecoder().decode(Event.self, from: data) == event)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: data, as: UTF8.self) == String(decoding: try encoder.encode(event), as: UTF8.self))
    }

    @Test func phonesOfEveryKindReadBack() throws {
        let p = Participant(name: "Bo", phones: [.work: "3", .home: "2", .mobile: "1", .other: "4"])
        let event = Event(start: .allDay(CivilDate(year: 2026, month: 1, day: 1)), participants: [p])
        #expect(try JSONDecoder().decode(Event.self, from: BaseJSON.encode(event)) == event)
    }
}
