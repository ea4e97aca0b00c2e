import AlmanacCore
import AlmanacSync
import Foundation

/// The model: both sides and the engine's links as plain values, and what one run of a two-way
/// job does to them, written from the documented rules (README, ARCHITECTURE.md §5): each side compared
/// with the last synced base, field by field (start and end together, as the appointment's
/// time); a field changed on one side goes to the other; a field changed on both is settled by
/// the conflict policy; `apply`/`apply_back` decide what may
/// be written; a first attendee's new answer runs `on_confirmed`/`on_cancelled` once; nothing
/// outside the window is touched.
struct SyncModel {
    let config: EpisodeConfig
    let window: TimeWindow
    let profile: String
    let job: String
    var rows: [String: RowValue] = [:]
    var events: [String: EventValue] = [:]
    var links: [Link] = []
    /// Per row, the generations of event ids used so far (Google keeps deleted ids reserved).
    var generationsUsed: [String: Int] = [:]

    var synced: [Field] { Field.synced(config.calendar) }

    func inWindow(_ f: Fields) -> Bool { window.contains(f.start) }

    func eventID(row: String, generation: Int) -> String {
        DeterministicID.make(profile: profile, job: job, direction: .to, sourceKey: row, generation: generation)
    }

    func rowID(event: String) -> String {
        DeterministicID.make(profile: profile, job: job, direction: .from, sourceKey: event, generation: 0)
    }

    func same(_ a: Fields, _ b: Fields) -> Bool { synced.allSatisfy { $0.value(a) == $0.value(b) } }

    /// The event almanac creates for a row: on Cronofy without custom fields, with an attendee
    /// only when the row has an e-mail.
    func createdEvent(_ row: Fields) -> EventValue {
        var f = row
        if config.calendar == .cronofy {
            f.kind = nil
            if f.email == nil { f.name = nil }
        }
        return EventValue(fields: f, response: row.email == nil ? "" : "needsAction", external: false).stored
    }

    /// The response the engine records for a row's participants (no participant: "").
    func responseOf(row: Fields) -> String {
        row.name == nil && row.email == nil ? "" : "needsAction"
    }

    /// Applies one run of the engine to the model; returns the writes it makes.
    mutating func run() -> ExpectedCounts {
        var counts = ExpectedCounts()
        var kept: [Link] = []
        for var link in links {
            if step(&link, &counts) { kept.append(link) }
        }
        links = kept
        let linkedRows = Set(links.compactMap(\.rowID))
        for id in rows.keys.sorted() where !linkedRows.contains(id) && inWindow(rows[id]!.fields) {
            createFromRow(id, &counts)
        }
        let linkedEvents = Set(links.compactMap(\.eventKey))
        for key in events.keys.sorted() where !linkedEvents.contains(key) {
            let e = events[key]!
            guard e.external, inWindow(e.fields) else { continue }
            let id = rowID(event: key)
            if rows[id] != nil {
                // Written back before the state was lost, the row now out of the window (one in
                // it was linked above): linked by the row's key, and left alone.
                links.append(Link(rowID: id, eventKey: key, base: nil, responseSeen: nil))
                continue
            }
            guard config.applyBack.create else { continue }
            rows[id] = RowValue(fields: e.fields, newer: nil)
            if config.calendar == .cronofy { rows[id]!.fields.kind = nil }
            links.append(Link(rowID: id, eventKey: key, base: rows[id]!.fields, responseSeen: e.response))
            counts.fromCreated += 1
        }
        return counts
    }

    /// A row no link names, in the window: new, or known before the state was lost. An event
    /// almanac made for it (any generation) or the calendar event it was written back from is
    /// linked as on a first sync (one out of the window is linked and left alone until it is
    /// back); otherwise the row is created on the calendar when `apply.create`, under the first
    /// id no deleted event reserves.
    private mutating func createFromRow(_ id: String, _ counts: inout ExpectedCounts) {
        let row = rows[id]!.fields
        if let key = events.keys.sorted().first(where: { belongs($0, to: id) }) {
            var link = Link(rowID: id, eventKey: key, base: nil, responseSeen: nil)
            link.generation = (0..<(generationsUsed[id] ?? 0)).first { eventID(row: id, generation: $0) == key } ?? 0
            if inWindow(events[key]!.fields) {
                merge(&link, id: id, key: key, row: rows[id]!, event: events[key]!, &counts)
            }
            links.append(link)
            return
        }
        var link = Link(rowID: id, base: row, waitingFor: row, responseSeen: responseOf(row: row))
        if config.apply.create {
            // Cronofy reuses a deleted event_id (an upsert); Google keeps it reserved.
            let generation = config.calendar == .google ? generationsUsed[id] ?? 0 : 0
            let key = eventID(row: id, generation: generation)
            events[key] = createdEvent(row)
            generationsUsed[id] = max(generationsUsed[id] ?? 0, generation + 1)
            link.eventKey = key
            link.waitingFor = nil
            counts.toCreated += 1
        }
        links.append(link)
    }

