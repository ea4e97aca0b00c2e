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
