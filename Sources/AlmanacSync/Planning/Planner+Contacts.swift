import AlmanacCore
import Foundation

/// Contacts through the engine (`kind = "contacts"`). A contact travels as an `Event` envelope
/// (`Contact.envelope`): the state, deterministic ids, dry run, mass-delete guard and crash
/// recovery are those of events. What differs:
/// - windows do not apply: the run's window is `SyncJob.contactsWindow`, which holds every
///   envelope's start, and is read as one listing;
/// - the projection compares the contact fields both sides store (`ContentProjection+Contacts`);
/// - `groups` selects `from` contacts as `include` does (one not in a listed group is removed from
///   `to` only when this job created it there), and only `to` contacts in a listed group come back
///   as new `from` items; a linked contact taken out of every listed group on `to` is deleted
///   from `from` only with `apply_back.delete = true`, and otherwise left alone, its link kept
///   (`Linked.leftGroupsOnTo`);
/// - a first link pairs contacts by e-mail, phone and name (`ContactMatcher`), not by `match` fields;
/// - nothing is confirmed or cancelled.
extension SyncJob {
    var contacts: Bool { config.kind == .contacts }

    /// The window of every contacts run: every envelope starts inside it, whatever the zone.
    public static let contactsWindow = TimeWindow(
        start: Date(timeIntervalSince1970: -2_208_988_800),  // 1900-01-01
        end: Date(timeIntervalSince1970: 7_258_118_400))  // 2200-01-01

    /// The window of a run at `now`: the job's, or for contacts `contactsWindow`.
    func window(around now: Date) -> TimeWindow {
        contacts ? Self.contactsWindow : config.window.window(around: now)
    }

    /// Days per listing chunk: contacts are listed in one.
    var chunkDays: Int { contacts ? 0 : config.window.chunkDays }

    /// Whether the envelope `event`'s contact is in one of the job's `groups` (true without groups).
    func inGroups(_ event: Event) -> Bool {
        guard !config.groups.isEmpty else { return true }
        let groups = event.contact?.groups ?? []
        return config.groups.contains { groups.contains($0) }
    }

    /// Why the `from` contact `raw` does not go to `to` (in none of the job's groups), or nil.
    func outOfGroups(_ raw: Event) -> String? {
        inGroups(raw) ? nil : "not in \(groupList)"
    }

    /// `merged` with the job's groups that the `from` contact `f` is in: a merge never takes a
    /// linked contact out of the groups that select it (a first link under `to-wins` would
    /// otherwise write the `to` side's memberships home, and the contact would leave the job).
    /// Taken out on `to` after a sync is `Linked.leftGroupsOnTo`'s, before any merge.
    func keepingGroups(_ merged: Event, of f: Event) -> Event {
        guard contacts, !config.groups.isEmpty, var c = merged.contact else { return merged }
        let kept = config.groups.filter { (f.contact?.groups ?? []).contains($0) && !c.groups.contains($0) }
        guard !kept.isEmpty else { return merged }
        c.groups += kept
        var out = merged
        out.contact = c
        return out
    }

