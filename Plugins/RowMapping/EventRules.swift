import AlmanacCore
import Foundation

/// The rules of the mapping that do not depend on how a cell is read, applied by every source
/// connector's row mapper (`RowMapper`, for odbc, csv and xml).
public enum EventRules {
    /// The end of an event as read, or nil when it is before `start` (a bad row). An all-day end
    /// is exclusive: an all-day end on its start date is read as a one-day event. An all-day time
    /// compared with a timed one counts from its midnight in `zone`.
    public static func end(_ end: EventTime, start: EventTime, zone: ZoneResolver) -> EventTime? {
        switch (end, start) {
        case (.allDay(let e), .allDay(let s)):
            if e == s { return .allDay(s.adding(days: 1)) }
            return e < s ? nil : end
        case (.instant(let e, _), .instant(let s, _)):
            return e < s ? nil : end
        default:
            func date(_ t: EventTime) -> Date {
                switch t {
                case .instant(let d, _): return d
                case .allDay(let d): return zone.instant(d, secondsOfDay: 0)
                }
            }
            return date(end) < date(start) ? nil : end
        }
    }
}

extension EventRules {
    /// A time read from a cell as an event time, for every source: `allDay` true makes any time
    /// all-day (an instant on its date in `zone`); false makes any time timed (a date at its
    /// midnight in `zone`); nil (an odbc row without an `all_day` value) keeps a date all-day and
    /// a time timed. Naive times are wall-clock times in `zone`, with `zoneID`; a time written
    /// with its own offset or `Z` is that instant, with `offsetZoneID` — where the sources differ:
    /// nil for odbc, the profile's zone for csv and xml.
    public static func time(
        _ t: ParsedTime, allDay: Bool?, zone: ZoneResolver, zoneID: String, offsetZoneID: String?
    ) -> EventTime {
        switch t {
        case .date(let d):
            if allDay == false { return .instant(instant(t, zone: zone), timeZone: zoneID) }
            return .allDay(d)
        case .naive(let d, _, _):
            if allDay == true { return .allDay(d) }
            return .instant(instant(t, zone: zone), timeZone: zoneID)
        case .instant(let i):
            if allDay == true { return .allDay(zone.wallClock(i).date) }
            return .instant(i, timeZone: offsetZoneID)
        }
    }

    /// A time read from a cell as an instant (`created`, `updated`, window checks): a date at its
    /// midnight in `zone`, a naive time in `zone`.
    public static func instant(_ t: ParsedTime, zone: ZoneResolver) -> Date {
        switch t {
        case .date(let d): return zone.instant(d, secondsOfDay: 0)
        case .naive(let d, let seconds, let nanoseconds):
            return zone.instant(d, secondsOfDay: seconds, nanoseconds: nanoseconds)
        case .instant(let i): return i
        }
    }
}

extension StandardField.ParticipantAttribute {
    /// Sets this attribute of `p` from a cell's non-empty text: name, e-mail and phones as
    /// written, a response by `FieldText.response`. False when the response is none of those.
    public func set(_ text: String, on p: inout Participant) -> Bool {
        switch self {
        case .name: p.name = text
        case .email: p.email = text
        case .phone, .phoneMobile, .phoneHome, .phoneWork:
            let kind = phoneKind!
            if p.phones.isEmpty { p.phones = OnePhone.dictionary(kind, text) } else { p.phones[kind] = text }
        case .response:
            guard let r = FieldText.response(text) else { return false }
            p.response = r
        }
        return true
    }
}

/// A participant's first phone as a one-element dictionary copied from a template of its kind,
/// the value set in place: no key hashed, no hasher seeded (a literal does both, ~0.5 k
/// instructions a row).
private enum OnePhone {
    static let mobile: [PhoneKind: String] = [.mobile: ""]
    static let home: [PhoneKind: String] = [.home: ""]
    static let work: [PhoneKind: String] = [.work: ""]
    static let other: [PhoneKind: String] = [.other: ""]

    static func dictionary(_ kind: PhoneKind, _ text: String) -> [PhoneKind: String] {
        var d: [PhoneKind: String]
        switch kind {
        case .mobile: d = mobile
        case .home: d = home
        case .work: d = work
        case .other: d = other
        }
        d.values[d.startIndex] = text
        return d
    }
}

extension Dictionary {
    /// `self[key] = value` for a row's custom fields and phones, the first as a one-element
    /// literal: growing a dictionary from empty hashes the key twice and resizes, and
    /// `Dictionary(minimumCapacity:)` is not specialized (it costs more than both).
    @inline(__always)
    mutating func set(_ value: Value, for key: Key) {
        if isEmpty { self = [key: value] } else { self[key] = value }
    }
}

extension Dictionary where Key == String, Value == String {
    /// `set` for a row's custom fields, kept out of the row walk: inlined into a function that
    /// large, the one-element literal's array is allocated on the heap (one more `malloc` a row).
    @inline(never)
    mutating func setCustom(_ value: String, for key: String) { set(value, for: key) }
}
