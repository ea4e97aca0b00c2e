import Foundation
import Testing

@testable import AlmanacSupervisor

/// `HTTPRequest.parse`: a request is taken only when its end can be told exactly; everything else
/// is refused with the status to answer, never read as a request with an empty body.
@Suite(.timeLimit(.minutes(10)))
struct HTTPFramingTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let post = "POST /v1/profiles/alpha/sync HTTP/1.1\r\nHost: almanac\r\n"

    func refusal(_ text: String) -> (status: Int, message: String)? {
        do {
            _ = try HTTPRequest.parse(Self.bytes(text))
            return nil
        } catch let e as HTTPRequest.Malformed {
            return (e.status, e.message)
        } catch {
            return (0, "\(error)")
        }
    }

    @Test func aContentLengthBodyIsTakenWhole() throws {
        let text = Self.post + "Content-Length: 11\r\n\r\n{\"wait\":1}\nEXTRA"
        let (request, consumed) = try #require(try HTTPRequest.parse(Self.bytes(text)))
        #expect(request.body == Self.bytes("{\"wait\":1}\n"))
        #expect(consumed == text.utf8.count - 5)
        #expect(try HTTPRequest.parse(Self.bytes(Self.post + "Content-Length: 11\r\n\r\n{\"wa")) == nil)
    }

    @Test func aChunkedBodyIsDecoded() throws {
        let text =
            Self.post + "Transfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"wa\r\n7\r\nit\":1}\n\r\n0\r\nX-T: 1\r\n\r\n"
        let (request, consumed) = try #require(try HTTPRequest.parse(Self.bytes(text)))
        #expect(request.body == Self.bytes("{\"wait\":1}\n"))
        #expect(consumed == text.utf8.count)
        // Every proper prefix is incomplete, not a request.
        for cut in stride(from: text.utf8.count - 1, to: Self.post.utf8.count + 30, by: -1) {
            #expect(try HTTPRequest.parse(Array(Self.bytes(text)[..<cut])) == nil, "cut at \(cut)")
        }
    }

    @Test func aMalformedChunkIsRefused() {
        let head = Self.post + "Transfer-Encoding: chunked\r\n\r\n"
        #expect(refusal(head + "zz\r\nabc\r\n0\r\n\r\n")?.status == 400)
        #expect(refusal(head + "2\r\nabcdef\r\n0\r\n\r\n")?.message == "chunk longer than its size")
        #expect(refusal(head + "\r\n\r\n")?.status == 400)
        #expect(refusal(head + "-1\r\n\r\n")?.status == 400)
    }

    @Test func framingThatCannotBeToldExactlyIsRefused() {
        #expect(
            refusal(Self.post + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")?.message
                == "both Content-Length and Transfer-Encoding")
        #expect(refusal(Self.post + "Transfer-Encoding: gzip, chunked\r\n\r\n")?.status == 501)
        #expect(
            refusal(Self.post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc")?.message
                == "repeated content-length header")
        #expect(refusal(Self.post + "Content-Length: +2\r\n\r\nab")?.message == "bad Content-Length")
        #expect(refusal(Self.post + "Content-Length: 2000000\r\n\r\n")?.status == 413)
        #expect(refusal(Self.post + "Content-Length : 2\r\n\r\nab")?.message == "malformed header line")
        #expect(refusal("POST /v1/profiles/alpha/sync\r\n\r\n")?.message == "malformed request line")
        #expect(refusal("POST  /x HTTP/1.1\r\n\r\n")?.message == "malformed request line")
    }
}
