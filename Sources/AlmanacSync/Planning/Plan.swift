import AlmanacCore
import Foundation

/// What the planner decided for one action.
public enum ActionKind: String, Sendable, Hashable, Codable {
    case create, update, delete, confirm, cancel
    /// Link an item found on both sides without writing (first sync, crash recovery).
    case link
    /// Forget an item whose both sides are gone (state only).
    case forget
    /// Nothing written, with a reason (disabled by `apply`, capability missing, out of scope).
    case skip
    /// A bad item, reported with its key and reason.
    case invalid
    /// Items a first link found matching more than one item of the other side: neither linked
    /// nor created (`Plan.ambiguous`).
    case ambiguous
}

/// One planned action, as `--dry-run` prints it.
public struct PlannedAction: Sendable, Hashable {
    public var kind: ActionKind
    /// The side written: `to`, or `from` for write-back; nil for state-only actions. For
    /// `.invalid`, the side the bad item was read from.
    public var target: ConnectorContext.Side?
    /// The item's key on the side the change came from (the source key).
    public var key: String
    public var reason: String
    /// The field-level conflicts resolved by the policy, if any.
    public var conflicts: [EventField]
    /// The same, for the contact fields of a contacts job.
    public var contactConflicts: [ContactField]

    public init(
        kind: ActionKind, target: ConnectorContext.Side?, key: String, reason: String,
        conflicts: [EventField] = [], contactConflicts: [ContactField] = []
    ) {
        self.kind = kind
        self.target = target
        self.key = key
        self.reason = reason
        self.conflicts = conflicts
        self.contactConflicts = contactConflicts
    }

    /// Whether the policy resolved a conflict on a field (of the event or of the contact).
    public var hasConflicts: Bool { !conflicts.isEmpty || !contactConflicts.isEmpty }

    /// `create  to    A17  new in from`
    public var line: String {
        let kindText = kind.rawValue.padding(toLength: max(8, kind.rawValue.count + 1), withPad: " ", startingAt: 0)
        let side = (target?.rawValue ?? "-").padding(toLength: 5, withPad: " ", startingAt: 0)
        var text = "\(kindText)\(side) \(key)  \(reason)"
        if hasConflicts {
            let names = conflicts.map(\.rawValue) + contactConflicts.map(\.rawValue)
            text += " (conflict on \(names.joined(separator: ", ")))"
        }
        return text
    }
}

/// A change to send, with what the side will hold after it.
struct PlannedChange: Sendable {
    var change: Change
    var action: PlannedAction
    /// Projection hash of the content sent (the side's `hash_*` once written).
    var hashAfter: String?
    /// The deterministic id's generation, for creates.
    var generation: Int?
    /// An update bringing an adopted item (a create whose id was taken by an earlier attempt)
    /// up to date: counted as the create it completes.
    var adopting = false
}

/// Everything the planner decided for one item: the changes toward each side and the state to
/// commit once they all succeeded.
struct ItemPlan: Sendable {
    /// The state row this item had, if any.
    var previous: ItemState?
    /// The state to commit when every change succeeded (keys and versions filled in on apply).
    var next: ItemState
    var toChanges: [PlannedChange] = []
    var fromChanges: [PlannedChange] = []
    /// State-only actions (link, forget, skip) to report.
    var notes: [PlannedAction] = []
    /// Forget the row once the changes succeeded.
    var remove = false
    /// Whether anything must be committed even with no change (links, refreshed hashes).
    var stateChanged = false
    /// The merged content, for re-merging after a conflict on write.
    var merged: Event?
    /// Nothing to write, only newer versions to record: counted as unchanged.
    var versionsOnly = false
    /// What each side held when this was planned (nil: not read) and whether it was gone there,
    /// for planning again after a write met a newer version (`Planner.replan`).
    var fromSeen: Seen?
    var toSeen: Seen?
    var fromGone = false
    var toGone = false

    var actions: [PlannedAction] { toChanges.map(\.action) + fromChanges.map(\.action) + notes }
    var hasWrites: Bool { !toChanges.isEmpty || !fromChanges.isEmpty }
}

/// The planner's output for one run.
public struct Plan: Sendable {
    var items: [ItemPlan] = []
    /// Bad items read from either side.
    public var invalid: [PlannedAction] = []
    /// Items whose hashes matched their state on both sides.
    public var unchanged = 0
    /// New `ItemState.rowFrom` facts (`RowFact`) of unchanged items that need no other write, by
    /// state row id: kept apart from `items`, after the writes (`StateStore.keepRowFacts`).
    var rowFacts: [(id: Int64, fact: UInt64)] = []
    /// What a first link could not pair (`FirstLinkMatcher`), with the fields compared.
    public var ambiguous: [AmbiguousMatch] = []
    public var matchedOn: [MatchField] = []
    /// For a contacts job, the stage (`ContactMatchRule`) at which each `ambiguous` group was found.
    public var ambiguousFields: [String] = []

    /// Every action, in order: bad items first, then ambiguous matches, then per item.
    public var actions: [PlannedAction] { invalid + ambiguousActions + items.flatMap(\.actions) }

    /// `ambiguous -     a1, a2  same start_time, title as t1, t2 on to: …`
    var ambiguousActions: [PlannedAction] {
        let fields = matchedOn.map(\.name).joined(separator: ", ")
        return ambiguous.enumerated().map { i, group in
            PlannedAction(
                kind: .ambiguous, target: nil, key: group.from.joined(separator: ", "),
                reason: "same \(i < ambiguousFields.count ? ambiguousFields[i] : fields) as "
                    + "\(group.to.joined(separator: ", ")) on to: not linked, not created")
        }
    }

    /// Items linked without a create (by origin stamp or match key).
    var linked: Int { items.reduce(0) { $0 + ($1.notes.contains { $0.kind == .link } ? 1 : 0) } }

    /// Planned deletes toward `side`.
    public func deletes(toward side: ConnectorContext.Side) -> Int {
        items.reduce(0) { n, item in
            n + (side == .to ? item.toChanges : item.fromChanges).filter { $0.action.kind == .delete }.count
        }
    }
}
