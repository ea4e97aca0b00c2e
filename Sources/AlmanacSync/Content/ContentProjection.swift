import AlmanacCore
import Foundation

/// The normalised view of an event restricted to the fields both sides of a job represent.
///
/// Two events with the same projection are the same appointment as far as the job can tell, so a
/// round trip through a side that drops or reformats other fields is not a change. It is the one
/// normalisation of the engine: what it equates, no writer may tell apart, and what it tells
/// apart reaches the other side. Per field:
/// - `title`, `description`, `location`, custom values, participant names and phones: text as
///   written, white space included (it is data: `"abc"` and `"abc "` differ); an empty text is
///   the same as an absent one. When a side trims text on read and write (`Connector.trimsText`,
///   said in its README), the job compares text trimmed.
/// - participant e-mail addresses: lower-cased (calendars do).
/// - `start`, `end`: instants are whole seconds (their zone is not content); all-day dates stay
///   dates, unless one side cannot keep all-day times (`Connector.keepsAllDay`): then they are
///   the instants of their midnights in the job's zone, as that side stores them. A missing end
///   is the end calendars give such an event: the start for a timed event, the next day for an
///   all-day one.
/// - custom fields are sorted by name; empty ones are left out.
/// - `recurrence`: an instance's series key and original start, and a series' rules and dates as
///   a side that stores only RRULE/RDATE/EXDATE holds them (`EventSeries.canonical`). An event
///   with neither adds nothing to the hash (hashes of jobs without recurrence stay as they were).
public struct ContentProjection: Sendable, Hashable {
    /// The fields compared and hashed, in a fixed order.
    public let fields: [EventField]
    public let phonePriority: [PhoneKind]
    /// Non-nil when all-day times are compared as the instants of their midnights in this zone.
    public let allDayZone: TimeZone?
    /// Whether text is compared without surrounding white space.
    public let trimsText: Bool
    /// The contact fields compared and hashed (`Event.contact`), in a fixed order: empty for an
    /// events job, and a contacts job compares no event field (`ContentProjection+Contacts`).
    public let contactFields: [ContactField]
    /// The parts of a contact compared, hashed and merged: what both sides store.
    public let contactShape: ContactShape

    public init(
        fields: Set<EventField>, phonePriority: [PhoneKind] = [.mobile, .home, .work, .other],
        allDayZone: TimeZone? = nil, trimsText: Bool = false, contactFields: Set<ContactField> = []
    ) {
        self.init(
            fields: fields, phonePriority: phonePriority, allDayZone: allDayZone, trimsText: trimsText,
            contactShape: ContactShape(fields: contactFields))
    }

    public init(
        fields: Set<EventField>, phonePriority: [PhoneKind] = [.mobile, .home, .work, .other],
        allDayZone: TimeZone? = nil, trimsText: Bool = false, contactShape: ContactShape
    ) {
        self.fields = EventField.allCases.filter { fields.contains($0) }
        self.phonePriority = phonePriority
        self.allDayZone = allDayZone
        self.trimsText = trimsText
        self.contactShape = contactShape
        self.contactFields = ContactField.allCases.filter { contactShape.fields.contains($0) }
    }

    /// The projection for a job between two connectors: the fields both represent; all-day times
    /// are compared as instants in `zone` when either side cannot keep them. A contacts job
    /// compares the contact parts both store (`Connector.contactShape`) and no event field.
    public init(
        between a: any Connector, and b: any Connector, phonePriority: [PhoneKind], zone: TimeZone,
        kind: ItemKind = .events
    ) {
        self.init(
            fields: kind == .contacts ? [] : a.fields.intersection(b.fields), phonePriority: phonePriority,
            allDayZone: a.keepsAllDay && b.keepsAllDay ? nil : zone, trimsText: a.trimsText || b.trimsText,
            contactShape: kind == .contacts ? a.contactShape.intersection(b.contactShape) : ContactShape())
    }

    /// The normalised value of one field.
    public func value(_ field: EventField, of event: Event) -> String {
        switch field {
        case .title: return text(event.title)
        case .description: return text(event.description)
        case .location: return text(event.location)
        case .start: return time(event.start)
        case .end: return time(Self.end(of: event))
        case .status: return event.status.rawValue
        case .participants:
            return event.participants.map { p in
                text(p.name) + "\u{1f}" + text(p.email).lowercased() + "\u{1f}"
                    + text(p.phone(priority: phonePriority))
            }.joined(separator: "\u{1e}")
        case .responses: return event.participants.map(\.response.rawValue).joined(separator: ",")
        case .custom:
            return event.custom.keys.sorted().compactMap { k in
                let v = text(event.custom[k])
                return v.isEmpty ? nil : k + "=" + v
            }.joined(separator: "\u{1e}")
        case .recurrence:
            var out = ""
            if let r = event.recurrence { out = "I" + r.seriesKey + "@" + time(r.originalStart) }
            if let s = event.series { out += "S" + s.canonical }
            return out
        }
    }

