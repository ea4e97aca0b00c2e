import AlmanacCore
import Foundation
import Testing

@testable import GoogleCalendarConnector

@Suite("google event JSON writer")
struct GoogleEventWriterTests {
    @Test func decodesBackToTheSameResource() throws {
        let event = Event(
            title: "Quote \" back\\slash\nnewline\u{01}", description: "é ünïcode 🗓", location: "Room 1",
            start: .instant(Date(timeIntervalSince1970: 1_800_000_000), timeZone: "Europe/Paris"),
            end: .instant(Date(timeIntervalSince1970: 1_800_003_600), timeZone: "Europe/Paris"),
            participants: [
                Participant(
                    name: "Ann", email: "ann@example.org", phones: [.mobile: "+1555"],
                    response: .accepted)
            ],
            custom: ["appt_type": "checkup"],
            recurrence: RecurrenceInstance(
                seriesKey: "series1", originalStart: .allDay(CivilDate(year: 2027, month: 1, day: 2))))
        let resource = GoogleMapping.resource(event, id: "abcdef012", origin: "origin1", zone: .gmt)
        let decoded = try JSONDecoder().decode(GoogleEventResource.self, from: GoogleEventWriter.data(resource))
        #expect(decoded == resource)
        #expect(
            try JSONDecoder().decode(GoogleEventResource.self, from: GoogleEventWriter.data(GoogleEventResource()))
                == GoogleEventResource())
    }
}
