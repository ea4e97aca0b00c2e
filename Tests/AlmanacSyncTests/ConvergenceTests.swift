import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// Property-style: random creates, edits and deletes on both sides of a two-way job between
/// syncs, with a random conflict policy, batch and page size; after every sync both sides hold
/// exactly the expected items (no duplicate, no loss) with the expected fields, and a second
/// sync changes nothing.
@Suite struct ConvergenceTests {
    /// The model: one logical appointment and the keys it has on each side.
    struct Model {
        var fromKey: String?
        var toKey: String?
        var title: String
        var location: String
        var hour: Int
    }

    @Test(arguments: 1...24)
    func randomHistoriesConverge(seed: Int) throws {
        var rng = SeededRandom(state: UInt64(seed))
        let policy = ConflictPolicy.allCases.randomElement(using: &rng)!
        var fromOptions = MemoryStore.Options()
        fromOptions.assignsKeys = Bool.random(using: &rng)
        fromOptions.pageSize = Int.random(in: 1...20, using: &rng)
        var toOptions = MemoryStore.Options()
        toOptions.pageSize = Int.random(in: 1...20, using: &rng)
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                conflict = "\(policy.rawValue)"
                apply_back = { create = true, update = true, delete = true }
                window = { past_days = 2, future_days = 20, chunk_days = \(Int.random(in: 1...9, using: &rng)) }
                mass_delete_percent = 100
                """, fromOptions: fromOptions, toOptions: toOptions)
        h.batchSize = Int.random(in: 1...15, using: &rng)
        let context = "seed \(seed), policy \(policy.rawValue), batch \(h.batchSize)"
        var items: [Model] = []
        var clock = 1_000.0
        var serial = 0

        func event(_ m: Model) -> Event {
            let start = h.now.addingTimeInterval(Double(m.hour) * 3_600)
            return Event(
                title: m.title, location: m.location, start: .instant(start, timeZone: nil),
                end: .instant(start.addingTimeInterval(1_800), timeZone: nil))
        }

        for round in 0..<6 {
            // Edits since the last sync, per item: field → (side, value, time).
            var edits: [Int: [String: [(ConnectorContext.Side, String, Double)]]] = [:]
            var deleted = Set<Int>()
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                clock += 1
                serial += 1
                let side: ConnectorContext.Side = Bool.random(using: &rng) ? .from : .to
                let store = side == .from ? h.fromStore : h.toStore
                let live = items.indices.filter {
                    !deleted.contains($0) && items[$0].fromKey != nil && items[$0].toKey != nil
                }
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<4 where !live.isEmpty:
                    let i = live.randomElement(using: &rng)!
                    let field = Bool.random(using: &rng) ? "title" : "location"
                    let value = "\(field) \(serial)"
                    let key = (side == .from ? items[i].fromKey : items[i].toKey)!
                    let when = clock
                    try store.edit(key) { e in
                        if field == "title" { e.title = value } else { e.location = value }
                        e.updated = Date(timeIntervalSince1970: when)
                    }
                    edits[i, default: [:]][field, default: []].append((side, value, clock))
                case 4 where !live.isEmpty:
                    let i = live.randomElement(using: &rng)!
                    try store.remove((side == .from ? items[i].fromKey : items[i].toKey)!)
                    deleted.insert(i)
                default:
                    var m = Model(
                        title: "new \(serial)", location: "room \(serial)", hour: Int.random(in: 1...400, using: &rng))
                    let key = try store.put(event(m))
                    if side == .from { m.fromKey = key } else { m.toKey = key }
                    items.append(m)
                }
            }
            // Expected: deletions win; per field the only edit, or the policy's pick between both sides.
            for (i, fields) in edits where !deleted.contains(i) {
                for (field, list) in fields {
                    let lastFrom = list.last { $0.0 == .from }
                    let lastTo = list.last { $0.0 == .to }
                    let winner: (ConnectorContext.Side, String, Double)
                    if let f = lastFrom, let t = lastTo {
                        switch policy {
                        case .fromWins: winner = f
                        case .toWins: winner = t
                        case .newestWins: winner = t.2 > f.2 ? t : f
                        }
                    } else {
                        winner = (lastFrom ?? lastTo)!
                    }
                    if field == "title" { items[i].title = winner.1 } else { items[i].location = winner.1 }
                }
            }
            let out = try h.run(RunOptions(allowMassDelete: true))
            #expect(out.report.result == .success, "\(context), round \(round): \(out.report.failures)")
            for i in deleted.sorted(by: >) { items.remove(at: i) }

            let want = items.map { "\($0.title)|\($0.location)" }.sorted()
            for store in [h.fromStore, h.toStore] {
                let got = store.live.values.map { "\($0.event.title ?? "")|\($0.event.location ?? "")" }.sorted()
                #expect(got == want, "\(context), round \(round)")
            }
            // Learn the keys the sync assigned, by title+location (unique by construction).
            let fromByContent = Dictionary(
                h.fromStore.live.map { ("\($0.value.event.title ?? "")|\($0.value.event.location ?? "")", $0.key) },
                uniquingKeysWith: { a, _ in a })
            let toByContent = Dictionary(
                h.toStore.live.map { ("\($0.value.event.title ?? "")|\($0.value.event.location ?? "")", $0.key) },
                uniquingKeysWith: { a, _ in a })
            for i in items.indices {
                items[i].fromKey = fromByContent["\(items[i].title)|\(items[i].location)"]
                items[i].toKey = toByContent["\(items[i].title)|\(items[i].location)"]
            }
            let again = try h.run()
            #expect(
                again.report.toCounts.changed == 0 && again.report.fromCounts.changed == 0,
                "\(context), round \(round): a second sync changed \(again.actions.map(\.line))")
        }
    }
}