    /// Whether the live event `key` is the row `id`'s: made for it by almanac, or the calendar
    /// event the row was written back from.
    func belongs(_ key: String, to id: String) -> Bool {
        guard let e = events[key] else { return false }
        if e.external { return rowID(event: key) == id }
        return (0..<(generationsUsed[id] ?? 0)).contains { eventID(row: id, generation: $0) == key }
    }

    /// The engine's state is lost: every link is forgotten (the next run links again).
    mutating func loseState() {
        links = []
    }

    /// One linked item; returns whether the engine keeps its link.
    private mutating func step(_ link: inout Link, _ counts: inout ExpectedCounts) -> Bool {
        let event = link.eventKey.flatMap { events[$0] }
        guard let id = link.rowID else { return event != nil }  // the row is gone; the event is left alone
        guard let row = rows[id] else {
            // Deleted in the database; an event away from the window waits until it is back.
            guard let key = link.eventKey, let event else { return false }
            guard inWindow(event.fields) else { return true }
            if config.apply.delete {
                events[key] = nil
                counts.toDeleted += 1
                return false
            }
            link.rowID = nil
            return true
        }
        guard inWindow(row.fields) else { return true }  // moved away: left alone, link kept
        guard let key = link.eventKey else {
            // Not on the calendar: created once the row changes (when apply.create allows).
            guard let waiting = link.waitingFor, !same(waiting, row.fields) else { return true }
            link.waitingFor = row.fields
            link.responseSeen = responseOf(row: row.fields)
            link.base = row.fields
            if config.apply.create {
                let newKey = eventID(row: id, generation: link.generation)
                events[newKey] = createdEvent(row.fields)
                generationsUsed[id] = max(generationsUsed[id] ?? 0, link.generation + 1)
                link.eventKey = newKey
                link.waitingFor = nil
                counts.toCreated += 1
            }
            return true
        }
        guard let event else {
            // Deleted on the calendar: a cancellation for write-back, and a delete when allowed.
            if link.writeBack != "cancelled" {
                rows[id]!.cancelled += 1
                link.writeBack = "cancelled"
                counts.cancelled += 1
            }
            if config.applyBack.delete {
                rows[id] = nil
                counts.fromDeleted += 1
                return false
            }
            link.eventKey = nil
            link.generation += 1
            link.waitingFor = row.fields
            return true
        }
        guard inWindow(event.fields) else { return true }  // moved away on the calendar: left alone
        merge(&link, id: id, key: key, row: row, event: event, &counts)
        return true
    }

    /// Both sides hold the item: three-way merge against the base, then the write-back of a new
    /// answer.
    private mutating func merge(
        _ link: inout Link, id: String, key: String, row: RowValue, event: EventValue, _ counts: inout ExpectedCounts
    ) {
        let r = row.fields
        let e = event.fields
        var toNew = e
        var fromNew = r
        for unit in Field.units(synced) where unit.contains(where: { $0.value(r) != $0.value(e) }) {
            // On a first link every differing field counts as changed on both sides.
            let fromChanged = link.base.map { b in unit.contains { $0.value(r) != $0.value(b) } } ?? true
            let toChanged = link.base.map { b in unit.contains { $0.value(e) != $0.value(b) } } ?? true
            let takeFrom: Bool
            if fromChanged && !toChanged {
                takeFrom = true
            } else if toChanged && !fromChanged {
                takeFrom = false
            } else {
                switch config.conflict {
                case .fromWins: takeFrom = true
                case .toWins: takeFrom = false
                case .newestWins: takeFrom = row.newer == true
                }
            }
            for field in unit {
                if takeFrom { field.copy(from: r, into: &toNew) } else { field.copy(from: e, into: &fromNew) }
            }
        }
        let toDiff = !same(toNew, e)
        let fromDiff = !same(fromNew, r)
        let wroteTo = !toDiff || config.apply.update
        let wroteFrom = !fromDiff || config.applyBack.update
        if toDiff && config.apply.update {
            var updated = event
            for field in synced { field.copy(from: toNew, into: &updated.fields) }
            events[key] = updated.stored
            counts.toUpdated += 1
        }
        if fromDiff && config.applyBack.update {
            for field in synced { field.copy(from: fromNew, into: &rows[id]!.fields) }
            counts.fromUpdated += 1
        }
        var base = toNew
        for field in synced {
            if !wroteFrom && field.value(r) != field.value(toNew) { field.copy(from: r, into: &base) }
            if !wroteTo && field.value(e) != field.value(toNew) { field.copy(from: e, into: &base) }
        }
        link.base = base
        let before = link.responseSeen
        var answer: String?
        if event.response == "declined" && before != "declined" && link.writeBack != "cancelled" {
            answer = "cancelled"
        } else if event.response == "accepted" && before != "accepted" && link.writeBack != "confirmed" {
            answer = "confirmed"
        }
        if let answer {
            link.writeBack = answer
            // On a first link the answer may have been written back before the state was lost:
            // the row does not show it and the statements are not idempotent, so it is not sent.
            if before != nil {
                if answer == "confirmed" { rows[id]!.confirmed += 1 } else { rows[id]!.cancelled += 1 }
                if answer == "confirmed" { counts.confirmed += 1 } else { counts.cancelled += 1 }
            }
        }
        link.responseSeen = event.response
    }
}
