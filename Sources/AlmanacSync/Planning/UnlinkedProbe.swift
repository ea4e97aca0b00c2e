import AlmanacCore
import Foundation

/// Lost state is recoverable even while one side of an item is out of the window: an item of a
/// two-way job read in the window that no state row names (new, or known before the state was
/// lost) may have a counterpart almanac made, or made it from, that the listing of the other
/// side did not reach. Before such an item is created on the other side, that side is asked for
/// the create id that links the two (in the same lookup as `AbsenceCheck`'s keys, so a run still
/// makes one lookup per side):
/// - for a `from` item, the id almanac creates its `to` item under (generation 0);
/// - for a `to` item almanac did not make, the id its row is written back under.
///
/// A counterpart found in the window joins the read (a delta does not return what did not
/// change) and is linked as on a first sync; one found outside the window is linked and left
/// alone until it is back (`SideRead.foundAway`). A first sync of a two-way job therefore costs
/// one lookup per side for its new items.
struct UnlinkedProbe {
    /// Create ids to look up on `to`, and on `from`.
    var onTo: [String] = []
    var onFrom: [String] = []

    init(job: SyncJob, states: [ItemState], from: SideRead, to: SideRead) {
        guard job.twoWay else { return }
        let index = ReadIndex(job: job, from: from, to: to)
        let linkedFrom = Set(states.compactMap(\.keyFrom))
        let linkedTo = Set(states.compactMap(\.keyTo))
        for (key, item) in from.items where !linkedFrom.contains(key) && item.event.origin == nil {
            let view = job.fromView(item.event)
            guard from.inWindow(view, zone: job.timeZone), job.excluded(item.event) == nil,
                !index.isWriteBackID(key, unclaimed: []), index.toKey(made: key, unclaimed: []) == nil
            else { continue }
            let id = job.id(.to, sourceKey: key, generation: 0)
            if !to.items.contains(id) && !linkedTo.contains(id) { onTo.append(id) }
        }
        for (key, item) in to.items where !linkedTo.contains(key) && item.event.origin == nil {
            guard item.event.status != .cancelled, to.inWindow(item.event, zone: job.timeZone) else { continue }
            let id = job.id(.from, sourceKey: key, generation: 0)
            if index.fromKey(origin: id) == nil && !linkedFrom.contains(id) { onFrom.append(id) }
        }
        onTo.sort()
        onFrom.sort()
    }
}
