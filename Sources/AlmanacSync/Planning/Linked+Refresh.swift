import AlmanacCore
import Foundation

/// Items the `to` side asked to have written again although neither side changed them
/// (`ReadPage.refresh`: Cronofy in series mode, when occurrences of a series entered the window).
extension Linked {
    /// `item`, planned for an item unchanged on both sides (`f` and `t` as stored), with an
    /// update of `to` to `from`'s content when the `to` side named it, with the reason it gave.
    /// The content is that of `to` already (no merge): the state's hashes stay as they are.
    func refreshing(_ item: ItemPlan, _ f: Seen, _ t: Seen, sourceKey: String) -> ItemPlan {
        guard !to.refresh.isEmpty, let keyTo = state.keyTo, let reason = to.refresh[keyTo],
            config.apply.update, job.toCapabilities.contains(.write)
        else { return item }
        var event = p.creating(f.event)
        event.origin = stamp(.to)
        var item = item
        item.toChanges.append(
            PlannedChange(
                change: .update(key: keyTo, ifVersion: t.item.version, event: event),
                action: .init(kind: .update, target: .to, key: sourceKey, reason: reason),
                hashAfter: t.hash))
        item.stateChanged = true
        item.versionsOnly = false
        return item
    }
}
