import AlmanacCore
import Foundation
import Testing

@Suite("Support")
struct SupportTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func sha256Vectors(input: String, digest: String) {
        #expect(SHA256.hex(input) == digest)
    }

    @Test func sha256MillionAs() {
        #expect(
            SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [
        ("90s", 90), ("15m", 900), ("1h30m", 5_400), ("2d", 172_800), ("1d12h", 129_600), (" 5m ", 300),
    ])
    func durations(text: String, seconds: Int64) {
        #expect(parseDuration(text) == .seconds(seconds))
        #expect(parseDuration(Duration.seconds(seconds).compactDescription) == .seconds(seconds))
    }

    @Test(arguments: ["", "5", "m", "5x", "1.5h", "-5m", "5 m", "h1"])
    func badDurations(text: String) {
        #expect(parseDuration(text) == nil)
    }

    @Test func suggestions() {
        #expect(closestMatch(to: "enabld", in: ["enabled", "timezone"]) == "enabled")
        #expect(closestMatch(to: "xyz", in: ["enabled", "timezone"]) == nil)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("dsn", "dns") == 1)
    }

    @Test func civilDatesAndTimes() {
        #expect(CivilDate(iso: "2024-02-29") == CivilDate(year: 2024, month: 2, day: 29))
        #expect(CivilDate(iso: "2023-02-29") == nil)
        #expect(CivilDate(iso: "2024-13-01") == nil)
        #expect(CivilDate(year: 2024, month: 12, day: 31).adding(days: 1) == CivilDate(year: 2025, month: 1, day: 1))
        #expect(LocalTime(string: "04:00") == LocalTime(hour: 4, minute: 0))
        #expect(LocalTime(string: "23:59:59")?.description == "23:59:59")
        #expect(LocalTime(string: "24:00") == nil)
        #expect(LocalTime(string: "4:00") == nil)
    }

    @Test func windowChunks() {
        let start = Date(timeIntervalSince1970: 0)
        let w = TimeWindow(start: start, end: start.addingTimeInterval(37 * 86_400))
        let chunks = w.chunks(days: 7)
        #expect(chunks.count == 6)
        #expect(chunks.first?.start == w.start && chunks.last?.end == w.end)
        #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.end == $1.start })
    }

    @Test func titleTemplatesRenderPlainText() throws {
        let t = try TitleTemplate("Appt with {{participant_0_name}} ({{appt_type}})")
        #expect(
            t.render(["participant_0_name": "O'Brien & Sons", "appt_type": "<check-up>"])
                == "Appt with O'Brien & Sons (<check-up>)")
        #expect(t.render([:]) == "Appt with  ()")
        #expect(TitleTemplate.problem(in: "{{#open}}") != nil)
        #expect(TitleTemplate.problem(in: "Plain title") == nil)
    }

    @Test func defaultPaths() {
        let root = AlmanacPaths.defaults(environment: [:], uid: 0)
        #expect(
            root
                == AlmanacPaths(profiles: "/etc/almanac/profiles.d", state: "/var/lib/almanac", runtime: "/run/almanac")
        )
        let user = AlmanacPaths.defaults(
            environment: ["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000)
        #expect(
            user
                == AlmanacPaths(
                    profiles: "/home/u/.config/almanac/profiles.d", state: "/home/u/.local/state/almanac",
                    runtime: "/run/user/1000/almanac"))
    }
}
