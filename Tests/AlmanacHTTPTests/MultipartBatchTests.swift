import Foundation
import Testing

@testable import AlmanacHTTP

/// Parsing of batch answers as Google sends them: parts matched by Content-ID, in any order.
@Suite struct MultipartBatchTests {
    func answer(_ body: String, boundary: String = "batch_x") -> HTTPResponse {
        HTTPResponse(
            status: 200, headers: ["content-type": "multipart/mixed; boundary=\"\(boundary)\""],
            body: Data(body.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    @Test func partsAreMatchedByContentIDInAnyOrder() throws {
        let r = answer(
            """
            --batch_x
            Content-Type: application/http
            Content-ID: <response-item-2>

            HTTP/1.1 404 Not Found
            Content-Type: application/json; charset=UTF-8
            Content-Length: 11

            {"a":"404"}
            --batch_x
            Content-Type: application/http
            Content-ID: <response-item-0>

            HTTP/1.1 200 OK
            ETag: "e0"
            Content-Type: application/json

            {"id":"abc"}

            --batch_x
            Content-Type: application/http
            Content-ID: <response-item-9>

            HTTP/1.1 200 OK

            {}
            --batch_x--

            """)
        let inner = MultipartBatch.responses(r, count: 3)
        #expect(inner.count == 3)
        #expect(inner[0]?.status == 200)
        #expect(inner[0]?.headers["etag"] == "\"e0\"")
        #expect(inner[0].map { String(decoding: $0.body, as: UTF8.self) } == "{\"id\":\"abc\"}")
        #expect(inner[1] == nil)
        #expect(inner[2]?.status == 404)
        #expect(inner[2].map { String(decoding: $0.body, as: UTF8.self) } == "{\"a\":\"404\"}")
    }

    @Test func innerResponseWithoutHeadersAndBrokenParts() {
        let r = answer(
            """
            --b1
            Content-ID: <response-item-1>

            HTTP/1.1 204 No Content

            --b1
            Content-ID: <response-item-0>

            not a status line
            --b1
            Content-ID: response-item-x

            HTTP/1.1 200 OK

            {}
            --b1--
            """, boundary: "b1")
        let inner = MultipartBatch.responses(r, count: 2)
        #expect(inner[0] == nil)
        #expect(inner[1]?.status == 204)
        #expect(inner[1]?.body.isEmpty == true)
    }

    @Test func noBoundaryMeansNothingAnswered() {
        let r = HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Data("{}".utf8))
        #expect(MultipartBatch.responses(r, count: 2) == [nil, nil])
    }

    @Test func requestCarriesOnePartPerCallWithLengths() {
        let body = Data("{\"summary\":\"x\"}".utf8)
        let req = MultipartBatch.request(
            url: "http://127.0.0.1:1/batch/calendar/v3",
            calls: [
                .init(method: "POST", path: "/calendar/v3/calendars/primary/events", body: body),
                .init(
                    method: "DELETE", path: "/calendar/v3/calendars/primary/events/abcde",
                    headers: ["If-Match": "\"e\""]),
            ])
        let ct = req.headers["Content-Type"] ?? ""
        let boundary = String(ct.split(separator: "=").last ?? "")
        let text = String(decoding: req.body ?? Data(), as: UTF8.self)
        #expect(ct.hasPrefix("multipart/mixed; boundary=almanac_batch_"))
        #expect(text.components(separatedBy: "--\(boundary)\r\n").count == 3)
        #expect(text.hasSuffix("--\(boundary)--\r\n"))
        #expect(
            text.contains(
                "Content-ID: <item-1>\r\n\r\nDELETE /calendar/v3/calendars/primary/events/abcde HTTP/1.1\r\nIf-Match: \"e\"\r\n\r\n"
            ))
        #expect(
            text.contains(
                "Content-Length: \(body.count)\r\nContent-Type: application/json\r\n\r\n{\"summary\":\"x\"}\r\n"))
    }
}
