import AlmanacCore
import Foundation

extension Planner {
    /// Plans `item` again after a conditional write toward `side` met a newer version (a 412, a
    /// stale `ifVersion`): `current` is what that side holds now, fetched by the connector. The
    /// other side is taken as it was read; the conflict policy merges as on any run. Returns nil
    /// when the item was not planned from the state (first links, creates).
    func replan(_ item: ItemPlan, side: ConnectorContext.Side, current: SourceItem) -> ItemPlan? {
        guard let state = item.previous else { return nil }
        // Calendars hand a deleted event back as a cancelled one: it is gone.
        let live = side == .to && current.event.status == .cancelled ? nil : current
        var fromRead = SideRead()
        var toRead = SideRead()
        var fromSeen = item.fromSeen?.item
        var toSeen = item.toSeen?.item
        var fromGone = item.fromGone
        var toGone = item.toGone
        if side == .to {
            toSeen = live
            toGone = live == nil
        } else {
            fromSeen = live
            fromGone = live == nil
        }
        Self.fill(&fromRead, seen: fromSeen, key: state.keyFrom, gone: fromGone)
        Self.fill(&toRead, seen: toSeen, key: state.keyTo, gone: toGone)
        let index = ReadIndex(job: job, from: fromRead, to: toRead)
        var again = Linked(
            inputs: PlanInputs(job: job, from: fromRead, to: toRead), state: state,
            fromSeen: fromSeen.map { index.seen($0, .from) }, toSeen: toSeen.map { index.seen($0, .to) }
        ).plan(findOnTo: { _ in nil })
        again.previous = state
        return again
    }

    private static func fill(_ read: inout SideRead, seen: SourceItem?, key: String?, gone: Bool) {
        if let seen {
            read.items[seen.key] = seen
        } else if gone, let key {
            read.deleted.insert(key)
        }
    }
}
