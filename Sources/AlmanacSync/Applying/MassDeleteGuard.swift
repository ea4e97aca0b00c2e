import AlmanacCore

/// The mass-delete guard (ARCHITECTURE.md §5) as a value: a run stops with `sync.mass_delete_blocked` when
/// a side that had items returns none while deletes are planned from it (whatever their number),
/// or when planned deletes toward a side exceed `percent` of the items known there and number at
/// least `minimum` (a job's `mass_delete_percent` and `mass_delete_min`).
public struct MassDeleteGuard: Sendable, Hashable {
    public var percent: Int
    /// Below this many deletes the percentage rule does not fire (a few deletes in a small calendar).
    public var minimum: Int

    public init(percent: Int, minimum: Int = 3) {
        self.percent = percent
        self.minimum = minimum
    }

    /// Why the plan is blocked toward `side`, or nil.
    /// - `known`: items the state knows on `side`; `sourceListedNothing`: the other side's full
    ///   listing was empty although the state knew items there.
    public func check(side: ConnectorContext.Side, deletes: Int, known: Int, sourceListedNothing: Bool) -> String? {
        guard deletes > 0 else { return nil }
        let source = side == .to ? "from" : "to"
        if sourceListedNothing {
            return "the \(source) side listed no items where \(known) were known, so \(deletes) deletes toward "
                + "\(side.rawValue) are held back; if that is right, run again with --allow-mass-delete"
        }
        if deletes >= minimum && deletes * 100 > percent * known {
            return "\(deletes) of \(known) items (more than \(percent) %) would be deleted on the \(side.rawValue) "
                + "side; check the \(source) side, then run again with --allow-mass-delete if that is right"
        }
        return nil
    }
}
