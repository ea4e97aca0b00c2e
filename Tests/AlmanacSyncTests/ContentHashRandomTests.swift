import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import AlmanacSync

/// `ContentProjection.hash` writes each field's bytes itself (no string per value): it must hash
/// exactly the bytes of `value(_:of:)`, field after field, as documented. Seeded random events
/// and projections: text with surrounding white space and non-ASCII, upper-case and non-ASCII
/// e-mail addresses, instants before 1970 and with fractions of a second, all-day dates, missing
/// ends, custom fields with empty values.
@Suite(.timeLimit(.minutes(10))) struct ContentHashRandomTests {
    /// The hash from `value(_:of:)`: each field's tag, its value's UTF-8, a separator; an empty
    /// `recurrence` adds nothing.
    static func reference(_ p: ContentProjection, _ e: Event) -> String {
        var bytes: [UInt8] = []
        for f in p.fields where !(f == .recurrence && p.value(f, of: e).isEmpty) {
            bytes.append(UInt8(truncatingIfNeeded: f.hashValueTag))
            bytes.append(contentsOf: p.value(f, of: e).utf8)
            bytes.append(0x1c)
        }
        return ContentHash.hex(bytes)
    }

    static func text(_ r: inout SeededRandom) -> String? {
        let pieces = ["a", "Q", " ", "\t", "é", "Ä", "€", "🦷", "7", "-", "@", "."]
        switch Int.random(in: 0..<5, using: &r) {
        case 0: return nil
        case 1: return ""
        default:
            return (0..<Int.random(in: 1...24, using: &r)).map { _ in pieces.randomElement(using: &r)! }.joined()
        }
    }

    static func time(_ r: inout SeededRandom) -> EventTime {
        if Int.random(in: 0..<4, using: &r) == 0 {
            let day = CivilDate(
                year: Int.random(in: 1950...2090, using: &r), month: Int.random(in: 1...12, using: &r),
                day: Int.random(in: 1...28, using: &r))
            return .allDay(day)
        }
        let seconds =
            Double.random(in: -2e9...4e9, using: &r).rounded(.down) + [0, 0.4, 0.5, 0.9].randomElement(using: &r)!
        return .instant(
            Date(timeIntervalSince1970: seconds), timeZone: Bool.random(using: &r) ? "America/Chicago" : nil)
    }

    static func event(_ r: inout SeededRandom) -> Event {
        var participants: [Participant] = []
        for _ in 0..<Int.random(in: 0...3, using: &r) {
            var phones: [PhoneKind: String] = [:]
            for kind in PhoneKind.allCases where Bool.random(using: &r) { phones[kind] = text(&r) ?? "" }
            let email = ["ann@example.org", "ZED@Example.ORG", "Zoë@Exämple.org", "ÅSA@X.ORG", nil, ""]
                .randomElement(using: &r)!
            participants.append(
                Participant(
                    name: text(&r), email: email, phones: phones,
                    response: ResponseStatus.allCases.randomElement(using: &r)!))
        }
        var custom: [String: String] = [:]
        for name in ["kind", "room", "Note"] where Int.random(in: 0..<3, using: &r) == 0 {
            custom[name] = text(&r) ?? ""
        }
        return Event(
            title: text(&r), description: text(&r), location: text(&r), start: time(&r),
            end: Bool.random(using: &r) ? time(&r) : nil, status: EventStatus.allCases.randomElement(using: &r)!,
            participants: participants, custom: custom,
            recurrence: Int.random(in: 0..<3, using: &r) == 0
                ? RecurrenceInstance(seriesKey: text(&r) ?? "s", originalStart: time(&r)) : nil)
    }

    @Test func hashesTheBytesOfEachFieldsValue() {
        var r = SeededRandom(state: 1_414)
        let zone = TimeZone(identifier: "America/Chicago")!
        for round in 0..<3_000 {
            let fields = Set(EventField.allCases.filter { _ in Int.random(in: 0..<4, using: &r) > 0 })
            let p = ContentProjection(
                fields: fields, phonePriority: PhoneKind.allCases.shuffled(using: &r),
                allDayZone: Bool.random(using: &r) ? zone : nil, trimsText: Bool.random(using: &r))
            let e = Self.event(&r)
            if p.hash(e) != Self.reference(p, e) {
                Issue.record("round \(round): \(e) with \(p) hashes apart from its values")
                return
            }
        }
    }
}
