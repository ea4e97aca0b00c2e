import Foundation

/// A request as the fake servers see it: method, path, decoded query, headers (lower-cased names).
public struct FakeRequest: Sendable {
    public var method: String
    /// The path without the query string, percent-decoded segment by segment by the router.
    public var path: String
    public var query: [(String, String)]
    public var headers: [String: String]
    public var body: Data

    public init(method: String, path: String, query: [(String, String)], headers: [String: String], body: Data) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of query parameter `name`.
    public func param(_ name: String) -> String? { query.first { $0.0 == name }?.1 }

    /// Query flag `name` read as the services read it: `true` in any case, or `1`; anything else,
    /// or no value, is false (clients send `true`, `True` or `1`).
    public func flag(_ name: String) -> Bool {
        guard let v = param(name) else { return false }
        return v == "1" || v.lowercased() == "true"
    }

    /// Every value of query parameter `name` (`calendar_ids[]=a&calendar_ids[]=b`).
    public func params(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }

    /// The body decoded as a JSON object, nil when it is not one.
    public var jsonObject: [String: Any]? {
        JSONReader.object(body)
    }

    /// The bearer token of the `Authorization` header.
    public var bearer: String? {
        guard let h = headers["authorization"], h.hasPrefix("Bearer ") else { return nil }
        return String(h.dropFirst(7))
    }

    /// Splits `target` (`/a/b?x=1&y=2`) into a path and decoded query pairs.
    public static func split(target: String) -> (String, [(String, String)]) {
        guard let q = target.firstIndex(of: "?") else { return (target, []) }
        let path = String(target[..<q])
        var pairs: [(String, String)] = []
        for part in target[target.index(after: q)...].split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let k = decode(String(kv[0]))
            let v = kv.count > 1 ? decode(String(kv[1])) : ""
            pairs.append((k, v))
        }
        return (path, pairs)
    }

    static func decode(_ s: String) -> String {
        // Most segments and values have nothing to decode (Foundation's decoding showed in profiles).
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return s }
        return s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s
    }
}

/// A response of the fake servers.
public struct FakeResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data
    /// For batch answers: how each inner call was answered (for the request log).
    var parts: [LoggedPart] = []

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response; `object` must be a JSONSerialization-compatible value.
    public static func json(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> FakeResponse {
        let data = JSONWriter.data(object)
        return FakeResponse(
            status: status, headers: [("Content-Type", "application/json; charset=UTF-8")] + headers,
            body: data)
    }

    public static func empty(_ status: Int) -> FakeResponse { FakeResponse(status: status) }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 207: return "Multi-Status"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 412: return "Precondition Failed"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs (cheaper than Foundation's trimming on Linux).
    var trimmedSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" || l == "\r\n" { s = s.dropLast() }
        return String(s)
    }
}
