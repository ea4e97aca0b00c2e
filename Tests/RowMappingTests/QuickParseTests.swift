import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import RowMapping

/// The shortcuts of the mapping's hot path against the general code they shortcut, on seeded
/// random inputs: `ByteScanner.quickISO8601` (fixed-place ISO 8601) against the scanning
/// `iso8601()`, and a participant's first phone (copied from a template) against a literal.
@Suite(.timeLimit(.minutes(10))) struct QuickParseTests {

    /// What `TimeFormat.iso8601.parse(bytes:)` returned before the shortcut: spaces and tabs
    /// trimmed, then the scanning parser, which must reach the end.
    static func scanned(_ bytes: [UInt8]) -> ParsedTime? {
        var lo = 0
        var hi = bytes.count
        while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
        while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09) { hi -= 1 }
        guard lo < hi else { return nil }
        return bytes.withUnsafeBufferPointer { b in
            var s = ByteScanner(bytes: UnsafeBufferPointer(rebasing: b[lo..<hi]))
            let r = s.iso8601()
            return s.atEnd ? r : nil
        }
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// A date-time of one of the shapes ISO 8601 files use, its numbers sometimes out of range.
    static func candidate(_ r: inout SeededRandom) -> String {
        let year = [1970, 2000, 2024, 2025, 2100, 1900, 9999, 0][r.below(8)]
        let month = r.below(10) == 0 ? [0, 13, 99][r.below(3)] : 1 + r.below(12)
        let day = r.below(10) == 0 ? [0, 29, 30, 31, 32][r.below(5)] : 1 + r.below(28)
        var s = String(repeating: "0", count: max(0, 4 - "\(year)".count)) + "\(year)-\(two(month))-\(two(day))"
        switch r.below(8) {
        case 0: return s
        default: break
        }
        s += ["T", "t", " ", "_", "TT"][r.below(r.below(4) == 0 ? 5 : 3)]
        let hour = r.below(10) == 0 ? [24, 25, 99][r.below(3)] : r.below(24)
        let minute = r.below(12) == 0 ? [0, 59, 60][r.below(3)] : r.below(60)
        s += "\(two(hour)):\(two(minute))"
        if r.below(4) != 0 {
            let second = r.below(10) == 0 ? [59, 60, 61, 99][r.below(4)] : r.below(60)
            s += ":\(two(second))"
            if r.below(6) == 0 { s += [".5", ".123", ",000000001", ".1234567891", "."][r.below(5)] }
        }
        if r.below(5) == 0 { s += ["Z", "z", "+01:00", "-0530", " +02", "+19", "+01:60"][r.below(7)] }
        return s
    }

    /// `text` with one byte replaced, inserted or removed, and sometimes padded with spaces or tabs.
    static func mutated(_ text: String, _ r: inout SeededRandom) -> [UInt8] {
        var b = Array(text.utf8)
        let alphabet = Array("0123456789-:T t.Z+x\u{7F}".utf8) + [0xC3, 0xA9, 0x00, 0xFF]
        switch r.below(6) {
        case 0 where !b.isEmpty: b[r.below(b.count)] = alphabet[r.below(alphabet.count)]
        case 1: b.insert(alphabet[r.below(alphabet.count)], at: r.below(b.count + 1))
        case 2 where !b.isEmpty: b.remove(at: r.below(b.count))
        default: break
        }
        if r.below(5) == 0 { b = [[0x20], [0x09], [0x20, 0x20]][r.below(3)] + b }
        if r.below(5) == 0 { b += [[0x20], [0x09], [0x0A]][r.below(3)] }
        return b
    }

    @Test func quickISO8601ReadsWhatTheScannerReads() {
        var r = SeededRandom(state: 14)
        let fixed = [
            "2024-02-29", "2025-02-29", "2000-02-29", "1900-02-29", "2026-03-02T10:00", "2026-03-02 10:00:59",
            "2026-03-02t24:00", "2026-03-02T24:00:01", "2026-03-02T23:59:60", "2026-03-02T23:60", "0000-01-01",
            "2026-3-02", "2026-03-2", "20260302", "2026-03-02T1000", "2026-03-02T10:00:0", "2026-03-02T10:00Z",
            "+2026-03-02", "2026-03-02T10:00:00.", "２０２６-03-02", "2026-03-02T10:00:00+01:00", "",
        ]
        var inputs = fixed.map { Array($0.utf8) }
        for _ in 0..<60_000 {
            let c = QuickParseTests.candidate(&r)
            inputs.append(r.below(3) == 0 ? QuickParseTests.mutated(c, &r) : Array(c.utf8))
        }
        var quick = 0
        for bytes in inputs {
            let expected = QuickParseTests.scanned(bytes)
            let got = bytes.withUnsafeBufferPointer { TimeFormat.iso8601.parse(bytes: $0) }
            #expect(got == expected, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if got != expected { return }
            if bytes.withUnsafeBufferPointer({ ByteScanner.quickISO8601($0) }) != nil { quick += 1 }
            // Through a `String` too (the sinks' and the sql path's way in).
            if let s = String(validating: bytes, as: UTF8.self) { #expect(TimeFormat.iso8601.parse(s) == expected) }
        }
        // The shortcut took most of them (the test would pass vacuously otherwise).
        #expect(quick > inputs.count / 3)
    }

    @Test func aFirstPhoneIsTheDictionaryALiteralMakes() throws {
        let mapper = RowMapper(timeZone: TimeZone(identifier: "UTC")!)
        let kinds: [(StandardField.ParticipantAttribute, PhoneKind)] = [
            (.phone, .other), (.phoneMobile, .mobile), (.phoneHome, .home), (.phoneWork, .work),
        ]
        for (attribute, kind) in kinds {
            for second in [nil] + kinds.map(\.0) where second != attribute {
                var fields: [StandardField] = [.externalID, .startTime, .participant(0, attribute)]
                var values: [String?] = ["k", "2026-03-02T10:00", "555-\(kind)"]
                var expected: [PhoneKind: String] = [kind: "555-\(kind)"]
                if let second {
                    fields.append(.participant(0, second))
                    values.append("556")
                    expected[second.phoneKind!] = "556"
                }
                guard case .item(_, let event) = mapper.map(fields: fields, values: values, locator: "f.csv line 2")
                else {
                    Issue.record("not mapped")
                    return
                }
                let phones = try #require(event.participants.first?.phones)
                #expect(phones == expected)
                #expect(phones.hashValue == expected.hashValue)
                let first = expected[.mobile] ?? expected[.home] ?? expected[.work] ?? expected[.other]
                #expect(event.participants.first?.phone() == first)
            }
        }
    }
}
