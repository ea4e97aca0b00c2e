import AlmanacCore
import Foundation
import Testing

@testable import ExecConnector

/// The protocol's JSON: the hand-written parser, the event's JSON form, RFC 3339 times.
@Suite(.timeLimit(.minutes(10)))
struct ExecProtocolTests {
    @Test func theParserReadsWhatJSONAllows() throws {
        let v = try JSONParser.parse(
            #" {"a": [1, -2, 3.5, 1e3, true, false, null], "s": "x\"y\\z\/\n\t\u00e9\ud83d\ude00", "o": {}} "#)
        let o = try #require(v.object)
        #expect(o["a"] == .array([.int(1), .int(-2), .double(3.5), .double(1000), .bool(true), .bool(false), .null]))
        #expect(o.string("s") == "x\"y\\z/\n\té😀")
        #expect(o["o"] == .object(JSONObject()))
        #expect(o.keys == ["a", "s", "o"])
    }

    @Test(arguments: [
        ("", "unexpected end"), ("{", "expected a member name"), ("{\"a\" 1}", "expected ':'"),
        ("[1,]", "unexpected character"), ("\"abc", "unterminated string"), ("{\"a\":1} x", "text after the value"),
        ("\"a\u{01}\"", "control character in a string"), ("\"\\q\"", "unknown escape"), ("-", "malformed number"),
        ("\"\\ud800\"", "unpaired surrogate"), (String(repeating: "[", count: 65), "nesting deeper than 64"),
    ])
    func theParserRefusesWhatJSONDoesNot(_ text: String, _ reason: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.reason == reason, "\(text)")
        }
    }

    @Test func anEventSurvivesItsJSONForm() throws {
        let event = Event(
            title: "Check-up \"A\"", description: "line 1\nline 2", location: "Room 3",
            start: .instant(Date(timeIntervalSince1970: 1_796_000_400), timeZone: "Europe/Vienna"),
            end: .instant(Date(timeIntervalSince1970: 1_796_002_200), timeZone: nil), status: .tentative,
            participants: [
                Participant(
                    name: "Ann", email: "ann@example.org", phones: [.mobile: "+43 1", .work: "2"], response: .accepted),
                Participant(name: "Bob"),
            ],
            custom: ["appt_type": "follow-up", "room": "3"], created: Date(timeIntervalSince1970: 1_700_000_000),
            updated: Date(timeIntervalSince1970: 1_700_000_060),
            recurrence: RecurrenceInstance(
                seriesKey: "S1", originalStart: .allDay(CivilDate(year: 2026, month: 12, day: 3))),
            origin: "almanac:abc")
        let text = EventJSON.json(event).text
        #expect(text.contains(#""start":{"date_time":"2026-11-30T01:00:00Z","time_zone":"Europe/Vienna"}"#), "\(text)")
        #expect(text.contains(#""status":"tentative""#))
        #expect(text.contains(#""original_start":{"date":"2026-12-03"}"#))
        #expect(try EventJSON.event(JSONParser.parse(text)) == event)
        let allDay = Event(
            start: .allDay(CivilDate(year: 2026, month: 12, day: 24)),
            end: .allDay(CivilDate(year: 2026, month: 12, day: 25)))
        #expect(EventJSON.json(allDay).text == #"{"start":{"date":"2026-12-24"},"end":{"date":"2026-12-25"}}"#)
        #expect(try EventJSON.event(JSONParser.parse(EventJSON.json(allDay).text)) == allDay)
    }

    @Test func aBadEventNamesItsField() throws {
        for (text, field) in [
            (#"{"title":"x"}"#, "start"), (#"{"start":{"date_time":"2026-12-03 09:00"}}"#, "start"),
            (#"{"start":{"date":"2026-02-30"}}"#, "start"),
            (#"{"start":{"date":"2026-02-03"},"status":"maybe"}"#, "status"),
            (#"{"start":{"date":"2026-02-03"},"custom":{"a":1}}"#, "custom"),
        ] {
            do {
                _ = try EventJSON.event(JSONParser.parse(text))
                Issue.record("accepted \(text)")
            } catch let e as EventJSON.Invalid {
                #expect(e.field == field, "\(text): \(e.reason)")
            }
        }
    }

    @Test func timesAreRFC3339() {
        #expect(RFC3339.date("2026-12-03T10:00:00+01:00") == Date(timeIntervalSince1970: 1_796_288_400))
        #expect(RFC3339.date("2026-12-03T09:00:00.123Z") == Date(timeIntervalSince1970: 1_796_288_400))
        #expect(RFC3339.date("2026-12-03T04:30:00-04:30") == Date(timeIntervalSince1970: 1_796_288_400))
        #expect(RFC3339.string(Date(timeIntervalSince1970: 1_796_288_400.9)) == "2026-12-03T09:00:00Z")
        #expect(RFC3339.string(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        for bad in ["2026-12-03T09:00:00", "2026-12-03", "2026-13-03T09:00:00Z", "2026-12-03T09:00:00+0100", "x"] {
            #expect(RFC3339.date(bad) == nil, "\(bad)")
        }
    }
}