    var groupList: String {
        (config.groups.count == 1 ? "group " : "groups ") + config.groups.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    /// `groups` needs memberships on both sides: `from` to select, `to` to bring contacts back.
    static func checkGroups(_ config: JobConfig, from: any Connector, to: any Connector) throws {
        guard config.kind == .contacts, !config.groups.isEmpty else { return }
        for (side, c) in [("from", from), ("to", to)] where !c.contactFields.contains(.groups) {
            throw AlmanacError(
                .configCapability,
                "job \(config.name): groups needs group memberships on both sides, and the \(side) side does not store them"
            )
        }
    }
}

extension Linked {
    /// A linked contact of a two-way job with `groups` that is in none of them on `to` now: taken
    /// out of the group there. With `apply_back.delete = true` it is deleted from `from` (and the
    /// link forgotten; the `to` contact stays, outside the group); otherwise nothing is written
    /// either way while it stays out, and the link is kept, so putting it back in the group syncs
    /// it again. Nil when that is not the case (and on a first link, which has no base).
    func leftGroupsOnTo(_ f: Seen, item: ItemPlan, sourceKey: String) -> ItemPlan? {
        // Only a contact synced in the group before (its base is in it): a first link of a contact
        // outside the group puts it there instead.
        // The `to` side as read, or as last seen (a delta that did not list it): the state keeps
        // what it held when it left the group (`ItemState.held`).
        guard job.contacts, job.twoWay, !config.groups.isEmpty, let t = toSeen?.event ?? state.held(.to),
            !job.inGroups(t), let keyFrom = state.keyFrom, let base = state.base, job.inGroups(base)
        else { return nil }
        var item = item
        let why = "taken out of \(job.groupList) in to"
        if config.applyBack.delete && job.fromCapabilities.contains(.delete) {
            item.fromChanges.append(
                PlannedChange(
                    change: .delete(key: keyFrom, ifVersion: f.item.version),
                    action: .init(kind: .delete, target: .from, key: sourceKey, reason: why)))
            item.remove = true
        } else {
            item.notes.append(
                .init(
                    kind: .skip, target: .from, key: sourceKey, reason: "\(why); left alone: apply_back.delete = false")
            )
            if let seen = toSeen, seen.hash != state.hashTo {
                // Remembered as it is now, so a run that does not read it leaves it alone too.
                item.next.hashTo = seen.hash
                item.next.versionTo = seen.item.version
                item.next.setHeld(seen.event, .to, differsFromBase: true)
                item.stateChanged = true
            }
        }
        return item
    }
}

extension Planner {
    /// A contact whose version moved while the parts both sides store did not (the fast paths):
    /// the side may have edited a part the other cannot hold (a job title, a phone of another
    /// kind). What it holds now is kept (`ItemState.held`), so that a merge written to it on a
    /// later run that does not read it starts from that and does not take the part back.
    static func holding(_ s: ItemState, from: Event?, to: Event?) -> ItemState {
        var next = s
        for (side, e) in [(ConnectorContext.Side.from, from), (.to, to)] {
            guard let e, e.contact != next.held(side)?.contact else { continue }
            next.setHeld(e, side, differsFromBase: e.contact != next.base?.contact)
        }
        return next
    }

    /// (M) for contacts: the new `from` contacts and the unlinked `to` contacts that no origin
    /// stamp or create id links are paired by `ContactMatcher`, stage by stage (`match`). A `to`
    /// contact is a candidate whether or not it is in the job's groups (a link puts it there).
    func matchUnlinkedContacts(
        newFrom: [String], bad: Set<String>, claimedTo: inout Set<String>, index: ReadIndex, from: SideRead,
        to: SideRead, into plan: inout Plan
    ) -> Set<String> {
        var fromSeen: [String: Seen] = [:]
        var fromCandidates: [ContactMatcher.Candidate] = []
        var made = Set<String>()
        for key in newFrom {
            guard let item = from.items[key], item.event.origin == nil else { continue }
            if job.twoWay, index.isWriteBackID(key, unclaimed: claimedTo) { continue }
            let f = index.seen(item, .from)
            guard job.excluded(f.event) == nil else { continue }
            if let (tk, _) = index.toKey(made: key, unclaimed: claimedTo) {
                made.insert(tk)
                continue
            }
            if to.foundAway[job.id(.to, sourceKey: key, generation: 0)] != nil { continue }
            guard let contact = f.event.contact else { continue }
            fromSeen[key] = f
            fromCandidates.append(.init(key: key, contact: contact))
        }
        var toCandidates: [ContactMatcher.Candidate] = []
        for (key, item) in to.items where !claimedTo.contains(key) && !bad.contains(key) && !made.contains(key) {
            guard item.event.origin == nil, let contact = item.event.contact else { continue }
            if job.twoWay {
                let id = job.id(.from, sourceKey: key, generation: 0)
                if index.fromKey(origin: id) != nil || from.foundAway[id] != nil { continue }
            }
            toCandidates.append(.init(key: key, contact: contact))
        }
        let result = ContactMatcher(rules: job.config.contactMatch, defaultRegion: job.defaultRegion)
            .match(from: fromCandidates, to: toCandidates)
        var held = Set<String>()
        for pair in result.pairs {
            let t = index.seen(to.items[pair.to]!, .to)
            claimedTo.insert(pair.to)
            held.insert(pair.from)
            plan.items.append(
                link(
                    from: fromSeen[pair.from]!, to: t, origin: .found, reason: "matched on \(pair.rule) with \(pair.to)"
                )
            )
        }
        for group in result.ambiguous {
            held.formUnion(group.match.from)
            claimedTo.formUnion(group.match.to)
        }
        plan.ambiguous = result.ambiguous.map(\.match)
        plan.ambiguousFields = result.ambiguous.map(\.rule.rawValue)
        return held
    }
}
