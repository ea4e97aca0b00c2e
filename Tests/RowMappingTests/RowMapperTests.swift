import AlmanacCore
import Foundation
import RowMapping
import Testing

/// `RowMapper` (csv and xml rows) applies the shared rules: all-day ends, end before start,
/// participants with their responses and phones, the flag truth table.
@Suite(.timeLimit(.minutes(10))) struct RowMapperTests {
    let mapper = RowMapper(timeZone: TimeZone(identifier: "America/Chicago")!)
    let fields: [StandardField] = [
        .externalID, .startTime, .endTime, .allDay, .participant(1, .response), .participant(1, .phone),
        .participant(1, .phoneWork),
    ]

    func map(_ values: [String?]) -> RowMapper.Outcome {
        mapper.map(fields: fields, values: values, locator: "f.csv line 2")
    }

    func event(_ values: [String?]) -> Event? {
        if case .item(_, let e) = map(values) { return e }
        return nil
    }

    func problem(_ values: [String?]) -> ItemProblem? {
        if case .problem(let p) = map(values) { return p }
        return nil
    }

    @Test func allDayEnds() {
        let d = { CivilDate(year: 2026, month: 3, day: $0) }
        #expect(event(["a", "2026-03-02", nil, "yes", nil, nil, nil])?.end == .allDay(d(3)))
        #expect(event(["a", "2026-03-02", "2026-03-02", "-1", nil, nil, nil])?.end == .allDay(d(3)))
        #expect(event(["a", "2026-03-02", "2026-03-04", "x", nil, nil, nil])?.end == .allDay(d(4)))
        let p = problem(["a", "2026-03-02", "2026-03-01", "true", nil, nil, nil])
        #expect(p?.field == "end_time")
        #expect(p?.reason == "f.csv line 2: \"2026-03-01\" is before start_time \"2026-03-02\"")
    }

    @Test func timedEnds() {
        #expect(event(["a", "2026-03-02T10:00", "2026-03-02T10:00", "no", nil, nil, nil])?.end != nil)
        let p = problem(["a", "2026-03-02T10:00", "2026-03-02T09:59", "0", nil, nil, nil])
        #expect(p?.reason == "f.csv line 2: \"2026-03-02T09:59\" is before start_time \"2026-03-02T10:00\"")
        let flag = problem(["a", "2026-03-02T10:00", nil, "maybe", nil, nil, nil])
        #expect(flag?.reason == "f.csv line 2: \"maybe\" is not a boolean (1/0, true/false, t/f, yes/no, y/n)")
    }

    @Test func participantsTakeResponsesAndPhones() {
        let e = event(["a", "2026-03-02T10:00", nil, nil, "Accepted", "555-0", "555-9"])
        #expect(e?.participants.count == 1)
        #expect(e?.participants.first?.response == .accepted)
        #expect(e?.participants.first?.phones == [.other: "555-0", .work: "555-9"])
        #expect(e?.participants.first?.phone() == "555-9")
        let p = problem(["a", "2026-03-02T10:00", nil, nil, "perhaps", nil, nil])
        #expect(p?.field == "participant_1_response")
        #expect(p?.reason == "f.csv line 2: \"perhaps\" is not one of needs_action, accepted, declined, tentative")
    }

    @Test func participantsAreOrderedByNumberWhateverTheColumnOrder() {
        let fields: [StandardField] = [
            .externalID, .startTime, .participant(3, .name), .participant(1, .email), .participant(3, .response),
            .participant(0, .name),
        ]
        let outcome = mapper.map(
            fields: fields, values: ["a", "2026-03-02T10:00", "Ann", "bo@example.org", "declined", ""],
            locator: "f.csv line 2")
        guard case .item(_, let e) = outcome else {
            Issue.record("not mapped: \(outcome)")
            return
        }
        #expect(e.participants.map(\.email) == ["bo@example.org", nil])
        #expect(e.participants.map(\.name) == [nil, "Ann"])
        #expect(e.participants.map(\.response) == [.needsAction, .declined])
    }

    /// Custom fields come from a template per shape of row: rows of other shapes, values missing,
    /// and two columns of one name must read exactly as setting each value in column order would.
    @Test func customFieldsWhateverTheShapeOfTheRow() {
        let mapper = RowMapper(timeZone: TimeZone(identifier: "America/Chicago")!)
        func custom(_ fields: [StandardField], _ values: [String?]) -> [String: String]? {
            guard case .item(_, let e) = mapper.map(fields: fields, values: values, locator: "f.csv line 2") else {
                return nil
            }
            return e.custom
        }
        let two: [StandardField] = [.externalID, .startTime, .custom("Room"), .custom("Kind")]
        let start = "2026-03-02T10:00"
        #expect(custom(two, ["a", start, "R1", "checkup"]) == ["Room": "R1", "Kind": "checkup"])
        #expect(custom(two, ["b", start, "R2", "xray"]) == ["Room": "R2", "Kind": "xray"])
        #expect(custom(two, ["c", start, nil, "xray"]) == ["Kind": "xray"])
        #expect(custom(two, ["d", start, "", ""]) == [:])
        let moved: [StandardField] = [.externalID, .custom("Kind"), .startTime, .custom("Room")]
        #expect(custom(moved, ["e", "consult", start, "R3"]) == ["Room": "R3", "Kind": "consult"])
        #expect(custom(two, ["f", start, "R4", "cleaning"]) == ["Room": "R4", "Kind": "cleaning"])
        let renamed: [StandardField] = [.externalID, .startTime, .custom("Room"), .custom("Type")]
        #expect(custom(renamed, ["g", start, "R5", "x"]) == ["Room": "R5", "Type": "x"])
        let twice: [StandardField] = [.externalID, .startTime, .custom("Room"), .custom("Room")]
        #expect(custom(twice, ["h", start, "R6", "R7"]) == ["Room": "R7"])
        #expect(custom(twice, ["i", start, "R6", nil]) == ["Room": "R6"])
        #expect(custom(twice, ["j", start, nil, "R7"]) == ["Room": "R7"])
        #expect(custom(twice, ["k", start, nil, nil]) == [:])
    }
}
