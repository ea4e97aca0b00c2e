import AlmanacWire
import Foundation

/// A parsed HTTP/1.1 request of the control API.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query.
    public var path: String
    public var query: [String: String]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The caller's role, set by `AccessGate` before a route sees the request.
    public var role: AccessRole = .admin

    /// The largest body the control API takes.
    static let maxBody = 1 << 20

    /// Parses a complete request head + body from `buffer`; nil while incomplete. A request whose
    /// end cannot be told exactly is refused, never read as if it had no body: a bad or repeated
    /// `Content-Length`, both `Content-Length` and `Transfer-Encoding`, a coding other than
    /// `chunked`, a malformed chunk.
    /// - Throws: `HTTPRequest.Malformed` with the status to answer.
    static func parse(_ buffer: [UInt8]) throws -> (HTTPRequest, consumed: Int)? {
        guard let headEnd = buffer.firstRange(of: [13, 10, 13, 10]) else {
            if buffer.count > 64 * 1024 { throw Malformed(status: 431, "request head over 64 KiB") }
            return nil
        }
        let head = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let parts = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            throw Malformed("malformed request line")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
            else { throw Malformed("malformed header line") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let earlier = headers[name] {
                guard name != "content-length", name != "transfer-encoding", name != "authorization" else {
                    throw Malformed("repeated \(name) header")
                }
                headers[name] = earlier + ", " + value
            } else {
                headers[name] = value
            }
        }
        let framed: (body: [UInt8], end: Int)?
        if let coding = headers["transfer-encoding"] {
            guard headers["content-length"] == nil else {
                throw Malformed("both Content-Length and Transfer-Encoding")
            }
            guard coding.lowercased() == "chunked" else {
                throw Malformed(status: 501, "transfer coding \"\(coding.prefix(40))\" not supported")
            }
            framed = try Self.dechunk(buffer, from: headEnd.upperBound)
        } else {
            let text = headers["content-length"] ?? "0"
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), text.utf8.count <= 9,
                let length = Int(text)
            else { throw Malformed("bad Content-Length") }
            guard length <= maxBody else { throw Malformed(status: 413, "body over 1 MiB") }
            let total = headEnd.upperBound + length
            framed = buffer.count >= total ? (Array(buffer[headEnd.upperBound..<total]), total) : nil
        }
        guard let (body, total) = framed else { return nil }
        let target = String(parts[1])
        var path = target
        var query: [String: String] = [:]
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            for pair in target[target.index(after: q)...].split(separator: "&") {
                // `=` and `=v` have an empty name: kept as such, never a missing element.
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                    String($0).removingPercentEncoding ?? String($0)
                }
                query[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
        }
        let request = HTTPRequest(
            method: String(parts[0]), path: path, query: query, headers: headers, body: body)
        return (request, total)
    }

    /// Decodes a `chunked` body starting at `start` (RFC 9112 §7.1): nil while incomplete, the body
    /// and where the message ends once the last chunk and the trailer section have arrived.
    static func dechunk(_ buffer: [UInt8], from start: Int) throws -> (body: [UInt8], end: Int)? {
        var body: [UInt8] = []
        var at = start
        while true {
            guard let lineEnd = buffer[at...].firstRange(of: [13, 10]) else {
                if buffer.count - at > 1024 { throw Malformed("malformed chunk size line") }
                return nil
            }
            let sizeText = buffer[at..<lineEnd.lowerBound].prefix { $0 != 59 }  // up to a `;` extension
            guard !sizeText.isEmpty, sizeText.count <= 8,
                let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16), size >= 0
            else { throw Malformed("malformed chunk size line") }
            at = lineEnd.upperBound
            if size == 0 { break }
            guard body.count + size <= maxBody else { throw Malformed(status: 413, "body over 1 MiB") }
            guard buffer.count >= at + size + 2 else { return nil }
            guard buffer[at + size] == 13, buffer[at + size + 1] == 10 else {
                throw Malformed("chunk longer than its size")
            }
            body += buffer[at..<at + size]
            at += size + 2
        }
        // The trailer section: header lines, then an empty line.
        while true {
            guard let lineEnd = buffer[at...].firstRange(of: [13, 10]) else {
                if buffer.count - at > 8 * 1024 { throw Malformed("trailer section over 8 KiB") }
                return nil
            }
            let empty = lineEnd.lowerBound == at
            at = lineEnd.upperBound
            if empty { return (body, at) }
        }
    }

    /// Why a request was refused: the status to answer and a message for the client.
    struct Malformed: Error {
        var status: Int
        var message: String
        init(status: Int = 400, _ message: String) {
            self.status = status
            self.message = message
        }
    }
}

/// What a control-API handler answers.
public enum HTTPResponse: Sendable {
    /// A complete response.
    case full(status: Int, contentType: String, body: [UInt8])
    /// A response produced on a thread of its own: for answers that wait on a worker (a sync, a
    /// connection test) or stream (`--wait`, `logs --follow`). The closure returns the status,
    /// content type and a body producer that writes chunks until it returns.
    case deferred(
        @Sendable () -> (status: Int, contentType: String, stream: @Sendable (_ write: (String) -> Bool) -> Void))

    public static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        .full(status: status, contentType: "application/json", body: body)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 202: return "Accepted"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 403: return "Forbidden"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 422: return "Unprocessable Content"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }

    /// The head of a response; without `length` the body runs to the end of the connection.
    static func head(status: Int, contentType: String, length: Int?) -> [UInt8] {
        var s = "HTTP/1.1 \(status) \(reason(status))\r\nContent-Type: \(contentType)\r\nConnection: close\r\n"
        if let length { s += "Content-Length: \(length)\r\n" }
        return Array((s + "\r\n").utf8)
    }
}