    /// The projection's `ContentHash` (32 hex digits): what the state store keeps as
    /// `hash_from`/`hash_to`.
    public func hash(_ event: Event) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        for f in fields {
            if f == .recurrence && event.recurrence == nil && event.series == nil { continue }
            bytes.append(UInt8(truncatingIfNeeded: f.hashValueTag))
            append(f, of: event, to: &bytes)
            bytes.append(0x1c)
        }
        if !contactFields.isEmpty { appendContact(event.contact, to: &bytes) }
        return ContentHash.hex(bytes)
    }

    /// Appends the normalised value of `field` (the bytes of `value(field, of:)`).
    private func append(_ field: EventField, of event: Event, to bytes: inout [UInt8]) {
        func appendText(_ s: String?) { bytes.append(contentsOf: text(s).utf8) }
        switch field {
        case .title: appendText(event.title)
        case .description: appendText(event.description)
        case .location: appendText(event.location)
        case .start: append(event.start, to: &bytes)
        case .end: append(Self.end(of: event), to: &bytes)
        case .status: bytes.append(contentsOf: event.status.rawValue.utf8)
        case .custom:
            if event.custom.count == 1, let (k, v) = event.custom.first {
                let t = text(v)
                if !t.isEmpty {
                    bytes.append(contentsOf: k.utf8)
                    bytes.append(0x3d)
                    bytes.append(contentsOf: t.utf8)
                }
            } else if !event.custom.isEmpty {
                bytes.append(contentsOf: value(field, of: event).utf8)
            }
        case .participants:
            for (i, p) in event.participants.enumerated() {
                if i > 0 { bytes.append(0x1e) }
                appendText(p.name)
                bytes.append(0x1f)
                if let email = p.email { Self.appendLowercased(text(email), to: &bytes) }
                bytes.append(0x1f)
                appendText(p.phone(priority: phonePriority))
            }
        case .responses:
            for (i, p) in event.participants.enumerated() {
                if i > 0 { bytes.append(0x2c) }
                bytes.append(contentsOf: p.response.rawValue.utf8)
            }
        case .recurrence: bytes.append(contentsOf: value(field, of: event).utf8)
        }
    }

    /// Whether `a` and `b` agree on every projected field.
    public func same(_ a: Event, _ b: Event) -> Bool {
        fields.allSatisfy { value($0, of: a) == value($0, of: b) }
            && contactFields.allSatisfy { contactValue($0, of: a) == contactValue($0, of: b) }
    }

    /// The projected fields on which `a` and `b` differ.
    public func differences(_ a: Event, _ b: Event) -> [EventField] {
        fields.filter { value($0, of: a) != value($0, of: b) }
    }

    /// A text field's normalised value: the text as written (trimmed when `trimsText`), absent
    /// as empty.
    @inline(__always)
    func text(_ s: String?) -> String {
        guard trimsText, let s else { return s ?? "" }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The end an event has for comparison: its own, or for an event without one the end
    /// calendars give it (a timed event ends when it starts, an all-day one the next day).
    public static func end(of event: Event) -> EventTime {
        if let end = event.end { return end }
        if case .allDay(let c) = event.start { return .allDay(c.adding(days: 1)) }
        return event.start
    }

    /// Appends `s` lower-cased; ASCII is lowered byte by byte, anything else through `lowercased()`.
    static func appendLowercased(_ s: String, to bytes: inout [UInt8]) {
        // In place where the string's UTF-8 is contiguous (always, for native strings): appended
        // whole, then lowered where it landed.
        let ascii: Bool? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            var high: UInt8 = 0
            for b in utf8 { high |= b }
            guard high < 0x80 else { return false }
            let start = bytes.count
            bytes.append(contentsOf: utf8)
            bytes.withUnsafeMutableBufferPointer { out in
                for i in start..<out.count where out[i] &- 0x41 < 26 { out[i] += 0x20 }
            }
            return true
        }
        switch ascii {
        case true?: return
        case false?: bytes.append(contentsOf: s.lowercased().utf8)
        case nil:
            if s.utf8.allSatisfy({ $0 < 0x80 }) {
                for b in s.utf8 { bytes.append((0x41...0x5a).contains(b) ? b + 0x20 : b) }
            } else {
                bytes.append(contentsOf: s.lowercased().utf8)
            }
        }
    }

    /// The whole seconds of an instant, or of an all-day date's midnight in `allDayZone`.
    private func seconds(_ t: EventTime) -> Int64? {
        switch t {
        case .instant(let d, _): return Int64(d.timeIntervalSince1970.rounded())
        case .allDay:
            guard let zone = allDayZone else { return nil }
            return Int64(t.date(in: zone).timeIntervalSince1970.rounded())
        }
    }

    func append(_ t: EventTime, to bytes: inout [UInt8]) {
        guard var v = seconds(t) else {
            bytes.append(contentsOf: time(t).utf8)
            return
        }
        if v < 0 {
            bytes.append(0x2d)
            v = -v
        }
        // The digits written from the last into a buffer on the stack (an Int64 has at most 19).
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var i = buffer.count
            repeat {
                i -= 1
                buffer[i] = UInt8(0x30 + v % 10)
                v /= 10
            } while v > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i...]))
        }
    }

    func time(_ t: EventTime) -> String {
        if let v = seconds(t) { return String(v) }
        guard case .allDay(let c) = t else { return "" }
        return "D" + c.description
    }
}

extension EventField {
    /// A fixed one-byte tag per field for hashing (stable: never renumber).
    var hashValueTag: Int {
        switch self {
        case .title: return 1
        case .description: return 2
        case .location: return 3
        case .start: return 4
        case .end: return 5
        case .status: return 6
        case .participants: return 7
        case .responses: return 8
        case .custom: return 9
        case .recurrence: return 10
        }
    }
}

extension Event {
    /// Copies `field` from `source` into this event.
    public mutating func copy(_ field: EventField, from source: Event) {
        switch field {
        case .title: title = source.title
        case .description: description = source.description
        case .location: location = source.location
        case .start: start = source.start
        case .end: end = source.end
        case .status: status = source.status
        case .participants:
            var merged = source.participants
            for i in merged.indices where i < participants.count { merged[i].response = participants[i].response }
            participants = merged
        case .responses:
            for i in participants.indices where i < source.participants.count {
                participants[i].response = source.participants[i].response
            }
        case .custom: custom = source.custom
        case .recurrence:
            recurrence = source.recurrence
            series = source.series
        }
    }
}
