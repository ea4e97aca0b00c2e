import AlmanacCore
import Foundation
import Testing

@Suite("JSONString", .timeLimit(.minutes(10)))
struct JSONStringTests {
    /// Every control character, the two escaped printables, multi-byte text and a plain string:
    /// Foundation's own JSON reader must read back exactly the string written.
    @Test(arguments: [
        "plain text needs no escape",
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }),
        "quote \" backslash \\ slash / done",
        "Zoë — 診察 🦷 \u{7F}\u{2028}",
        "",
    ])
    func readsBackThroughFoundation(text: String) throws {
        var out = [UInt8]()
        JSONString.append(text, to: &out)
        let back = try JSONSerialization.jsonObject(with: Data(out), options: [.fragmentsAllowed]) as? String
        #expect(back == text)
    }

    @Test func escapesAsRFC8259Writes() {
        var out = [UInt8]()
        JSONString.append("a\"b\\c\nd\re\tf\u{01}g\u{1F}", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\nd\re\tf\u0001g\u001f""#)
    }
}
