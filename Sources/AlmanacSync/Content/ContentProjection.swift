import AlmanacCore
import Foundation

/// The normalised view of an event restricted to the fields both sides of a job represent.
///
/// Two events with the same projection are the same appointment as far as the job can tell, so a
/// round trip through a side that drops or reformats other fields is not a change. Normalisation:
/// text is trimmed (empty = absent), instants are whole seconds (their zone is not content),
/// all-day dates stay dates, e-mail addresses are lower-cased, custom fields are sorted by name.
public struct ContentProjection: Sendable, Hashable {
    /// The fields compared and hashed, in a fixed order.
    public let fields: [EventField]
    public let phonePriority: [PhoneKind]

    public init(fields: Set<EventField>, phonePriority: [PhoneKind] = [.mobile, .home, .work, .other]) {
        self.fields = EventField.allCases.filter { fields.contains($0) }
        self.phonePriority = phonePriority
    }

    /// The projection for a job between two connectors: the fields both represent.
    public init(between a: Set<EventField>, and b: Set<EventField>, phonePriority: [PhoneKind]) {
        self.init(fields: a.intersection(b), phonePriority: phonePriority)
    }

    /// The normalised value of one field.
    public func value(_ field: EventField, of event: Event) -> String {
        switch field {
        case .title: return Self.text(event.title)
        case .description: return Self.text(event.description)
        case .location: return Self.text(event.location)
        case .start: return Self.time(event.start)
        case .end: return event.end.map(Self.time) ?? ""
        case .status: return event.status.rawValue
        case .participants:
            return event.participants.map { p in
                Self.text(p.name) + "\u{1f}" + Self.text(p.email).lowercased() + "\u{1f}"
                    + Self.text(p.phone(priority: phonePriority))
            }.joined(separator: "\u{1e}")
        case .responses: return event.participants.map(\.response.rawValue).joined(separator: ",")
        case .custom:
            return event.custom.keys.sorted().compactMap { k in
                let v = Self.text(event.custom[k])
                return v.isEmpty ? nil : k + "=" + v
            }.joined(separator: "\u{1e}")
        }
    }

    /// The projection's `ContentHash` (32 hex digits): what the state store keeps as
    /// `hash_from`/`hash_to`.
    public func hash(_ event: Event) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        for f in fields {
            bytes.append(UInt8(truncatingIfNeeded: f.hashValueTag))
            append(f, of: event, to: &bytes)
            bytes.append(0x1c)
        }
        return ContentHash.hex(bytes)
    }

    /// Appends the normalised value of `field` (the bytes of `value(field, of:)`).
    private func append(_ field: EventField, of event: Event, to bytes: inout [UInt8]) {
        func text(_ s: String?) { bytes.append(contentsOf: Self.text(s).utf8) }
        switch field {
        case .title: text(event.title)
        case .description: text(event.description)
        case .location: text(event.location)
        case .start: Self.append(event.start, to: &bytes)
        case .end: if let end = event.end { Self.append(end, to: &bytes) }
        case .status: bytes.append(contentsOf: event.status.rawValue.utf8)
        case .custom:
            if event.custom.count == 1, let (k, v) = event.custom.first {
                let t = Self.text(v)
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
                text(p.name)
                bytes.append(0x1f)
                if let email = p.email { Self.appendLowercased(Self.text(email), to: &bytes) }
                bytes.append(0x1f)
                text(p.phone(priority: phonePriority))
            }
        case .responses:
            for (i, p) in event.participants.enumerated() {
                if i > 0 { bytes.append(0x2c) }
                bytes.append(contentsOf: p.response.rawValue.utf8)
            }
        }
    }

    /// Whether `a` and `b` agree on every projected field.
    public func same(_ a: Event, _ b: Event) -> Bool {
        fields.allSatisfy { value($0, of: a) == value($0, of: b) }
    }

    /// The projected fields on which `a` and `b` differ.
    public func differences(_ a: Event, _ b: Event) -> [EventField] {
        fields.filter { value($0, of: a) != value($0, of: b) }
    }

    static func text(_ s: String?) -> String {
        guard let s, let first = s.utf8.first, let last = s.utf8.last else { return "" }
        // Fast path: ASCII ends that are not white space need no trimming.
        if first < 0x80 && last < 0x80 && !isASCIISpace(first) && !isASCIISpace(last) { return s }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Appends `s` lower-cased; ASCII is lowered byte by byte, anything else through `lowercased()`.
    static func appendLowercased(_ s: String, to bytes: inout [UInt8]) {
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            for b in s.utf8 { bytes.append((0x41...0x5a).contains(b) ? b + 0x20 : b) }
        } else {
            bytes.append(contentsOf: s.lowercased().utf8)
        }
    }

    @inline(__always)
    static func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0d).contains(b) }

    static func append(_ t: EventTime, to bytes: inout [UInt8]) {
        switch t {
        case .instant(let d, _):
            var v = Int64(d.timeIntervalSince1970.rounded())
            if v < 0 {
                bytes.append(0x2d)
                v = -v
            }
            var digits: [UInt8] = []
            repeat {
                digits.append(UInt8(0x30 + v % 10))
                v /= 10
            } while v > 0
            bytes.append(contentsOf: digits.reversed())
        case .allDay:
            bytes.append(contentsOf: time(t).utf8)
        }
    }

    static func time(_ t: EventTime) -> String {
        switch t {
        case .instant(let d, _): return String(Int64(d.timeIntervalSince1970.rounded()))
        case .allDay(let c): return "D" + c.description
        }
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
        }
    }
}
