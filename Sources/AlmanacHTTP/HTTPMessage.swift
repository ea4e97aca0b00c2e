import Foundation

/// An HTTP request to send. `headers` keep their order; `body` is sent as is.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: Data?
    /// False for a request that must not be applied twice (a create whose id the server
    /// chooses): it is sent on a fresh connection (libcurl sends a request again by itself when
    /// the reused connection it went out on died before an answer), and `HTTPClient` retries it
    /// only after a 429 or a transfer that never reached the server.
    public var isReplayable: Bool

    public init(
        method: String = "GET", url: String, headers: [String: String] = [:], body: Data? = nil,
        isReplayable: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.isReplayable = isReplayable
    }

    /// A request with a JSON body (`Content-Type: application/json`).
    public static func json(_ method: String, _ url: String, _ object: Any, headers: [String: String] = [:]) throws
        -> HTTPRequest
    {
        var h = headers
        h["Content-Type"] = "application/json"
        return HTTPRequest(
            method: method, url: url, headers: h,
            body: try JSONSerialization.data(withJSONObject: object))
    }

    /// A request with an encodable JSON body.
    public static func json(_ method: String, _ url: String, encodable: some Encodable, headers: [String: String] = [:])
        throws -> HTTPRequest
    {
        var h = headers
        h["Content-Type"] = "application/json"
        return HTTPRequest(method: method, url: url, headers: h, body: try JSONEncoder().encode(encodable))
    }
}

/// A response. Header names are lower-cased; a repeated header keeps its last value.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    /// The protocol the answer came over: 1 (HTTP/1.x), 2 (HTTP/2) or 3 (HTTP/3).
    public var httpVersion: Int

    public init(status: Int, headers: [String: String] = [:], body: Data = Data(), httpVersion: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as a JSON object, or nil.
    public var jsonObject: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }

    /// Decodes the body; throws `http.bad_body` naming what was expected.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw AlmanacHTTPError.badBody(expected: "\(T.self)", status: status, cause: error)
        }
    }

    /// `Retry-After` in seconds (delta-seconds or an HTTP date), if present.
    public var retryAfter: TimeInterval? {
        guard let v = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let s = Double(v) { return max(0, s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: v).map { max(0, $0.timeIntervalSinceNow) }
    }
}
