import AlmanacCore

extension JSONValue {
    /// Appends this value as compact JSON (no white space, members in order).
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: (d.isFinite ? String(d) : "null").utf8)
        case .string(let s): JSONString.append(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o): o.write(to: &out)
        }
    }

    /// This value as one line of compact JSON, without the newline.
    public var text: String {
        var out: [UInt8] = []
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension JSONObject {
    public func write(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for i in keys.indices {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.append(keys[i], to: &out)
            out.append(UInt8(ascii: ":"))
            values[i].write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension JSONObject {
    /// This object as one line of compact JSON, without the newline.
    public var text: String { JSONValue.object(self).text }
}
