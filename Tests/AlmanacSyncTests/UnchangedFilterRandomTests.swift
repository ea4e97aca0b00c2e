import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import AlmanacSync

/// `UnchangedFilter.reduce` reads each state in place and skips the `to` key when the delta of
/// `to` says nothing; it must answer exactly as the filter did when it read a copy of the state
/// and asked `to` about every key (`reference`, that code as it was). Seeded random runs: random
/// edits of one field of the items read (one changed byte is enough), of the states, and of what
/// `to` returned.
@Suite(.timeLimit(.minutes(10)), .serialized) struct UnchangedFilterRandomTests {
    /// The filter's answer as it was computed before (main at 16f5bf0).
    static func reference(
        job: SyncJob, window: TimeWindow, to: SideRead, states: [ItemState], item: SourceItem
    ) -> ItemTable.Unchanged? {
        guard let s = states.first(where: { $0.keyFrom == item.key }) else { return nil }
        let zone = job.timeZone
        let writeBackIDs = job.twoWay ? Set(to.items.keys.map { job.id(.from, sourceKey: $0, generation: 0) }) : []
        guard s.away.isEmpty, let keyTo = s.keyTo, s.hasAnyHash(.from), s.hasAnyHash(.to),
            item.event.origin == nil, window.contains(item.event.start.date(in: zone)), job.problem(item.event) == nil,
            !job.twoWay || !writeBackIDs.contains(item.key)
        else { return nil }
        if let ti = to.items[keyTo] {
            guard to.inWindow(ti.event, zone: zone), job.responseSignal(ti.event) == s.responseTo,
                s.hasHash(job.projection.hash(ti.event), .to)
            else { return nil }
        } else if to.items.contains(keyTo) || to.isDeleted(keyTo, lastStart: s.start) {
            return nil
        }
        let view = job.fromView(item.event)
        guard job.excluded(view) == nil, s.hasHash(job.projection.hash(view), .from) else { return nil }
        let changed = item.version != s.versionFrom
        return ItemTable.Unchanged(key: item.key, version: changed ? item.version : nil, versionChanged: changed)
    }

    /// One changed byte (or value) in one field of `e`, chosen by `r`.
    static func edit(_ e: inout Event, _ r: inout SeededRandom) {
        func flip(_ s: String?) -> String {
            var bytes = Array((s ?? "x").utf8)
            let i = Int.random(in: 0..<bytes.count, using: &r)
            bytes[i] = bytes[i] == UInt8(ascii: "z") ? UInt8(ascii: "y") : UInt8(ascii: "z")
            return String(decoding: bytes, as: UTF8.self)
        }
        switch Int.random(in: 0..<14, using: &r) {
        case 0: e.title = flip(e.title)
        case 1: e.description = flip(e.description)
        case 2: e.location = flip(e.location)
        case 3: e.start = .instant(e.start.date(in: .gmt).addingTimeInterval(1), timeZone: nil)
        case 4: e.end = .instant(e.start.date(in: .gmt).addingTimeInterval(61), timeZone: nil)
        case 5: e.status = [EventStatus.tentative, .cancelled].randomElement(using: &r)!
        case 6: if !e.participants.isEmpty { e.participants[0].name = flip(e.participants[0].name) }
        case 7: if !e.participants.isEmpty { e.participants[0].email = e.participants[0].email?.uppercased() }
        case 8: if !e.participants.isEmpty { e.participants[0].email = flip(e.participants[0].email) }
        case 9: if !e.participants.isEmpty { e.participants[0].phones[.mobile] = flip(nil) }
        case 10: if !e.participants.isEmpty { e.participants[0].response = .accepted }
        case 11: e.custom["kind"] = flip(e.custom["kind"])
        case 12: e.origin = "stamp"
        default: e.title = nil  // a title template, where the job has one, fills it in
        }
    }

    @Test(arguments: [
        "direction = \"one-way\"",
        UnchangedReadTests.twoWay,
        "direction = \"one-way\"\ntitle_template = \"Visit {{location}}\"",
    ])
    func answersAsTheReferenceDoes(_ jobText: String) throws {
        let h = try UnchangedReadTests.synced(job: jobText, toDelta: true)
        let job = try h.engine().job
        let window = h.job.window.window(around: h.now)
        let stored = try h.state.items(job: "j", withBases: false)
        func item(_ r: MemoryStore.Record) -> SourceItem {
            SourceItem(key: r.key, version: "v\(r.version)", event: r.event)
        }
        let fromItems = h.fromStore.live.values.sorted { $0.key < $1.key }.map(item)
        let toItems = h.toStore.live.values.sorted { $0.key < $1.key }.map(item)
        var r = SeededRandom(state: 14_003)
        var unchanged = 0
        var whole = 0
        for round in 0..<400 {
            // What `to` returned: mostly nothing (a quiet delta), else some of its items, edited or
            // not, tombstones, a covered window, moves.
            var to = SideRead()
            to.window = window
            if Int.random(in: 0..<3, using: &r) == 0 {
                for t in toItems where Bool.random(using: &r) {
                    var t = t
                    if Bool.random(using: &r) { Self.edit(&t.event, &r) }
                    to.items[t.key] = t
                }
                if Bool.random(using: &r) { to.deleted.insert(toItems.randomElement(using: &r)!.key) }
                if Bool.random(using: &r) { to.covered = [window] }
                if Bool.random(using: &r) { to.movedAway.insert(toItems.randomElement(using: &r)!.key) }
            }
            // The states: each edited now and then.
            let states = stored.map { s -> ItemState in
                var s = s
                switch Int.random(in: 0..<24, using: &r) {
                case 0: s.away = [.to]
                case 1: s.away = [.from]
                case 2: s.hashTo = nil
                case 3: s.hashFrom = nil
                case 4: s.keyTo = nil
                case 5: s.versionFrom = "v-other"
                case 6: s.start = nil
                case 7: s.responseTo = "accepted"
                default: break
                }
                return s
            }
            let filter = UnchangedFilter(job: job, window: window, to: to, states: { states })
            for item in fromItems {
                var item = item
                switch Int.random(in: 0..<4, using: &r) {
                case 0: Self.edit(&item.event, &r)
                case 1: item.version = "v-new"
                default: break
                }
                let got = filter.reduce(item)
                let want = Self.reference(job: job, window: window, to: to, states: states, item: item)
                if got != want {
                    Issue.record(
                        "round \(round), \(item.key): \(String(describing: got)), want \(String(describing: want))")
                    return
                }
                if got == nil { whole += 1 } else { unchanged += 1 }
            }
        }
        // Both answers were given many times.
        #expect(unchanged > 200 && whole > 200)
    }
}
