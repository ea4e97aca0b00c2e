import AlmanacCore
import Foundation

/// The inverse of `RowMapper`: an `Event` as values by `StandardField`, for writing files.
/// What it writes, `RowMapper` reads back to the same event (times in the profile's zone, with
/// their UTC offset unless the field's format has none).
public struct RowRenderer {
    public let zone: ZoneResolver
    public let formats: [StandardField: TimeFormat]

    public init(zone: ZoneResolver, formats: [StandardField: TimeFormat]) {
        self.zone = zone
        self.formats = formats
    }

    public func values(key: String, event: Event) -> [StandardField: String] {
        var out: [StandardField: String] = [.externalID: key]
        if let t = event.title { out[.title] = t }
        if let d = event.description { out[.content] = d }
        if let l = event.location { out[.location] = l }
        out[.startTime] = time(event.start, .startTime)
        if let e = event.end { out[.endTime] = time(e, .endTime) }
        out[.allDay] = event.start.isAllDay ? "true" : "false"
        out[.status] = event.status.rawValue
        if let c = event.created { out[.created] = time(.instant(c, timeZone: nil), .created) }
        if let u = event.updated { out[.updated] = time(.instant(u, timeZone: nil), .updated) }
        for (n, p) in event.participants.prefix(StandardField.maxParticipants).enumerated() {
            if let v = p.name { out[.participant(n, .name)] = v }
            if let v = p.email { out[.participant(n, .email)] = v }
            if let v = p.phones[.other] { out[.participant(n, .phone)] = v }
            if let v = p.phones[.mobile] { out[.participant(n, .phoneMobile)] = v }
            if let v = p.phones[.home] { out[.participant(n, .phoneHome)] = v }
            if let v = p.phones[.work] { out[.participant(n, .phoneWork)] = v }
        }
        for (k, v) in event.custom { out[.custom(k)] = v }
        for name in RecurrenceColumns.names {
            let v = RecurrenceColumns.value(name, of: event, zone: zone.timeZone) { time($0, .custom(name)) }
            if let v { out[.custom(name)] = v }
        }
        return out
    }

    private func time(_ t: EventTime, _ field: StandardField) -> String {
        (formats[field] ?? .iso8601).format(t, zone: zone)
    }

    /// A stable column order for `rows`: the scalar standard fields, then the participant fields
    /// present in any row (by index, then name, email, phones), then custom fields by name.
    public static func columns(for rows: some Sequence<[StandardField: String]>) -> [StandardField] {
        var participants = Set<StandardField>()
        var custom = Set<String>()
        for row in rows {
            for field in row.keys {
                switch field {
                case .participant: participants.insert(field)
                case .custom(let name): custom.insert(name)
                default: break
                }
            }
        }
        var out = StandardField.scalars
        for n in 0..<StandardField.maxParticipants {
            for a in StandardField.ParticipantAttribute.allCases where participants.contains(.participant(n, a)) {
                out.append(.participant(n, a))
            }
        }
        out += custom.sorted().map { StandardField.custom($0) }
        return out
    }
}
