import Foundation
import Testing

@testable import AlmanacSupervisor

/// The query of a request target: every pair shape parses, none stops the daemon (`GET /v1/profiles?=`
/// was an index out of range in the control server's thread, found by the OpenAPI fuzz).
@Suite(.timeLimit(.minutes(10)))
struct QueryParsingTests {
    @Test(arguments: [
        ("?=", ["": ""]), ("?&&", [:]), ("?a", ["a": ""]), ("?a=", ["a": ""]), ("?=b", ["": "b"]),
        ("?a==b", ["a": "=b"]), ("?a=1&b=2", ["a": "1", "b": "2"]), ("?a=1&a=2", ["a": "2"]),
        ("?t%C3%A4il=%31%30", ["täil": "10"]), ("?bad=%ZZ", ["bad": "%ZZ"]), ("", [:]), ("?", [:]),
    ])
    func pairs(query: String, expected: [String: String]) throws {
        let text = "GET /v1/profiles\(query) HTTP/1.1\r\nHost: almanac\r\n\r\n"
        let parsed = try #require(try HTTPRequest.parse(Array(text.utf8)))
        #expect(parsed.0.path == "/v1/profiles")
        #expect(parsed.0.query == expected)
    }
}
