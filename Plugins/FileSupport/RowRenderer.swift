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

/// FNV-1a, 64 bits: the per-item content version of file connectors (fast enough for
/// 200 MB files; a version only has to change when the content does).
public struct ContentHash {
    /// The hash so far.
    public var value: UInt64 { state }
    /// Internal, `@usableFromInline`: the methods below are inlined into the connectors.
    @usableFromInline var state: UInt64 = 0xcbf2_9ce4_8422_2325

    @inlinable
    public init() {}

    @inlinable
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = state
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        state = h
    }

    /// Adds the UTF-8 of `string` and a separator (read in place: no copy of the string).
    @inlinable
    public mutating func add(_ string: String) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { add(UnsafeRawBufferPointer($0)) }
        if done == nil {
            var s = string
            s.withUTF8 { add(UnsafeRawBufferPointer($0)) }
        }
        separator()
    }

    /// Separates two values, so ("ab","c") and ("a","bc") differ.
    @inlinable
    public mutating func separator() { state = (state ^ 0x1F) &* 0x0000_0100_0000_01b3 }

    /// 16 lowercase hex digits.
    public var hex: String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 16) { out in
            digits.withUTF8Buffer { d in
                for i in 0..<16 { out[i] = d[Int((value >> UInt64(60 - 4 * i)) & 0xF)] }
            }
            return 16
        }
    }
}
