import AlmanacCore
import AlmanacWire
import Foundation
import Testing

/// The control API's request bodies: every documented field may be left out.
@Suite("Control bodies", .timeLimit(.minutes(10)))
struct ControlBodyTests {
    static func decode(_ text: String) throws -> SyncRequest {
        try Wire.decoder().decode(SyncRequest.self, from: Data(text.utf8))
    }

    @Test(arguments: [
        ("{}", SyncRequest()),
        (#"{"wait":true}"#, SyncRequest(wait: true)),
        (#"{"allow_mass_delete":true}"#, SyncRequest(allowMassDelete: true)),
        (#"{"job":"appointments","full":true}"#, SyncRequest(job: "appointments", full: true)),
        (
            #"{"since":"2027-01-15T08:00:00Z","dry_run":true}"#,
            SyncRequest(since: Date(timeIntervalSince1970: 1_800_000_000), dryRun: true)
        ),
    ])
    func syncRequestFieldsAreOptional(text: String, expected: SyncRequest) throws {
        #expect(try Self.decode(text) == expected)
    }

    @Test func aFullSyncRequestRoundTripsAndWrongTypesAreRefused() throws {
        let full = SyncRequest(
            job: "j", since: Date(timeIntervalSince1970: 1_800_000_000), full: true, dryRun: true,
            allowMassDelete: true, wait: true)
        let text = String(decoding: try Wire.encoder().encode(full), as: UTF8.self)
        #expect(
            text
                == #"{"allow_mass_delete":true,"dry_run":true,"full":true,"job":"j","since":"2027-01-15T08:00:00Z","wait":true}"#
        )
        #expect(try Self.decode(text) == full)
        #expect(full.options.allowMassDelete && full.options.trigger == .manual)
        #expect(throws: DecodingError.self) { try Self.decode(#"{"wait":"yes"}"#) }
    }

    @Test func aLogLineIsOneObject() throws {
        let text = String(decoding: try Wire.encoder().encode(LogLine(line: "a \"b\"")), as: UTF8.self)
        #expect(text == #"{"line":"a \"b\"","v":1}"#)
    }
}
