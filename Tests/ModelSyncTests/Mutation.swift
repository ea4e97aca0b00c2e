import Foundation

/// One change a person makes between runs, on the database or in the calendar.
enum Mutation: CustomStringConvertible {
    /// A row inserted, or changed (`what` names the change), with its new values.
    case putRow(id: String, Fields, newer: Bool, what: String)
    case deleteRow(id: String)
    /// An event made in the calendar itself (its key is known once made).
    case createEvent(Fields)
    case editEvent(key: String, Fields, what: String)
    case respond(key: String, String)
    case deleteEvent(key: String)
    /// A change to something almanac does not sync (Google `colorId`).
    case touchUnsynced(key: String)
    /// Every Google sync token answers 410 from now on (the next read lists the window in full).
    case expireCursor
    /// The next run lists both sides in full (`almanac sync --full`).
    case fullListing
    /// The engine's state file is lost (deleted) before the next run.
    case loseState

    var description: String {
        switch self {
        case .putRow(let id, let f, let newer, let what):
            return "db \(what) \(id): \(Self.show(f))\(newer ? " (updated: later)" : "")"
        case .deleteRow(let id): return "db delete \(id)"
        case .createEvent(let f): return "calendar create: \(Self.show(f))"
        case .editEvent(let key, let f, let what): return "calendar \(what) \(Self.short(key)): \(Self.show(f))"
        case .respond(let key, let r): return "calendar \(Self.short(key)) first attendee \(r)"
        case .deleteEvent(let key): return "calendar delete \(Self.short(key))"
        case .touchUnsynced(let key): return "calendar colorId of \(Self.short(key))"
        case .expireCursor: return "calendar sync tokens expire"
        case .fullListing: return "next run --full"
        case .loseState: return "state file lost"
        }
    }

    static func short(_ key: String) -> String { key.count > 20 ? String(key.prefix(10)) + "…" : key }

    static func show(_ f: Fields) -> String {
        let z = TimeZone(identifier: "America/Chicago")!
        var style = Date.ISO8601FormatStyle(timeZone: z)
        style = style.year().month().day().time(includingFractionalSeconds: false)
        func q(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "nil" }
        let end = f.end.map { "\(Int($0.timeIntervalSince(f.start) / 60))m" } ?? "nil"
        return "title=\(q(f.title)) notes=\(q(f.notes)) loc=\(q(f.location)) start=\(f.start.formatted(style)) "
            + "len=\(end) name=\(q(f.name)) email=\(q(f.email)) kind=\(q(f.kind))"
    }
}
