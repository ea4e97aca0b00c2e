import AlmanacCore
import Foundation

/// Items moved out of the window on one side are left alone, their link kept, however the move
/// was read: a complete listing that missed the item and a lookup that found it elsewhere
/// (`AbsenceCheck`), or a delta that listed it with a start outside the window (a Google sync
/// token, a Cronofy `last_modified` read). The state remembers the side that is away
/// (`ItemState.away`), since a delta reports a move once; the item is back when that side is
/// read inside the window again, and then synced as any change.
///
/// A deletion on the other side while the item is away (a tombstone, or an absence the side
/// confirmed) is recorded too (`ItemState.toDeletedWhileAway`) and honoured once the item is back:
/// as a deletion on the calendar, a cancellation for write-back.
extension Planner {
    /// Whether `s` is away this run, and its state with `away` brought up to date (and a deletion
    /// on `to` recorded while `from` is away); nil when that is `s` as it is (the usual case:
    /// away neither before nor now).
    func awayState(_ s: ItemState, _ fi: SourceItem?, _ ti: SourceItem?, from: SideRead, to: SideRead) -> (
        Bool, ItemState?
    ) {
        let fromAway = isAway(.from, s, fi, from)
        let toAway = isAway(.to, s, ti, to)
        if !fromAway && !toAway && s.away.isEmpty { return (false, nil) }
        var next = s
        next.away = []
        if fromAway { next.away.insert(.from) }
        if toAway { next.away.insert(.to) }
        if next.away.contains(.from), job.twoWay, !s.toDeletedWhileAway, let key = s.keyTo,
            ti == nil, to.isDeleted(key, lastStart: s.start)
        {
            next.markToDeletedWhileAway()
        }
        return (!next.away.isEmpty, next)
    }

    /// Whether the item's `side` is out of the window: looked up there, listed with a start
    /// outside it, or away before and neither read again nor known to be deleted since.
    private func isAway(_ side: ConnectorContext.Side, _ s: ItemState, _ seen: SourceItem?, _ read: SideRead) -> Bool {
        guard let key = s.key(side) else { return false }
        if !read.movedAway.isEmpty && read.movedAway.contains(key) { return true }
        if let seen { return !read.inWindow(seen.event, zone: job.timeZone) }
        return s.away.contains(side) && !read.isDeleted(key, lastStart: s.start)
    }
}
