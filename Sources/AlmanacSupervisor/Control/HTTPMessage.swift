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

    /// Parses a complete request head + body from `buffer`; nil while incomplete.
    /// - Throws: `HTTPRequest.Malformed` for a request that cannot be parsed or is too large.
    static func parse(_ buffer: [UInt8]) throws -> (HTTPRequest, consumed: Int)? {
        guard let headEnd = buffer.firstRange(of: [13, 10, 13, 10]) else {
            if buffer.count > 64 * 1024 { throw Malformed() }
            return nil
        }
        let head = String(decoding: buffer[..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let parts = lines.removeFirst().split(separator: " ")
        guard parts.count == 3 else { throw Malformed() }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Malformed() }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? -1
        guard length >= 0, length <= 1 << 20 else { throw Malformed() }
        let total = headEnd.upperBound + length
        guard buffer.count >= total else { return nil }
        let target = String(parts[1])
        var path = target
        var query: [String: String] = [:]
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            for pair in target[target.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).removingPercentEncoding ?? String($0)
                }
                query[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
        }
        let request = HTTPRequest(
            method: String(parts[0]), path: path, query: query, headers: headers,
            body: Array(buffer[headEnd.upperBound..<total]))
        return (request, total)
    }

    struct Malformed: Error {}
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
        case 409: return "Conflict"
        case 500: return "Internal Server Error"
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
