import AlmanacCore
import AlmanacSync
import Foundation

/// The duplicate-key scenario every source that can list a key twice runs (`DuplicateKey`):
/// a one-way job from `source` to a memory store, run twice at `now`. The first item listed under
/// a key must arrive with its own fields on both runs; each later one must be reported.
///
/// Each source holds the same items, in this order (times in America/Chicago): key 1 `first`
/// 2026-03-02 09:00, key 2 `second` 10:00, key 1 again 11:00, key 3 `third` 2026-03-03 09:00,
/// key 2 again 10:00, key 4 `fourth` 12:00 (the CSV and XML fixtures put two files between them).
public enum DuplicateScenario {
    /// The items that must be synced: the first of each key, by title, with its start.
    public static let kept: [String: Date] = [
        "first": Date(timeIntervalSince1970: 1_772_463_600), "second": Date(timeIntervalSince1970: 1_772_467_200),
        "third": Date(timeIntervalSince1970: 1_772_550_000), "fourth": Date(timeIntervalSince1970: 1_772_560_800),
    ]

    public struct Result {
        public var harness: SyncHarness
        public var first: RunReport
        public var second: RunReport

        /// Where the runs broke the rule: empty when both were partial with exactly `failures`
        /// (`key: reason`) reported, updated and deleted nothing, and the first created the first
        /// item of each key, with its own start (`kept`).
        public func mismatches(failures: [String]) -> [String] {
            var out: [String] = []
            for (n, report) in [first, second].enumerated() {
                let reported = report.failures.map { "\($0.key): \($0.reason)" }
                if report.result != .partial { out.append("run \(n + 1): \(report.result)") }
                if reported != failures { out.append("run \(n + 1) reported \(reported)") }
                if report.toCounts.updated + report.toCounts.deleted > 0 { out.append("run \(n + 1) changed items") }
            }
            if first.toCounts.created != DuplicateScenario.kept.count {
                out.append("created \(first.toCounts.created)")
            }
            for (title, start) in DuplicateScenario.kept.sorted(by: { $0.key < $1.key }) {
                let synced = synced[title]?.start.date(in: .gmt)
                if synced != start { out.append("\(title) starts \(synced.map { "\($0)" } ?? "nowhere")") }
            }
            if synced.count != DuplicateScenario.kept.count { out.append("synced \(synced.keys.sorted())") }
            return out
        }

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
