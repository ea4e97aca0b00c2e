import AlmanacWire
import Foundation
import Testing

@testable import AlmanacSupervisor

/// Request bodies are strict JSON objects whose unknown fields are refused by name.
@Suite(.timeLimit(.minutes(10)))
struct StrictBodyTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func refusal(_ response: HTTPResponse?) -> (Int, String)? {
        guard case .full(let status, _, let body)? = response else { return nil }
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        #expect(object?["code"] as? String == "api.bad_request")
        return (status, object?["message"] as? String ?? "")
    }

    @Test func anUnknownFieldIsNamed() throws {
        let error = #expect(throws: JSONValue.BodyError.self) {
            try JSONValue.object(Self.bytes(#"{"name":"a","colour":"red"}"#), allowed: ["name"])
        }
        #expect(error?.description == #"unknown field "colour"; known: name"#)
    }

    @Test(arguments: [
        "[1]", "\"x\"", "{\"a\":", "{'a':1}", "{\"a\":1,}", "nul", "{} {}", "{\"a\":1,\"a\":2}", "{\"a\":01}",
        "{\"a\":\"\u{1}\"}", "{\"a\":\"\\x\"}", "{\"a\":[1,]}", "{\"a\":NaN}", "{a:1}", "{\"a\":1}\u{0}",
        "/* c */ {}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":+1}",
    ])
    func aBodyThatIsNotOneJSONObjectIsRefused(_ text: String) {
        #expect(throws: JSONValue.BodyError.self) { try JSONValue.object(Self.bytes(text), allowed: ["a"]) }
    }

    @Test func anEmptyBodyIsAnEmptyObject() throws {
        #expect(try JSONValue.object([], allowed: []).isEmpty)
        #expect(StrictBody.empty(Self.bytes(" {} ")) == nil)
        #expect(Self.refusal(StrictBody.empty(Self.bytes(#"{"force":true}"#)))?.0 == 400)
    }

    @Test func theSyncBodyIsStrict() throws {
        let good = try StrictBody.sync(
            Self.bytes(#"{"job":"appointments","full":true,"since":"2026-12-01T00:00:00Z"}"#)
        ).get()
        #expect(good.job == "appointments" && good.full && good.since != nil)
        #expect(try StrictBody.sync([]).get() == SyncRequest())
        for (body, message) in [
            (#"{"jobs":"a"}"#, #"unknown field "jobs"; known: allow_mass_delete, dry_run, full, job, since, wait"#),
            (#"{"job":"../x"}"#, #"job: not a job name (letters, digits, '_' and '-'), got "../x""#),
            (#"{"full":"yes"}"#, "full: expected true or false, got a string"),
            (#"{"job":7}"#, "job: expected a string, got a number"),
            (
                #"{"since":"yesterday"}"#,
                #"since: expected an RFC 3339 time like 2026-12-03T05:00:00Z, got "yesterday""#
            ),
        ] {
            guard case .failure(let e) = StrictBody.sync(Self.bytes(body)) else {
                Issue.record("\(body) was taken")
                continue
            }
            #expect(e.description == message, "\(body)")
        }
    }
}
