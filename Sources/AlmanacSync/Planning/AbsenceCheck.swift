import AlmanacCore
import Foundation

/// Absence is evidence, not proof: before an item a complete listing did not return is taken as
/// deleted, the side is asked about it directly (`Connector.lookup`), once per run for every such
/// key. An item found with a start inside the window joins the read (it is synced as seen); one
/// found elsewhere in time has moved away and is left alone, its link kept. Only a key the side
/// confirms absent stays a deletion.
///
/// A side without the `.lookup` capability keeps the listing's word: absence from a complete
/// listing that covers the item's last start is a deletion.
struct AbsenceCheck {
    let connector: any Connector
    let side: ConnectorContext.Side
    let window: TimeWindow
    let timeZone: TimeZone

    /// Keys of `states` on this side that `read` would take as deleted only because a complete
    /// listing did not return them (no tombstone, not listed, not reported unreadable, last start
    /// covered).
    static func suspects(_ states: [ItemState], side: ConnectorContext.Side, in read: SideRead) -> [String] {
        let unreadable = Set(read.problems.map(\.key))
        // The cheap tests first: a delta covers nothing, and the sets are most often empty.
        return states.compactMap { s in
            guard read.absenceMeansDeletion(lastStart: s.start), let key = s.key(side), !read.items.contains(key),
                read.deleted.isEmpty || !read.deleted.contains(key), unreadable.isEmpty || !unreadable.contains(key)
            else { return nil }
            return key
        }
    }

    /// Keys of `states` on this side that `read` did not return, of items back in the window on
    /// the other side after being away (`ItemState.away`): a delta does not return what did not
    /// change since, and a change made while the item was away must not be lost. A key not found
    /// is a confirmed deletion.
    func returning(_ states: [ItemState], in read: SideRead, other: SideRead) -> [String] {
        let otherSide: ConnectorContext.Side = side == .from ? .to : .from
        return states.compactMap { s in
            guard s.away.contains(otherSide), let key = s.key(side), !read.items.contains(key),
                !read.deleted.contains(key), let otherKey = s.key(otherSide), let back = other.items[otherKey],
                other.inWindow(back.event, zone: timeZone)
            else { return nil }
            return key
        }
    }

    /// Asks the connector about the suspects of `read` (and the keys `returning` names, `other`
    /// being the other side's read, and the create ids of the other side's unlinked items,
    /// `unlinked`, from `UnlinkedProbe`) and records the answer in it: an unlinked item's
    /// counterpart found outside the window goes to `foundAway`.
    /// - Throws: what `lookup` throws, with the side named; the run then deletes nothing.
    func confirm(_ states: [ItemState], in read: inout SideRead, other: SideRead, unlinked: [String] = []) throws {
        let back = returning(states, in: read, other: other)
        let known = Self.suspects(states, side: side, in: read) + back
        let probed = Set(unlinked).subtracting(known)
        let keys = known + probed.sorted()
        guard !keys.isEmpty, connector.capabilities.contains(.lookup) else { return }
        let found: [SourceItem]
        do {
            found = try connector.lookup(keys)
        } catch let error as AlmanacError {
            throw AlmanacError(
                error.code,
                "looking up \(keys.count) item(s) missing from the \(side.rawValue) side's listing: \(error.message)",
                cause: error, retryable: error.retryable)
        }
        let asked = Set(keys)
        for item in found where asked.contains(item.key) {
            if window.contains(item.event.start.date(in: timeZone)) {
                read.items[item.key] = item
            } else if probed.contains(item.key) {
                read.foundAway[item.key] = item
            } else {
                read.movedAway.insert(item.key)
            }
        }
        let foundKeys = Set(found.map(\.key))
        for key in back where !foundKeys.contains(key) { read.deleted.insert(key) }
    }
}
