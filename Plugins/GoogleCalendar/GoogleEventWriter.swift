import AlmanacCore
import Foundation

/// Serializes `GoogleEventResource` for request bodies. Hand-written because Foundation's
/// `JSONEncoder` on Linux was the largest cost of a 10,000-event write; `JSONDecoder` reads the
/// output back to the same value (a test checks it).
enum GoogleEventWriter {
    static func data(_ g: GoogleEventResource) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(768)
        var first = true
        func key(_ k: String) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            string(k, &out)
            out.append(UInt8(ascii: ":"))
        }
        func field(_ k: String, _ v: String?) {
            guard let v else { return }
            key(k)
            string(v, &out)
        }
        field("id", g.id)
        field("etag", g.etag)
        field("status", g.status)
        field("summary", g.summary)
        field("description", g.description)
        field("location", g.location)
        for (k, t) in [("start", g.start), ("end", g.end), ("originalStartTime", g.originalStartTime)] {
            guard let t else { continue }
            key(k)
            object([("date", t.date), ("dateTime", t.dateTime), ("timeZone", t.timeZone)], &out)
        }
        field("recurringEventId", g.recurringEventId)
        if let lines = g.recurrence {
            key("recurrence")
            out.append(UInt8(ascii: "["))
            for (n, line) in lines.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                string(line, &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let attendees = g.attendees {
            key("attendees")
            out.append(UInt8(ascii: "["))
            for (n, a) in attendees.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                object(
                    [("email", a.email), ("displayName", a.displayName), ("responseStatus", a.responseStatus)], &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if let ext = g.extendedProperties {
            key("extendedProperties")
            out.append(UInt8(ascii: "{"))
            var firstTable = true
            for (name, table) in [("private", ext.private), ("shared", ext.shared)] {
                guard let table else { continue }
                if !firstTable { out.append(UInt8(ascii: ",")) }
                firstTable = false
                string(name, &out)
                out.append(UInt8(ascii: ":"))
                object(table.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: "}"))
        if first { out.append(UInt8(ascii: "}")) }
        return Data(out)
    }

    /// `{"k":"v",…}` skipping nil values.
    static func object(_ pairs: [(String, String?)], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (k, v) in pairs {
            guard let v else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            string(k, &out)
            out.append(UInt8(ascii: ":"))
            string(v, &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func string(_ s: String, _ out: inout [UInt8]) { JSONString.append(s, to: &out) }
}
