import AlmanacTestKit
import Testing

@testable import FileConnectorSupport

/// `ListedKeys` (the keys a file listing has listed, for its duplicate check) answers as a
/// dictionary of the first place of each key would, on seeded random keys: short and long,
/// empty, with common prefixes, repeated near and far, across many table growths.
@Suite(.timeLimit(.minutes(10))) struct ListedKeysTests {

    @Test func answersAsADictionaryOfFirstPlaces() {
        var r = SeededRandom(state: 41)
        var keys = ListedKeys()
        var first: [String: Int] = [:]
        var seen: [String] = []
        var duplicates = 0
        for place in 0..<200_000 {
            let key: String
            switch r.below(10) {
            case 0 where !seen.isEmpty: key = seen[r.below(seen.count)]  // listed before, anywhere
            case 1 where !seen.isEmpty: key = seen[max(0, seen.count - 1 - r.below(8))]  // just before
            case 2: key = ["", "A", "a", "A0", "é", "A 0"][r.below(6)]
            case 3: key = String(repeating: "x", count: r.below(70)) + "\(r.below(50))"
            default: key = "A\(r.next() % 1_000_000)"
            }
            let got = keys.insert(key, at: place)
            if let earlier = first[key] {
                duplicates += 1
                #expect(got == earlier, "\(key.debugDescription) at \(place)")
                if got != earlier { return }
            } else {
                #expect(got == nil, "\(key.debugDescription) at \(place) is new")
                if got != nil { return }
                first[key] = place
                seen.append(key)
            }
        }
        #expect(keys.count == first.count)
        #expect(duplicates > 20_000 && first.count > 100_000)
    }
}
