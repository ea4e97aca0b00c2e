import AlmanacCore
import AlmanacSync
import Foundation

/// The origin-stamp scenario every writable `to` side runs: items created by almanac keep the
/// mark first-link and crash recovery rely on through any number of updates, so a lost state
/// links them all again and creates nothing.
///
/// Seeds `count` events in `harness.fromStore`, syncs them to `to`, then ten times: a run with
/// nothing to do, an edit of the first event, a run carrying that update. Then the state is
/// forgotten (a fresh state file) and one more run syncs the same sides.
public enum StampScenario {
    public struct Result {
        /// The reports of the ten runs carrying an update.
        public var updates: [RunReport]
        /// The run after the state was forgotten.
        public var relink: SyncOutcome
        /// The deterministic ids almanac gave the items (what their stamps must hold), by title.
        public var ids: [String: String]

        /// How many items the run after the lost state linked.
        public var linked: Int { relink.actions.filter { $0.kind == .link }.count }

        /// Where a side whose keys are the ids almanac gave (a sink) broke the rule, given what it
        /// lists after the scenario: empty when each update landed, every item kept its id, the
        /// last edit arrived, and the run after the lost state linked all and created nothing.
        public func mismatches(listed items: [SourceItem]) -> [String] {
            var out: [String] = []
            func check(_ ok: Bool, _ what: String) { if !ok { out.append(what) } }
            check(updates.allSatisfy { $0.toCounts.updated == 1 }, "updates \(updates.map(\.toCounts.updated))")
            check(Set(items.map(\.key)) == Set(ids.values), "keys \(items.map(\.key).sorted())")
            for item in items where ids[item.event.title ?? "?"] != item.key {
                out.append("\(item.event.title ?? "?") listed under \(item.key)")
            }
            let edited = items.first { $0.event.title == "Stamped 0" }?.event.description
            check(edited == "Edit \(rounds)", "description of Stamped 0: \(edited ?? "none")")
            check(relink.report.result == .success, "relink: \(relink.report.result) \(relink.report.error ?? "")")
            check(relink.report.toCounts.created == 0, "relink created \(relink.report.toCounts.created)")
            check(linked == ids.count, "relink linked \(linked)")
            return out
        }
    }

    public static let rounds = 10

    public static func run(_ h: SyncHarness, to: any Connector, count: Int = 3) throws -> Result {
        var ids: [String: String] = [:]
        var first = ""
        for n in 0..<count {
            let title = "Stamped \(n)"
            let key = try h.fromStore.put(h.event(title, hours: Double(n) + 2))
            if n == 0 { first = key }
            ids[title] = DeterministicID.make(
                profile: h.profile.name, job: h.job.name, direction: .to, sourceKey: key, generation: 0)
        }
        _ = try h.run(to: to)
        var updates: [RunReport] = []
        for round in 1...rounds {
            _ = try h.run(to: to)
            try h.fromStore.edit(first) { $0.description = "Edit \(round)" }
            updates.append(try h.run(to: to).report)
        }
        let fresh = try StateStore(path: h.directory.appendingPathComponent("forgotten.sqlite").path)
        return Result(updates: updates, relink: try h.run(to: to, store: fresh), ids: ids)
    }
}
