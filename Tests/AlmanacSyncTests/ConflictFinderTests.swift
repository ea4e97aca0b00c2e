import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import AlmanacSync

/// The schedule-conflict sweep (`ConflictSweep`, `ConflictFinder`): what overlaps and what does
/// not, and the sweep against the O(n²) comparison on seeded random schedules.
@Suite(.timeLimit(.minutes(10))) struct ConflictFinderTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func timed(
        _ key: String, _ startMin: Double, _ endMin: Double?, email: String? = "ann@example.com",
        room: String? = nil, status: EventStatus = .confirmed
    ) -> ConflictFinder.Held {
        var custom: [String: String] = [:]
        if let room { custom["room"] = room }
        let e = Event(
            title: "appt \(key)", start: .instant(t0.addingTimeInterval(startMin * 60), timeZone: nil),
            end: endMin.map { .instant(t0.addingTimeInterval($0 * 60), timeZone: nil) }, status: status,
            participants: email.map { [Participant(email: $0)] } ?? [], custom: custom)
        return .init(keyFrom: "f-\(key)", keyTo: "t-\(key)", event: e)
    }

    func allDay(_ key: String, _ day: Int, _ endDay: Int?, email: String = "ann@example.com") -> ConflictFinder.Held {
        let e = Event(
            title: "day \(key)", start: .allDay(CivilDate(year: 2027, month: 3, day: day)),
            end: endDay.map { .allDay(CivilDate(year: 2027, month: 3, day: $0)) },
            participants: [Participant(email: email)])
        return .init(keyFrom: "f-\(key)", keyTo: nil, event: e)
    }

    func pairs(_ items: [ConflictFinder.Held], by: [String] = ["participant_0_email"]) -> [String] {
        ConflictFinder(job: "j", fields: by.map { ConflictField($0)! }).conflicts(items).map {
            "\($0.field)=\($0.value):\($0.first.keyFrom!)+\($0.second.keyFrom!)"
        }
    }

    @Test func overlapContainmentAndSameStartConflict() {
        let p = pairs([
            timed("a", 0, 60), timed("b", 30, 90),  // overlap
            timed("c", 200, 400), timed("d", 250, 260),  // containment
            timed("e", 500, 530), timed("f", 500, 510),  // same start
        ])
        #expect(
            p == [
                "participant_0_email=ann@example.com:f-a+f-b",
                "participant_0_email=ann@example.com:f-c+f-d",
                "participant_0_email=ann@example.com:f-e+f-f",
            ])
    }

    @Test func backToBackAndEmptyDoNotConflict() {
        #expect(pairs([timed("a", 0, 60), timed("b", 60, 120), timed("c", 120, 180)]).isEmpty)
        // No end: takes no time; a zero-length event inside another is no conflict either.
        #expect(pairs([timed("a", 0, 60), timed("b", 30, nil), timed("c", 40, 40)]).isEmpty)
    }

    @Test func cancelledAndDifferentValuesDoNotConflict() {
        #expect(pairs([timed("a", 0, 60), timed("b", 30, 90, status: .cancelled)]).isEmpty)
        #expect(pairs([timed("a", 0, 60), timed("b", 30, 90, email: "bob@example.com")]).isEmpty)
        #expect(pairs([timed("a", 0, 60, email: nil), timed("b", 30, 90, email: nil)]).isEmpty)
        #expect(pairs([timed("a", 0, 60, email: "  "), timed("b", 30, 90, email: "")]).isEmpty)
    }

    @Test func valuesAreTrimmedAndCaseFolded() {
        let p = pairs([timed("a", 0, 60, email: " Ann@Example.COM"), timed("b", 30, 90, email: "ann@example.com ")])
        #expect(p == ["participant_0_email=ann@example.com:f-a+f-b"])
    }

    @Test func allDayConflictsOnlyWithAllDay() {
        let p = pairs([
            allDay("a", 10, 12), allDay("b", 11, nil),  // 10–11 and 11: overlap on the 11th
            allDay("c", 12, 13),  // starts when a ends
            timed("d", 0, 60),  // timed, never meets all-day ones
        ])
        #expect(p == ["participant_0_email=ann@example.com:f-a+f-b"])
    }

    @Test func eachFieldGroupsOnItsOwn() {
        let items = [
            timed("a", 0, 60, email: "ann@example.com", room: "Room 1"),
            timed("b", 30, 90, email: "bob@example.com", room: "room 1"),
            timed("c", 45, 50, email: "ann@example.com", room: "Room 2"),
        ]
        #expect(
            pairs(items, by: ["participant_0_email", "custom.room"]) == [
                "participant_0_email=ann@example.com:f-a+f-c",
                "custom.room=room 1:f-a+f-b",
            ])
        let c = ConflictFinder(job: "j", fields: [.custom("room")]).conflicts(items)
        #expect(c.first?.first.sides == ["from", "to"])
        #expect(c.first?.first.title == "appt a")
        #expect(c.first?.second.start == t0.addingTimeInterval(30 * 60).formatted(.iso8601))
    }

    @Test func fieldNamesParse() {
        #expect(ConflictField("participant_0_email") == .participantEmail(0))
        #expect(ConflictField("participant_12_phone") == .participantPhone(12))
        #expect(ConflictField("custom.room") == .custom("room"))
        for bad in ["room", "custom.", "participant_x_email", "participant_01_email", "participant_0_fax", ""] {
            #expect(ConflictField(bad) == nil, "\(bad)")
        }
    }

    /// Random intervals on a small grid (many ties, touches and containments) against every pair.
    @Test func sweepMatchesTheNaiveComparison() {
        var r = SeededRandom(state: 19_003)
        for round in 0..<300 {
            let n = r.below(60)
            let intervals: [(start: Double, end: Double)] = (0..<n).map { _ in
                let s = Double(r.below(50))
                return (s, s + Double(r.below(12)))
            }
            var naive: [String] = []
            for i in 0..<n {
                for j in 0..<n where i < j {
                    let (a, b) = (intervals[i], intervals[j])
                    if a.start < b.end && b.start < a.end && a.end > a.start && b.end > b.start {
                        naive.append("\(min(i, j))-\(max(i, j))")
                    }
                }
            }
            let swept = ConflictSweep.overlaps(intervals).map { "\(min($0.0, $0.1))-\(max($0.0, $0.1))" }
            #expect(swept.sorted() == naive.sorted(), "round \(round)")
            #expect(Set(swept).count == swept.count, "round \(round): a pair twice")
        }
    }

    /// 100,000 items, 5,000 participants: the time is printed (the suite's limit bounds it).
    @Test func hundredThousandItems() {
        var r = SeededRandom(state: 77)
        let items = (0..<100_000).map { i in
            let start = Double(r.below(60 * 24 * 365))
            return timed("\(i)", start, start + 30, email: "p\(r.below(5_000))@example.com")
        }
        let clock = ContinuousClock()
        var found = 0
        let took = clock.measure {
            found = ConflictFinder(job: "j", fields: [.participantEmail(0)]).conflicts(items).count
        }
        print("conflicts over 100000 items: \(found) found in \(took)")
        #expect(found > 0)
    }
}
