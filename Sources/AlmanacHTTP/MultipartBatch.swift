import AlmanacCore
import Foundation

/// `multipart/mixed` batch bodies as Google's batch endpoint takes them: each part an
/// `application/http` inner request with a `Content-ID`, answered by a part whose Content-ID is
/// `response-<id>` carrying an inner HTTP response.
public enum MultipartBatch {
    /// One inner call: method, path (with query) relative to the API host, headers, JSON body.
    public struct Call: Sendable, Hashable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: Data?

        public init(method: String, path: String, headers: [String: String] = [:], body: Data? = nil) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
        }
    }

    /// The outer request for `calls` (Content-IDs are `<item-N>`, N = index).
    public static func request(url: String, calls: [Call], headers: [String: String] = [:]) -> HTTPRequest {
        let boundary = "almanac_batch_\(UInt64.random(in: 0...UInt64.max))"
        var body = [UInt8]()
        body.reserveCapacity(calls.reduce(0) { $0 + 256 + $1.path.utf8.count + ($1.body?.count ?? 0) })
        func add(_ s: String) { body.append(contentsOf: s.utf8) }
        for (n, call) in calls.enumerated() {
            add("--\(boundary)\r\nContent-Type: application/http\r\nContent-ID: <item-\(n)>\r\n\r\n")
            add("\(call.method) \(call.path) HTTP/1.1\r\n")
            var h = call.headers
            if let b = call.body {
                h["Content-Type"] = h["Content-Type"] ?? "application/json"
                h["Content-Length"] = "\(b.count)"
            }
            for (k, v) in h.sorted(by: { $0.key < $1.key }) { add("\(k): \(v)\r\n") }
            add("\r\n")
            if let b = call.body { body.append(contentsOf: b) }
            add("\r\n")
        }
        add("--\(boundary)--\r\n")
        var h = headers
        h["Content-Type"] = "multipart/mixed; boundary=\(boundary)"
        return HTTPRequest(method: "POST", url: url, headers: h, body: Data(body))
    }

    /// The inner responses of a batch answer, one per call in call order; nil for a call the
    /// answer does not cover (treat as not done). Parts are matched by Content-ID
    /// (`<response-item-N>`), not by position.
    public static func responses(_ outer: HTTPResponse, count: Int) -> [HTTPResponse?] {
        var out = [HTTPResponse?](repeating: nil, count: count)
        guard let ct = outer.headers["content-type"], let boundary = boundary(of: ct) else { return out }
        let delimiter = Array("--\(boundary)".utf8)
        outer.body.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard var a = ByteSearch.find(delimiter, in: bytes, from: 0, to: bytes.count) else { return }
            a += delimiter.count
            while let b = ByteSearch.find(delimiter, in: bytes, from: a, to: bytes.count) {
                if let (n, response) = part(bytes, from: a, to: b), n < count { out[n] = response }
                a = b + delimiter.count
            }
        }
        return out
    }

    static func boundary(of contentType: String) -> String? {
        for p in contentType.split(separator: ";") {
            let t = p.trimmingCharacters(in: .whitespaces)
            if t.lowercased().hasPrefix("boundary=") {
                return String(t.dropFirst(9)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// One part `bytes[from..<to]`: its headers (Content-ID gives the call's index) and the inner
    /// HTTP response it carries.
    static func part(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> (Int, HTTPResponse)? {
        var start = from
        while ByteSearch.starts(bytes, at: start, to: to, with: ByteSearch.crlf) { start += 2 }
        guard let sep = ByteSearch.find(ByteSearch.blankLine, in: bytes, from: start, to: to) else { return nil }
        let headers = ByteSearch.headers(bytes, from: start, to: sep)
        let id = (headers["content-id"] ?? "").filter { $0 != "<" && $0 != ">" && $0 != " " }
        guard let dash = id.lastIndex(of: "-"), let n = Int(id[id.index(after: dash)...]),
            let response = parseResponse(bytes, from: sep + 4, to: to)
        else { return nil }
        return (n, response)
    }

    /// An inner `HTTP/1.1 STATUS REASON` response with optional headers and body.
    static func parseResponse(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> HTTPResponse? {
        guard let eol = ByteSearch.find(ByteSearch.crlf, in: bytes, from: from, to: to) else { return nil }
        var s = from
        while s < eol && bytes[s] != 32 { s += 1 }
        while s < eol && bytes[s] == 32 { s += 1 }
        var status = 0
        var digits = 0
        while s < eol, bytes[s] >= 48, bytes[s] <= 57 {
            status = status * 10 + Int(bytes[s] - 48)
            digits += 1
            s += 1
        }
        guard digits > 0, s == eol || bytes[s] == 32 else { return nil }
        var headers: [String: String] = [:]
        var bodyStart = eol + 2
        if !ByteSearch.starts(bytes, at: bodyStart, to: to, with: ByteSearch.crlf) {
            var h = bodyStart
            while ByteSearch.starts(bytes, at: h, to: to, with: ByteSearch.crlf) { h += 2 }
            guard let sep = ByteSearch.find(ByteSearch.blankLine, in: bytes, from: h, to: to) else { return nil }
            headers = ByteSearch.headers(bytes, from: h, to: sep)
            bodyStart = sep + 4
        } else {
            bodyStart += 2
        }
        var bodyEnd = max(bodyStart, to)
        if let len = headers["content-length"].flatMap(Int.init), len <= bodyEnd - bodyStart {
            bodyEnd = bodyStart + len
        } else {
            while bodyEnd > bodyStart && (bytes[bodyEnd - 1] == 10 || bytes[bodyEnd - 1] == 13) { bodyEnd -= 1 }
        }
        let body = Data(UnsafeBufferPointer(rebasing: bytes[bodyStart..<bodyEnd]))
        return HTTPResponse(status: status, headers: headers, body: body)
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
