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
        var out: [String] = []
        for id in Set(database.keys).union(model.rows.keys).sorted() {
            switch (database[id], model.rows[id]) {
            case (nil, let want?): out.append("row \(id) missing; expected \(Mutation.show(want.fields))")
            case (let got?, nil): out.append("row \(id) unexpected: \(Mutation.show(got.fields))")
            case (let got?, let want?) where got != want:
                out.append("row \(id):\n      got  \(describe(got))\n      want \(describe(want))")
            default: break
            }
        }
        for key in Set(events.keys).union(model.events.keys).sorted() {
            let k = Mutation.short(key)
            switch (events[key], model.events[key]) {
            case (nil, let want?): out.append("event \(k) missing; expected \(Mutation.show(want.fields))")
            case (let got?, nil): out.append("event \(k) unexpected: \(Mutation.show(got.fields))")
            case (let got?, let want?) where got != want:
                out.append("event \(k):\n      got  \(describe(got))\n      want \(describe(want))")
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
