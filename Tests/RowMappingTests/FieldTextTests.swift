import AlmanacCore
import Foundation
import RowMapping
import Testing

/// The one mapping's tables: flags, statuses, responses, standard field names, the content hash.
@Suite(.timeLimit(.minutes(10))) struct FieldTextTests {
    @Test(arguments: ["1", "true", "t", "yes", "y", "-1", "x", "TRUE", " Yes ", "\tY", "X"])
    func trueSpellings(text: String) {
        #expect(FieldText.flag(text) == true)
    }

    @Test(arguments: ["0", "false", "f", "no", "n", "", " ", "FALSE", " No", "N"])
    func falseSpellings(text: String) {
        #expect(FieldText.flag(text) == false)
    }

    @Test(arguments: ["2", "on", "off", "yes please", "-", "ja"])
    func notABoolean(text: String) {
        #expect(FieldText.flag(text) == nil)
    }

    @Test func statusesAndResponses() {
        #expect(FieldText.status("") == .confirmed && FieldText.status(" Confirmed ") == .confirmed)
        #expect(FieldText.status("TENTATIVE") == .tentative)
        #expect(FieldText.status("canceled") == .cancelled && FieldText.status("cancelled") == .cancelled)
        #expect(FieldText.status("no-show") == nil)
        #expect(FieldText.response("needs_action") == .needsAction && FieldText.response(" Declined") == .declined)
        #expect(FieldText.response("maybe") == nil && FieldText.response("") == nil)
        #expect(FieldText.trimmed(" \ta b\t ") == "a b" && FieldText.trimmed("ab") == "ab")
    }

    @Test func standardFieldNames() {
        #expect(StandardField(name: "participant_3_response") == .participant(3, .response))
        #expect(StandardField(name: "participant_0_phone") == .participant(0, .phone))
        #expect(StandardField.ParticipantAttribute.phone.phoneKind == .other)
        #expect(StandardField.ParticipantAttribute.phoneHome.phoneKind == .home)
        #expect(StandardField.ParticipantAttribute.response.phoneKind == nil)
        #expect(StandardField(name: "participant_10_name") == .custom("participant_10_name"))
        #expect(StandardField(name: "participant_0_fax") == .custom("participant_0_fax"))
        #expect(StandardField(name: "Title") == .custom("Title"))  // exact: connectors lower-case first
        #expect(StandardField.participant(2, .response).name == "participant_2_response")
    }

    /// The hash the state store keeps: these values were computed by the engine's hash before it
    /// moved to AlmanacCore; fed in pieces, it hashes as fed at once.
    @Test func contentHashIsStable() {
        #expect(ContentHash.hex([]) == "33c68dcad86fa44718aed92cf85429f1")
        #expect(ContentHash.hex(Array("abc".utf8)) == "1b3ed50085fc503bb805844b4fb9e7b6")
        let long = Array("0123456789abcdefXYZ".utf8)
        #expect(ContentHash.hex(long) == "0a0ed7d0c07e227937c026e975d19d35")
        for split in [(1, 3), (7, 9), (8, 16), (0, 19)] {
            var a = ContentHash()
            var b = ContentHash()
            long.withUnsafeBytes { raw in
                a.add(UnsafeRawBufferPointer(rebasing: raw[0..<split.0]))
                a.add(UnsafeRawBufferPointer(rebasing: raw[split.0..<split.1]))
                a.add(UnsafeRawBufferPointer(rebasing: raw[split.1...]))
                b.add(raw)
            }
            #expect(a.hex == b.hex)
        }
        var ab = ContentHash()
        ab.add("ab")
        ab.add("c")
        var abc = ContentHash()
        abc.add("a")
        abc.add("bc")
        #expect(ab.hex != abc.hex)
    }

    @Test func contentVersionFollowsTheMappedContent() {
        let start = EventTime.instant(Date(timeIntervalSince1970: 1_772_442_000), timeZone: "UTC")
        var e = Event(title: "A", start: start)
        let v1 = ContentVersion.of(e)
        #expect(v1.hasPrefix("h:") && v1.count == 34)
        e.custom = ["room": "1"]
        let v2 = ContentVersion.of(e)
        e.custom = ["room": "2"]
        let v3 = ContentVersion.of(e)
        e.start = .instant(Date(timeIntervalSince1970: 1_772_442_000.4), timeZone: "America/Chicago")
        #expect(ContentVersion.of(e) == v3)  // whole seconds; the zone is not content
        #expect(Set([v1, v2, v3]).count == 3)
    }
}
