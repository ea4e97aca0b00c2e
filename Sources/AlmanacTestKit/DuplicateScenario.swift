import AlmanacCore
import AlmanacSync
import Foundation

/// The duplicate-key scenario every source that can list a key twice runs (`DuplicateKey`):
/// a one-way job from `source` to a memory store, run twice at `now`. The first item listed under
/// a key must arrive with its own fields on both runs; each later one must be reported.
public enum DuplicateScenario {
    public struct Result {
        public var harness: SyncHarness
        public var first: RunReport
        public var second: RunReport

        /// The synced events on the memory side, by title.
        public var synced: [String: Event] {
            Dictionary(harness.toStore.live.values.map { ($0.event.title ?? "", $0.event) }) { a, _ in a }
        }
    }

    public static func run(_ source: any Connector, now: Date) throws -> Result {
        let h = try SyncHarness(
            job: """
                direction = "one-way"
                window = { past_days = 7, future_days = 30, chunk_days = 30 }
                """, now: now)
        let first = try h.run(from: source).report
        let second = try h.run(from: source).report
        return Result(harness: h, first: first, second: second)
    }
}
