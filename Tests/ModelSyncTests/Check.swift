import AlmanacCore
import Foundation

/// The invariants checked after every run, each returning what differs (empty: holds).
enum Check {
    /// The run succeeded with no item failure, and wrote what the model expects on each side.
    static func report(_ r: RunReport, expected e: ExpectedCounts) -> [String] {
        var out: [String] = []
        if r.result != .success || !r.failures.isEmpty {
            out.append(
                "run \(r.result.rawValue): \(r.errorCode ?? "") \(r.error ?? "") "
                    + r.failures.map { "\($0.side) \($0.key): \($0.reason)" }.joined(separator: "; "))
        }
        var got = ExpectedCounts()
        got.toCreated = r.toCounts.created
        got.toUpdated = r.toCounts.updated
        got.toDeleted = r.toCounts.deleted
        got.fromCreated = r.fromCounts.created
        got.fromUpdated = r.fromCounts.updated
        got.fromDeleted = r.fromCounts.deleted
        got.confirmed = r.fromCounts.confirmed
        got.cancelled = r.fromCounts.cancelled
        if got != e { out.append("writes: expected \(e), reported \(got)") }
        return out
    }

    /// Every row (in the window or not) and every live event is as the model expects: one event
    /// per synced row and no other, fields equal, write-backs counted exactly, nothing outside
    /// the window touched.
    static func sides(database: [String: RowValue], events: [String: EventValue], model: SyncModel) -> [String] {
        compare("row", got: database, want: model.rows, name: { $0 }, fields: \.fields, describe: describe)
            + compare(
                "event", got: events, want: model.events, name: Mutation.short, fields: \.fields, describe: describe)
    }

    /// Every key of `got` and `want`: missing, unexpected, or different.
    static func compare<T: Equatable>(
        _ what: String, got: [String: T], want: [String: T], name: (String) -> String, fields: (T) -> Fields,
        describe: (T) -> String
    ) -> [String] {
        var out: [String] = []
        for key in Set(got.keys).union(want.keys).sorted() {
            switch (got[key], want[key]) {
            case (nil, let w?): out.append("\(what) \(name(key)) missing; expected \(Mutation.show(fields(w)))")
            case (let g?, nil): out.append("\(what) \(name(key)) unexpected: \(Mutation.show(fields(g)))")
            case (let g?, let w?) where g != w:
                out.append("\(what) \(name(key)):\n      got  \(describe(g))\n      want \(describe(w))")
            default: break
            }
        }
        return out
    }

    static func describe(_ r: RowValue) -> String {
        "\(Mutation.show(r.fields)) newer=\(r.newer.map(String.init) ?? "nil") confirmed=\(r.confirmed) "
            + "cancelled=\(r.cancelled)"
    }

    static func describe(_ e: EventValue) -> String {
        "\(Mutation.show(e.fields)) response=\(e.response) external=\(e.external)"
    }
}
