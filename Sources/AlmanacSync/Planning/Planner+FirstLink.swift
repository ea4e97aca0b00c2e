import AlmanacCore
import Foundation

/// (M) First link by match key (issue 19), between (A) and (C) when the planner `matching`: the
/// new items of `from` and the unlinked items of `to` that no origin stamp or create id links
/// (those are linked as before, in (C) and (B)) are paired by the job's `match` fields
/// (`FirstLinkMatcher`). A pair is linked as a link by origin stamp is (`Planner.link`): its
/// state is written, and nothing else unless the two differ in a field the job syncs; then the
/// job's conflict policy decides each differing field (no base) and the merge is written in the
/// same run. Ambiguous items are neither linked nor created nor written back this run, and are
/// listed in `Plan.ambiguous`.
///
/// Items out of scope are not matched: out of the window, cancelled or excluded (`from`), carrying
/// an origin stamp (written by almanac, this job or another), or cancelled on `to`.
extension Planner {
    /// Plans the links and returns the `from` keys (C) must not create; the `to` keys linked or
    /// held back join `claimedTo`, so (B) does not write them back.
    func matchUnlinked(
        newFrom: [String], bad: Set<String>, claimedTo: inout Set<String>, index: ReadIndex, from: SideRead,
        to: SideRead, into plan: inout Plan
    ) -> Set<String> {
        guard matching else { return [] }
        if job.contacts {
            return matchUnlinkedContacts(
                newFrom: newFrom, bad: bad, claimedTo: &claimedTo, index: index, from: from, to: to, into: &plan)
        }
        plan.matchedOn = job.config.match
        var fromSeen: [String: Seen] = [:]
        var fromCandidates: [FirstLinkMatcher.Candidate] = []
        var made = Set<String>()  // `to` items (C) links by create id
        for key in newFrom {
            guard let item = from.items[key], item.event.origin == nil else { continue }
            if job.twoWay, index.isWriteBackID(key, unclaimed: claimedTo) { continue }
            let f = index.seen(item, .from)
            guard from.inWindow(f.event, zone: job.timeZone), job.excluded(f.event) == nil else { continue }
            if let (tk, _) = index.toKey(made: key, unclaimed: claimedTo) {
                made.insert(tk)
                continue
            }
            if to.foundAway[job.id(.to, sourceKey: key, generation: 0)] != nil { continue }
            guard let values = matchKey(f.event) else { continue }
            fromSeen[key] = f
            fromCandidates.append(.init(key: key, values: values))
        }
        var toCandidates: [FirstLinkMatcher.Candidate] = []
        for (key, item) in to.items where !claimedTo.contains(key) && !bad.contains(key) && !made.contains(key) {
            guard item.event.origin == nil, item.event.status != .cancelled,
                to.inWindow(item.event, zone: job.timeZone)
            else { continue }
            if job.twoWay {
                let id = job.id(.from, sourceKey: key, generation: 0)
                if index.fromKey(origin: id) != nil || from.foundAway[id] != nil { continue }
            }
            guard let values = matchKey(item.event) else { continue }
            toCandidates.append(.init(key: key, values: values))
        }
        let result = FirstLinkMatcher.match(from: fromCandidates, to: toCandidates)
        var held = Set<String>()
        let fields = job.config.match.map(\.name).joined(separator: ", ")
        for pair in result.pairs {
            let t = index.seen(to.items[pair.to]!, .to)
            claimedTo.insert(pair.to)
            held.insert(pair.from)
            plan.items.append(
                link(from: fromSeen[pair.from]!, to: t, origin: .found, reason: "matched on \(fields) with \(pair.to)"))
        }
        for group in result.ambiguous {
            held.formUnion(group.from)
            claimedTo.formUnion(group.to)
        }
        plan.ambiguous = result.ambiguous
        return held
    }

    /// The values of the job's `match` fields in `event`; nil when one is missing.
    func matchKey(_ event: Event) -> [MatchValue]? {
        var out: [MatchValue] = []
        out.reserveCapacity(job.config.match.count)
        for field in job.config.match {
            guard let value = Self.value(field, of: event, phones: job.config.phonePriority) else { return nil }
            out.append(value)
        }
        return out
    }

    static func value(_ field: MatchField, of e: Event, phones: [PhoneKind]) -> MatchValue? {
        func participant(_ n: Int) -> Participant? { n < e.participants.count ? e.participants[n] : nil }
        switch field {
        case .startTime: return .time(e.start)
        case .endTime: return e.end.map(MatchValue.time)
        case .title: return .text(e.title)
        case .content: return .text(e.description)
        case .location: return .text(e.location)
        case .status: return .text(e.status.rawValue)
        case .participantName(let n): return .text(participant(n)?.name)
        case .participantEmail(let n): return .text(participant(n)?.email)
        case .participantPhone(let n): return .text(participant(n)?.phone(priority: phones + [.other]))
        case .custom(let name): return .text(e.custom[name])
        }
    }
}
