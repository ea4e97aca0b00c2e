import AlmanacCore
import Foundation

/// A small JSON writer for the fakes' `[String: Any]` values (String, Bool, integers, Double,
/// arrays, objects, NSNull). Foundation's JSONSerialization on Linux bridges every value through
/// NSDictionary and dominated the fakes' CPU time under load.
enum JSONWriter {
    static func data(_ value: Any) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(512)
        write(value, into: &out)
        return Data(out)
    }

    static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let s as String: string(s, into: &out)
        case let b as Bool: out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case let i as Int: out.append(contentsOf: Array(String(i).utf8))
        case let i as Int64: out.append(contentsOf: Array(String(i).utf8))
        case let d as Double: out.append(contentsOf: Array((d.isFinite ? "\(d)" : "null").utf8))
        case let o as [String: Any]:
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                string(k, into: &out)
                out.append(UInt8(ascii: ":"))
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let a as [Any]:
            out.append(UInt8(ascii: "["))
            for (n, v) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        default: out.append(contentsOf: Array("null".utf8))
        }
    }

    static func string(_ s: String, into out: inout [UInt8]) { JSONString.append(s, to: &out) }
}
