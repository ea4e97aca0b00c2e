import AlmanacCore
import Foundation
import RowMapping
import Testing

@testable import ODBCConnector

@Suite struct NamedParameterTests {
    @Test(arguments: [
        (
            "SELECT * FROM a WHERE s >= :window_start AND s < :window_end", "SELECT * FROM a WHERE s >= ? AND s < ?",
            ["window_start", "window_end"]
        ),
        (
            "UPDATE a SET t = :title, k = :custom.appt_type WHERE id = :external_id",
            "UPDATE a SET t = ?, k = ? WHERE id = ?", ["title", "custom.appt_type", "external_id"]
        ),
        (
            "SELECT ':not_a_param', \"col:x\", x::date FROM t -- :nope\nWHERE y = :since /* :nope */",
            "SELECT ':not_a_param', \"col:x\", x::date FROM t -- :nope\nWHERE y = ? /* :nope */", ["since"]
        ),
        (
            "SELECT 'it''s :x' AS a, [b:c] FROM t WHERE d = :d1", "SELECT 'it''s :x' AS a, [b:c] FROM t WHERE d = ?",
            ["d1"]
        ),
        (
            "SELECT '10:30' AS t, a FROM b WHERE c = :external_id OR e = :external_id",
            "SELECT '10:30' AS t, a FROM b WHERE c = ? OR e = ?", ["external_id", "external_id"]
        ),
    ])
    func rewrites(_ input: String, _ sql: String, _ names: [String]) {
        let s = NamedStatement(input)
        #expect(s.sql == sql)
        #expect(s.names == names)
    }

    /// A list parameter is expanded to one marker per value; markers inside literals stay text.
    @Test func expandsAListParameter() {
        let s = NamedStatement("SELECT 'a?:keys' AS x FROM t WHERE id IN (:keys) AND k = :keys_not OR j IN (:keys)")
        #expect(
            s.sql(expanding: "keys", count: 3)
                == "SELECT 'a?:keys' AS x FROM t WHERE id IN (?, ?, ?) AND k = ? OR j IN (?, ?, ?)")
        #expect(s.sql(expanding: "keys", count: 1) == s.sql)
    }
}

@Suite struct ConnectionStringTests {
    @Test(arguments: [
        ("simple", "simple"),
        ("p;w", "{p;w}"),
        ("a}b", "{a}}b}"),
        ("{x}", "{{x}}}"),
        ("=eq", "{=eq}"),
        (" sp", "{ sp}"),
    ])
    func quoting(_ value: String, _ quoted: String) {
        #expect(ODBCConnectionString.quote(value) == quoted)
        let cs = ODBCConnectionString.appending("PWD", value, to: "Driver=SQLite3;Database=/x.db")
        #expect(ODBCConnectionString.value(of: "pwd", in: cs) == value)
        #expect(ODBCConnectionString.keys(in: cs) == ["driver", "database", "pwd"])
    }

    @Test func bracedValuesParse() {
        let pairs = ODBCConnectionString.pairs(in: "Driver={PostgreSQL Unicode};Pwd={a;b}}c};Uid=me")
        #expect(pairs.map(\.key) == ["driver", "pwd", "uid"])
        #expect(pairs.map(\.value) == ["PostgreSQL Unicode", "a;b}c", "me"])
    }
}

@Suite struct TemporalTests {
    @Test func textForms() {
        let d = CivilDate(year: 2026, month: 3, day: 2)
        #expect(TemporalText("2026-03-02") == .date(d))
        #expect(TemporalText("2026-03-02 09:05") == .naive(WallClock(date: d, hour: 9, minute: 5, second: 0)))
        #expect(
            TemporalText(" 2026-03-02T09:05:07.123456 ") == .naive(WallClock(date: d, hour: 9, minute: 5, second: 7)))
        #expect(TemporalText("2026-03-02T09:00:00Z") == .instant(Date(timeIntervalSince1970: 1_772_442_000)))
        #expect(TemporalText("2026-03-02 10:00:00 +01:00") == .instant(Date(timeIntervalSince1970: 1_772_442_000)))
        #expect(TemporalText("2026-03-02T04:00:00-0500") == .instant(Date(timeIntervalSince1970: 1_772_442_000)))
        for bad in [
            "next tuesday", "2026-02-30", "2026-13-01 10:00", "2026-03-02 25:00", "2026-03-02T10:00+1", "20260302",
        ] {
            #expect(TemporalText(bad) == nil, "\(bad)")
        }
    }

    /// Chicago: spring gap 2026-03-08 02:00→03:00, autumn overlap 2026-11-01 01:00–02:00.
    @Test func dstGapsAndOverlaps() {
        let r = ZoneResolver(TimeZone(identifier: "America/Chicago")!)
        func wall(_ s: String) -> WallClock {
            guard case .naive(let n)? = TemporalText(s) else { fatalError() }
            return n
        }
        #expect(r.instant(wall("2026-01-15 09:00:00")) == Fixture.date("2026-01-15T15:00:00Z"))
        #expect(r.instant(wall("2026-07-15 09:00:00")) == Fixture.date("2026-07-15T14:00:00Z"))
        // Gap: 02:30 does not exist; read with the offset before the gap (CST) = 03:30 CDT.
        #expect(r.instant(wall("2026-03-08 02:30:00")) == Fixture.date("2026-03-08T08:30:00Z"))
        #expect(r.instant(wall("2026-03-08 03:30:00")) == Fixture.date("2026-03-08T08:30:00Z"))
        #expect(r.instant(wall("2026-03-08 01:59:59")) == Fixture.date("2026-03-08T07:59:59Z"))
        // Overlap: 01:30 happens twice; the first (CDT) is taken.
        #expect(r.instant(wall("2026-11-01 01:30:00")) == Fixture.date("2026-11-01T06:30:00Z"))
        #expect(r.instant(wall("2026-11-01 02:30:00")) == Fixture.date("2026-11-01T08:30:00Z"))
        // And back: instants to wall clocks.
        #expect(r.wall(Fixture.date("2026-11-01T07:30:00Z")) == wall("2026-11-01 01:30:00"))
        #expect(r.wall(Fixture.date("2026-03-08T08:30:00Z")) == wall("2026-03-08 03:30:00"))
    }

    @Test func wallSecondsBeforeTheEpoch() {
        #expect(WallClock(wallSeconds: -2_208_988_800).description == "1900-01-01 00:00:00")
        #expect(WallClock(wallSeconds: -2_208_988_800).wallSeconds == -2_208_988_800)
    }
}

@Suite struct TextDecodingTests {
    @Test(arguments: [
        "", "plain ascii", "Zoë Ångström", "日本語テキスト", "emoji 🦷🗓️ and more", String(repeating: "é", count: 40),
    ])
    func roundTrips(_ text: String) {
        let units = Array(text.utf16)
        #expect(units.withUnsafeBufferPointer(TextDecoding.utf16) == text)
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBufferPointer(TextDecoding.utf8) == text)
    }

    @Test(arguments: [[0xD83D], [0x41, 0xDC00], [0xD83D, 0x41]] as [[UInt16]])
    func unpairedSurrogatesAreInvalid(_ units: [UInt16]) {
        #expect(units.withUnsafeBufferPointer(TextDecoding.utf16) == nil)
    }

    @Test(
        arguments: [
            [0xFF], [0xC3], [0xC3, 0x28], [0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0x41, 0xE2, 0x82, 0x41],
        ] as [[UInt8]])
    func invalidUTF8IsInvalid(_ bytes: [UInt8]) {
        #expect(bytes.withUnsafeBufferPointer(TextDecoding.utf8) == nil)
    }
}
