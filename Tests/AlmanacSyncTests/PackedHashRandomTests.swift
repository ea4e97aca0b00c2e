import AlmanacTestKit
import Testing

@testable import AlmanacSync

/// `PackedHash` reads 32 lowercase hex digits as two words and keeps any other text as it is:
/// seeded random texts of digits, letters and the characters just outside their ranges.
@Suite(.timeLimit(.minutes(10))) struct PackedHashRandomTests {
    @Test func packsExactlyLowercaseHexAndGivesTheTextBack() {
        var r = SeededRandom(state: 3_232)
        let alphabet = Array("0123456789abcdef/:`g@AFG")
        var words = 0
        for _ in 0..<20_000 {
            let length = [31, 32, 32, 32, 33].randomElement(using: &r)!
            let text = String(
                (0..<length).map { _ in
                    Int.random(in: 0..<8, using: &r) == 0
                        ? alphabet.randomElement(using: &r)! : alphabet[Int.random(in: 0..<16, using: &r)]
                })
            let packed = PackedHash(text)
            let isWords = if case .words = packed { true } else { false }
            let want = text.count == 32 && text.allSatisfy { "0123456789abcdef".contains($0) }
            if isWords != want || packed.text != text || !packed.matches(text) {
                Issue.record("\(text): packed as \(packed)")
                return
            }
            if isWords { words += 1 }
        }
        #expect(words > 1_000)
    }
}
