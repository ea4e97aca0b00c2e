import AlmanacTestKit
import Foundation

/// Draws each round's changes from a seeded generator, reading the model to pick targets.
/// Times are whole quarter hours between 08:00 and 18:00 in the profile's zone, at least a day
/// from the window's edges (the edges themselves are case 12.11, tested apart).
struct MutationGenerator {
    var random: SeededRandom
    let known: Set<KnownDefect>
    let now: Date
    let zone: TimeZone
    var nextRow = 1
    /// Whether this round lost the state (`KnownDefect.lostStateWrittenBackEventAway`: nothing
    /// moves out of the window until the run has linked again).
    var lostThisRound = false

    static let titles = ["Checkup", "Cleaning", "X-ray", "Consult", "Follow-up", "Filling"]
    static let names = ["Ann Lee", "Bob Ortiz", "Cy Young", "Di Park", "Émile Zola"]
    static let kinds = ["checkup", "hygiene", "xray"]

    /// How many changes the next round makes (each drawn after the previous one is applied).
    mutating func changesThisRound() -> Int {
        lostThisRound = false
        return Int.random(in: 1...4, using: &random)
    }

    /// One change, drawn until one applies to what the model holds (nil after ten misses).
    mutating func draw(_ m: SyncModel) -> Mutation? {
        for _ in 0..<10 {
            // The state is lost last in its round (`KnownDefect.lostStateWrittenBackEventAway`).
            if known.contains(.lostStateWrittenBackEventAway) && lostThisRound { return nil }
            if let change = attempt(m) { return change }
        }
        return nil
    }

