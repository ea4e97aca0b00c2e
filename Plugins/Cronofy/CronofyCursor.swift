import AlmanacCore
import Foundation

/// The change-feed position of a Cronofy listing: `last_modified` for the next delta, and marks
/// of the items already seen since then (see `CronofyConnector.read`).
struct CronofyCursor: Hashable {
    var since: Date
    var marks: Set<String>

    init(since: Date, marks: Set<String>) {
        self.since = since
        self.marks = marks
    }

    /// Reads `v1|<instant>|<mark,mark…>`; a bare instant (or anything unreadable) is taken as
    /// an instant with no marks, the epoch when unreadable (a full change list).
    init(parsing s: String) {
        let parts = s.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 3, parts[0] == "v1" {
            since = CronofyMapping.parseInstant(String(parts[1])) ?? Date(timeIntervalSince1970: 0)
            marks = Set(parts[2].split(separator: ",").map(String.init))
        } else {
            since = CronofyMapping.parseInstant(s) ?? Date(timeIntervalSince1970: 0)
            marks = []
        }
    }

    var encoded: String { "v1|\(CronofyMapping.utc(since))|\(marks.sorted().joined(separator: ","))" }

    /// A short hash of an event's key and content (all fields but `updated`).
    static func mark(key: String, event: [String: Any]) -> String {
        var e = event
        e["updated"] = nil
        let data = (try? JSONSerialization.data(withJSONObject: e, options: [.sortedKeys])) ?? Data()
        return String(SHA256.hex("\(key)@\(String(decoding: data, as: UTF8.self))").prefix(12))
    }
}
