import AlmanacTestKit
import Testing

@testable import ODBCConnector

/// `TextDecoding.utf8` finds ASCII a word at a time, with the tail of a value in overlapping
/// loads: a byte at or above 0x80 anywhere, at every length, must still be looked at.
@Suite(.timeLimit(.minutes(10))) struct TextDecodingRandomTests {
    @Test func agreesWithTheStandardLibrary() {
        var r = SeededRandom(state: 8_004)
        let special: [UInt8] = [0x80, 0xBF, 0xC2, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]
        var valid = 0
        var invalid = 0
        for length in 0...40 {
            for _ in 0..<200 {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0x20...0x7E, using: &r) }
                // One or two bytes of a multi-byte sequence, or a whole one, at a random place.
                if length > 0 {
                    let at = Int.random(in: 0..<length, using: &r)
                    switch Int.random(in: 0..<3, using: &r) {
                    case 0: bytes[at] = special.randomElement(using: &r)!
                    case 1:
                        let s = Array(["é", "€", "🦷"].randomElement(using: &r)!.utf8)
                        bytes.replaceSubrange(at..<min(at + s.count, length), with: s[0..<min(s.count, length - at)])
                    default: break
                    }
                }
                let want = String(validating: bytes, as: UTF8.self)
                let got = bytes.withUnsafeBufferPointer(TextDecoding.utf8)
                if got != want {
                    Issue.record("\(bytes): \(String(describing: got)), want \(String(describing: want))")
                    return
                }
                if want == nil { invalid += 1 } else { valid += 1 }
            }
        }
        #expect(valid > 1_000 && invalid > 1_000)
    }
}