    mutating func attempt(_ m: SyncModel) -> Mutation? {
        let rows = m.rows.keys.sorted()
        let events = m.events.keys.sorted()
        let inRows = rows.filter { m.inWindow(m.rows[$0]!.fields) }
        let farRows = rows.filter { !m.inWindow(m.rows[$0]!.fields) }
        let inEvents = events.filter { m.inWindow(m.events[$0]!.fields) }
        let farEvents = events.filter { !m.inWindow(m.events[$0]!.fields) }
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<14: return newRow(far: random.chance(0.2))
        case 14..<40 where !rows.isEmpty:
            let id = random.pick(rows)
            return editRow(id, m.rows[id]!.fields, inWindow: m.inWindow(m.rows[id]!.fields))
        case 40..<44 where !farRows.isEmpty:
            let id = random.pick(farRows)
            return .putRow(id: id, moved(m.rows[id]!.fields, far: false), newer: random.chance(0.5), what: "move in")
        case 44..<47 where !inRows.isEmpty:
            guard let id = inRows.randomElement(using: &random) else { return nil }
            return .putRow(id: id, moved(m.rows[id]!.fields, far: true), newer: random.chance(0.5), what: "move out")
        case 47..<53 where !rows.isEmpty: return .deleteRow(id: random.pick(rows))
        case 53..<60: return .createEvent(fields(far: random.chance(0.15), email: random.chance(0.8)))
        case 60..<76 where !events.isEmpty:
            let key = random.pick(events)
            let old = m.events[key]!.fields
            return editEvent(key, old, inWindow: m.inWindow(old))
        case 76..<78 where !farEvents.isEmpty:
            let key = random.pick(farEvents)
            return .editEvent(key: key, moved(m.events[key]!.fields, far: false), what: "move in")
        case 78..<80 where !inEvents.isEmpty:
            let key = random.pick(inEvents)
            return .editEvent(key: key, moved(m.events[key]!.fields, far: true), what: "move out")
        case 80..<91:
            let answering = events.filter { m.events[$0]!.response != "" }
            guard !answering.isEmpty else { return nil }
            let key = random.pick(answering)
            return .respond(key: key, random.pick(["accepted", "declined", "needsAction"]))
        case 91..<96 where !events.isEmpty: return .deleteEvent(key: random.pick(events))
        case 96..<98 where !events.isEmpty:
            return .touchUnsynced(key: random.pick(events))
        case 98..<100:
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return .expireCursor
            case 1: return .fullListing
            default:
                let away = m.links.contains { l in
                    guard l.rowID != nil, let e = l.eventKey.flatMap({ m.events[$0] }) else { return false }
                    return e.external && !m.inWindow(e.fields)
                }
                if known.contains(.lostStateWrittenBackEventAway) && away { return .fullListing }
                lostThisRound = true
                return .loseState
            }
        default: return nil
        }
    }

    mutating func newRow(far: Bool) -> Mutation {
        let id = "r\(nextRow)"
        nextRow += 1
        var f = fields(far: far, email: random.chance(0.75))
        if random.chance(0.1) { f.end = nil }
        return .putRow(id: id, f, newer: random.chance(0.5), what: "insert")
    }

    mutating func editRow(_ id: String, _ old: Fields, inWindow: Bool) -> Mutation {
        var f = old
        let what: String
        switch Int.random(in: 0..<7, using: &random) {
        case 0: (f.title, what) = (title(), "title")
        case 1: (f.notes, what) = (random.chance(0.3) ? nil : text("note"), "notes")
        case 2: (f.location, what) = (random.chance(0.3) ? nil : text("Room"), "location")
        case 3: (f, what) = (moved(old, far: !inWindow), "move")
        case 4: (f.end, what) = (random.chance(0.15) ? nil : f.start.addingTimeInterval(duration()), "resize")
        case 5:
            if f.email != nil && random.chance(0.5) {
                (f.email, what) = (email(random.pick(Self.names)), "email")
            } else {
                (f.name, what) = (random.pick(Self.names), "name")
            }
        default: (f.kind, what) = (random.chance(0.25) ? nil : random.pick(Self.kinds), "kind")
        }
        return .putRow(id: id, f, newer: random.chance(0.5), what: what)
    }

    mutating func editEvent(_ key: String, _ old: Fields, inWindow: Bool) -> Mutation {
        var f = old
        let what: String
        switch Int.random(in: 0..<5, using: &random) {
        case 0: (f.title, what) = (title(), "title")
        case 1: (f.notes, what) = (random.chance(0.3) ? nil : text("note"), "notes")
        case 2: (f.location, what) = (random.chance(0.3) ? nil : text("Room"), "location")
        case 3: (f, what) = (moved(old, far: !inWindow), "move")
        default: (f.end, what) = (f.start.addingTimeInterval(duration()), "resize")
        }
        return .editEvent(key: key, f, what: what)
    }

    mutating func fields(far: Bool, email: Bool) -> Fields {
        let start = time(far: far)
        let name: String? = random.chance(0.85) ? random.pick(Self.names) : nil
        return Fields(
            title: title(), notes: random.chance(0.5) ? text("note") : nil,
            location: random.chance(0.5) ? text("Room") : nil, start: start,
            end: start.addingTimeInterval(duration()), name: name,
            email: email ? self.email(name ?? "guest") : nil,
            kind: random.chance(0.6) ? random.pick(Self.kinds) : nil)
    }

    /// `f` moved to another day and time, keeping its length, inside the window or far from it.
    mutating func moved(_ f: Fields, far: Bool) -> Fields {
        var out = f
        out.start = time(far: far)
        out.end = f.end.map { out.start.addingTimeInterval($0.timeIntervalSince(f.start)) }
        return out
    }

    mutating func time(far: Bool) -> Date {
        let day =
            far
            ? random.pick([-30, -20, 45, 60]) + Int.random(in: 0...5, using: &random)
            : Int.random(in: -6...28, using: &random)
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        let today = c.startOfDay(for: now)
        let date = c.date(byAdding: .day, value: day, to: today)!
        return c.date(
            bySettingHour: Int.random(in: 8...17, using: &random), minute: 15 * Int.random(in: 0...3, using: &random),
            second: 0, of: date)!
    }

    mutating func duration() -> TimeInterval { Double(15 * Int.random(in: 1...8, using: &random)) * 60 }

    mutating func title() -> String { edged("\(random.pick(Self.titles)) \(Int.random(in: 1...999, using: &random))") }

    mutating func text(_ prefix: String) -> String { edged("\(prefix) \(Int.random(in: 1...99, using: &random))") }

    func email(_ name: String) -> String {
        name.lowercased().filter { $0.isLetter && $0.isASCII } + "@example.org"
    }

    /// Leading or trailing white space now and then: white space is data (case 12.8).
    mutating func edged(_ s: String) -> String {
        guard random.chance(0.1) else { return s }
        return random.chance(0.5) ? s + " " : " " + s
    }
}
