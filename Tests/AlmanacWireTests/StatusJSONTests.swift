import AlmanacCore
import Foundation
import Testing

@testable import AlmanacWire

/// `StatusList.wireJSON()` and `ProfileStatus.wireJSON()` against `Wire.encoder()`: the same bytes.
@Suite(.timeLimit(.minutes(10)))
struct StatusJSONTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_284_000)  // 2026-11-21T18:00:00Z

    static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try Wire.encoder().encode(value), as: UTF8.self)
    }

    static func written(_ list: StatusList) -> WireJSONWriter {
        var w = WireJSONWriter()
        w.write(list)
        return w
    }

    /// Where two byte strings first differ, with some bytes of each from there.
    static func difference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let at = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        func from(_ x: [UInt8]) -> String { String(decoding: x.dropFirst(at).prefix(60), as: UTF8.self) }
        return "at byte \(at): writer \(from(a).debugDescription), JSONEncoder \(from(b).debugDescription)"
    }

    /// Thousands of random lists (`RandomStatusList`), each written by hand and by `JSONEncoder`.
    /// A failure names its seed: `RandomStatusList(seed:).list()` makes that list again.
    @Test func randomListsAreWrittenAsJSONEncoderWritesThem() throws {
        var byWriter = 0
        var byEncoder = 0
        var differences: [String] = []
        for seed in UInt64(1)...4_000 {
            var random = RandomStatusList(seed: seed)
            let list = random.list()
            let expected = Array(try Wire.encoder().encode(list))
            let w = Self.written(list)
            if w.failed {
                byEncoder += 1
            } else {
                byWriter += 1
                if w.bytes != expected { differences.append("seed \(seed): \(Self.difference(w.bytes, expected))") }
            }
            if try list.wireJSON() != expected { differences.append("seed \(seed): wireJSON() differs") }
            for (i, p) in list.profiles.enumerated() where try p.wireJSON() != Array(try Wire.encoder().encode(p)) {
                differences.append("seed \(seed): profiles[\(i)].wireJSON() differs")
            }
        }
        let differing = differences.count
        #expect(differing == 0, "the first: \(differences.prefix(3))")
        // Both ways are taken: most lists by the writer, those with a date it leaves out by JSONEncoder.
        #expect(byWriter > 1_500 && byEncoder > 200, "\(byWriter) by the writer, \(byEncoder) by JSONEncoder")
    }

    @Test func aTypicalRowIsWrittenWithSortedKeysAndWholeSeconds() throws {
        var p = ProfileStatus(
            name: "clinic", state: "idle", since: Self.t0.addingTimeInterval(0.75), restarts: 0,
            enabled: true)
        p.pid = 4242
        p.uptimeS = 3600
        p.nextRun = Self.t0.addingTimeInterval(3600)
        p.health = "ok"
        p.configHash = "9f86d08"
        let list = StatusList(profiles: [p])
        let text = String(decoding: try list.wireJSON(), as: UTF8.self)
        #expect(
            text
                == "{\"profiles\":[{\"config_hash\":\"9f86d08\",\"enabled\":true,\"health\":\"ok\",\"name\":\"clinic\","
                + "\"next_run\":\"2026-11-21T19:00:00Z\",\"pid\":4242,\"restarts\":0,"
                + "\"since\":\"2026-11-21T18:00:00Z\",\"state\":\"idle\",\"uptime_s\":3600}],\"v\":1}")
        #expect(text == (try Self.encoded(list)))
        #expect(!Self.written(list).failed)
    }

    @Test(arguments: [
        ("a\"b\\c/d", #""a\"b\\c/d""#),
        ("\u{0}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}", #""\u0000\b\t\n\u000b\f\r\u001f""#),
        ("\u{7F}\u{2028}\u{2029}é😀", "\"\u{7F}\u{2028}\u{2029}é😀\""),
        ("", "\"\""),
    ])
    func stringsAreEscapedAsJSONEncoderEscapesThem(value: String, json: String) throws {
        var w = WireJSONWriter()
        w.string(value)
        #expect(String(decoding: w.bytes, as: UTF8.self) == json)
        #expect(json == String(try Self.encoded([value]).dropFirst().dropLast()))
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"), (-0.5, "1969-12-31T23:59:59Z"), (1.999, "1970-01-01T00:00:01Z"),
        (-12_212_553_600, "1583-01-01T00:00:00Z"), (253_402_300_799.9, "9999-12-31T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
    ])
    func datesAreWholeSecondsRoundedDown(since1970: Double, json: String) throws {
        var w = WireJSONWriter()
        w.date(Date(timeIntervalSince1970: since1970))
        #expect(String(decoding: w.bytes, as: UTF8.self) == "\"\(json)\"")
        #expect(try Self.encoded([Date(timeIntervalSince1970: since1970)]) == "[\"\(json)\"]")
    }

    /// The encoder writes these in the Julian calendar or with a five-digit year: left to it.
    @Test(arguments: [-12_212_553_601, 253_402_300_800, Double.nan, -Double.infinity])
    func datesOutsideTheGregorianFourDigitYearsAreLeftToJSONEncoder(since1970: Double) throws {
        let p = ProfileStatus(
            name: "a", state: "idle", since: Date(timeIntervalSince1970: since1970), restarts: 0,
            enabled: true)
        let list = StatusList(profiles: [p])
        #expect(Self.written(list).failed)
        #expect(try list.wireJSON() == Array(try Wire.encoder().encode(list)))
    }

    @Test func integersAtTheirExtremes() throws {
        var w = WireJSONWriter()
        for i in [0, -1, 7, 10, Int.max, Int.min] {
            w.element()
            w.int(i)
        }
        #expect(String(decoding: w.bytes, as: UTF8.self) == "0,-1,7,10,9223372036854775807,-9223372036854775808")
    }

    /// The stored properties of every type the writer writes, as it knows them: a property added to
    /// one of them (and so to its JSON) fails here until `WireJSONWriter` (StatusJSON.swift) writes
    /// it and `RandomStatusList` makes it, instead of going missing from `GET /v1/profiles`.
    @Test func theWriterKnowsEveryStoredPropertyOfTheTypesItWrites() {
        func properties(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label).sorted() }
        let t = Self.t0
        let summary = RunSummary(
            PipeMessage.RunFinished(
                runID: "r", job: "j", trigger: nil, result: "success", to: ActionCounts(), from: ActionCounts(),
                started: t, durationMS: 1, requestIDs: [], batchDone: true),
            finished: t)
        #expect(properties(StatusList(profiles: [])) == ["failing", "limit", "offset", "profiles", "total", "v"])
        #expect(
            properties(ProfileStatus(name: "p", state: "idle", since: t, restarts: 0, enabled: true)) == [
                "configError", "configHash", "connections", "enabled", "file", "health", "job", "jobs", "lastError",
                "lastRun", "name", "nextRun", "pid", "progress", "restarts", "retryAt", "retryInS", "since", "state",
                "uptimeS",
            ])
        #expect(
            properties(summary) == [
                "cause", "dryRun", "durationMS", "error", "errorCode", "finished", "from", "job", "result", "runID",
                "started", "to", "trigger",
            ])
        #expect(properties(JobStatus(name: "j")) == ["lastDryRun", "lastRun", "name"])
        #expect(
            properties(ActionCounts()) == [
                "cancelled", "confirmed", "conflicts", "created", "deleted", "failed", "skipped", "unchanged",
                "updated",
            ])
        #expect(properties(RunProgress(phase: "reading")) == ["done", "phase", "total"])
        #expect(
            properties(ConnectionHealth(name: "c", state: .ok, since: t, checked: t)) == [
                "checked", "error", "errorCode", "name", "since", "state",
            ])
    }
}
