import AlmanacCore
import Foundation

/// Writes an `Event` as the JSON its synthesized `Decodable` reads: the base of every item of a
/// run is stored this way (`ItemState.setBase`), so it is written by hand rather than through
/// `JSONEncoder` (which took a fifth of a 100,000-row run).
///
/// The bytes are those `JSONEncoder` with `.sortedKeys` writes (keys sorted, dates as seconds
/// since 2001, `/` escaped, a double without a fraction written as an integer), except that
/// phones — a dictionary with enum keys, which `Codable` writes as a `[key, value, …]` array —
/// come sorted by kind instead of in hash order. `ItemState.base` decodes them with `JSONDecoder`.
/// A contact (`Event.contact`) is written by `JSONEncoder` itself.
enum BaseJSON {
    static func encode(_ e: Event) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(ascii: "{")
        var first = true
        func key(_ k: StaticString) {
            if !first { out.append(ascii: ",") }
            first = false
            out.append(ascii: "\"")
            k.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: [0x22, 0x3A])
        }
        if let c = e.contact {
            // A contact (contacts jobs) through `JSONEncoder`: its bytes are the ones it writes.
            key("contact")
            out.append(contentsOf: encodeContact(c))
        }
        if let d = e.created { key("created"); number(d.timeIntervalSinceReferenceDate, &out) }
        key("custom")
        object(e.custom, &out)
        if let s = e.description { key("description"); string(s, &out) }
        if let t = e.end { key("end"); time(t, &out) }
        if let s = e.location { key("location"); string(s, &out) }
        if let s = e.origin { key("origin"); string(s, &out) }
        key("participants")
        out.append(ascii: "[")
        for (i, p) in e.participants.enumerated() {
            if i > 0 { out.append(ascii: ",") }
            participant(p, &out)
        }
        out.append(ascii: "]")
        if let r = e.recurrence {
            key("recurrence")
            out.append(contentsOf: Array("{\"originalStart\":".utf8))
            time(r.originalStart, &out)
            out.append(contentsOf: Array(",\"seriesKey\":".utf8))
            string(r.seriesKey, &out)
            out.append(ascii: "}")
        }
        if let s = e.series {
            key("series")
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            out.append(contentsOf: (try? encoder.encode(s)) ?? Data("null".utf8))
        }
        key("start")
        time(e.start, &out)
        key("status")
        string(e.status.rawValue, &out)
        if let s = e.title { key("title"); string(s, &out) }
        if let d = e.updated { key("updated"); number(d.timeIntervalSinceReferenceDate, &out) }
        out.append(ascii: "}")
        return Data(out)
    }

    private static func encodeContact(_ c: Contact) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(c)) ?? Data("null".utf8)
    }

    private static func participant(_ p: Participant, _ out: inout [UInt8]) {
        out.append(ascii: "{")
        if let s = p.email {
            out.append(contentsOf: Array("\"email\":".utf8))
            string(s, &out)
            out.append(ascii: ",")
        }
        if let s = p.name {
            out.append(contentsOf: Array("\"name\":".utf8))
            string(s, &out)
            out.append(ascii: ",")
        }
        out.append(contentsOf: Array("\"phones\":[".utf8))
        var n = 0
        for kind in PhoneKind.allCases {
            guard let phone = p.phones[kind] else { continue }
            if n > 0 { out.append(ascii: ",") }
            n += 1
            string(kind.rawValue, &out)
            out.append(ascii: ",")
            string(phone, &out)
        }
        out.append(contentsOf: Array("],\"response\":".utf8))
        string(p.response.rawValue, &out)
        out.append(ascii: "}")
    }

    private static func time(_ t: EventTime, _ out: inout [UInt8]) {
        switch t {
        case .instant(let d, let zone):
            out.append(contentsOf: Array("{\"instant\":{\"_0\":".utf8))
            number(d.timeIntervalSinceReferenceDate, &out)
            if let zone {
                out.append(contentsOf: Array(",\"timeZone\":".utf8))
                string(zone, &out)
            }
            out.append(contentsOf: [0x7D, 0x7D])
        case .allDay(let c):
            out.append(
                contentsOf: Array(
                    "{\"allDay\":{\"_0\":{\"day\":\(c.day),\"month\":\(c.month),\"year\":\(c.year)}}}".utf8))
        }
    }

    private static func object(_ values: [String: String], _ out: inout [UInt8]) {
        out.append(ascii: "{")
        for (i, k) in values.keys.sorted().enumerated() {
            if i > 0 { out.append(ascii: ",") }
            string(k, &out)
            out.append(ascii: ":")
            string(values[k]!, &out)
        }
        out.append(ascii: "}")
    }

    /// A double as `JSONEncoder` writes it: its shortest form, without a `.0` fraction.
    private static func number(_ v: Double, _ out: inout [UInt8]) {
        var s = v.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        out.append(contentsOf: s.utf8)
    }

    private static func string(_ s: String, _ out: inout [UInt8]) {
        out.append(ascii: "\"")
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x2F: out.append(contentsOf: [0x5C, 0x2F])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(ascii: "\"")
    }
}

extension [UInt8] {
    fileprivate mutating func append(ascii c: Unicode.Scalar) { append(UInt8(ascii: c)) }
}
