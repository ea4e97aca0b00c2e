import Foundation
import Testing

@testable import FakeCalendars

@Suite("the fakes' JSON reader", .timeLimit(.minutes(10)))
struct JSONReaderTests {
    /// A value as text that tells the types apart (`i` Int, `d` Double, `s` String), keys sorted.
    static func canonical(_ v: Any) -> String {
        switch v {
        case let o as [String: Any]:
            return "{" + o.keys.sorted().map { "\($0):\(canonical(o[$0]!))" }.joined(separator: ",") + "}"
        case let a as [Any]: return "[" + a.map(canonical).joined(separator: ",") + "]"
        case let s as String: return "s" + s
        case is NSNull: return "null"
        case let b as Bool: return b ? "true" : "false"
        case let i as Int: return "i\(i)"
        case let d as Double: return "d\(d)"
        default: return "?\(v)"
        }
    }

    @Test(arguments: [
        ("{}", "{}"), ("[]", "[]"),
        (
            #" {"a" : [1, -2, 3.5, 1e3, -0.25E-2, 0, true, false, null]} "#,
            "{a:[i1,i-2,d3.5,d1000.0,d-0.0025,i0,true,false,null]}"
        ),
        (#"{"nested":{"deep":[{"x":[[]]}]},"dup":1,"dup":2}"#, "{dup:i2,nested:{deep:[{x:[[]]}]}}"),
        ("[9223372036854775807, 12345678901234567890]", "[i9223372036854775807,d1.2345678901234567e+19]"),
        (#""just a string""#, "sjust a string"), ("42", "i42"),
    ])
    func readsValues(text: String, expected: String) throws {
        let value = try #require(JSONReader.value(Data(text.utf8)))
        #expect(Self.canonical(value) == expected)
    }

    @Test func decodesEscapesAndKeepsUnicode() throws {
        let text = #"{"e":"q\"b\\s\/n\nr\rt\tb\bf\f","u":"\u00e9\u20ac\ud83d\uddd3","raw":"é 🗓"}"#
        let o = try #require(JSONReader.object(Data(text.utf8)))
        #expect(o["e"] as? String == "q\"b\\s/n\nr\rt\tb\u{8}f\u{c}")
        #expect(o["u"] as? String == "é€🗓")
        #expect(o["raw"] as? String == "é 🗓")
    }

    @Test(arguments: [
        "", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, "[1,]", "[1 2]", "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", #""unterminated"#, "\"tab\there\"", #""\x""#, #""\u12""#, #""\ud800""#, #"{"a":1} x"#,
        "{'a':1}", "NaN",
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(JSONReader.value(Data(text.utf8)) == nil)
    }

    @Test func integersStayIntegersAndObjectsAreSwiftDictionaries() throws {
        let o = try #require(JSONReader.object(Data(#"{"n":7,"d":7.5,"b":true,"s":{"k":"v"}}"#.utf8)))
        #expect(o["n"] as? Int == 7)
        #expect(o["d"] as? Double == 7.5)
        #expect(o["b"] as? Bool == true)
        #expect(o["s"] as? [String: String] == ["k": "v"])
        #expect(JSONReader.object(Data("[1]".utf8)) == nil)
        #expect(String(decoding: JSONWriter.data(o["s"]!), as: UTF8.self) == #"{"k":"v"}"#)
    }
}
