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
        var body = Data()
        for (n, call) in calls.enumerated() {
            var part = "--\(boundary)\r\nContent-Type: application/http\r\nContent-ID: <item-\(n)>\r\n\r\n"
            part += "\(call.method) \(call.path) HTTP/1.1\r\n"
            var h = call.headers
            if let b = call.body {
                h["Content-Type"] = h["Content-Type"] ?? "application/json"
                h["Content-Length"] = "\(b.count)"
            }
            for (k, v) in h.sorted(by: { $0.key < $1.key }) { part += "\(k): \(v)\r\n" }
            part += "\r\n"
            body.append(Data(part.utf8))
            if let b = call.body { body.append(b) }
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        var h = headers
        h["Content-Type"] = "multipart/mixed; boundary=\(boundary)"
        return HTTPRequest(method: "POST", url: url, headers: h, body: body)
    }

    /// The inner responses of a batch answer, one per call in call order; nil for a call the
    /// answer does not cover (treat as not done).
    public static func responses(_ outer: HTTPResponse, count: Int) -> [HTTPResponse?] {
        var out = [HTTPResponse?](repeating: nil, count: count)
        guard let ct = outer.headers["content-type"], let boundary = boundary(of: ct) else { return out }
        let delimiter = Data("--\(boundary)".utf8)
        let body = outer.body
        var ranges: [Range<Data.Index>] = []
        var cursor = body.startIndex
        while let r = body.range(of: delimiter, in: cursor..<body.endIndex) {
            ranges.append(r)
            cursor = r.upperBound
        }
        for (a, b) in zip(ranges, ranges.dropFirst()) {
            let part = Data(body[a.upperBound..<b.lowerBound])
            guard let (headers, inner) = split(part) else { continue }
            let id = String((headers["content-id"] ?? "").filter { $0 != "<" && $0 != ">" && $0 != " " })
            guard let dash = id.lastIndex(of: "-"), let n = Int(id[id.index(after: dash)...]), n < count,
                let response = parseResponse(inner)
            else { continue }
            out[n] = response
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

    /// Splits at the first blank line into lower-cased headers and the rest.
    static func split(_ data: Data) -> ([String: String], Data)? {
        var d = data
        while d.starts(with: Data("\r\n".utf8)) { d = Data(d.dropFirst(2)) }
        guard let sep = d.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        var headers: [String: String] = [:]
        for line in String(decoding: d[d.startIndex..<sep.lowerBound], as: UTF8.self).components(separatedBy: "\r\n") {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmedSpaces
        }
        return (headers, Data(d[sep.upperBound...]))
    }

    static func parseResponse(_ data: Data) -> HTTPResponse? {
        guard let eol = data.range(of: Data("\r\n".utf8)) else { return nil }
        let statusLine = String(decoding: data[data.startIndex..<eol.lowerBound], as: UTF8.self).split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let rest = Data(data[eol.upperBound...])
        var headers: [String: String] = [:]
        var body = Data()
        if rest.starts(with: Data("\r\n".utf8)) {
            body = Data(rest.dropFirst(2))
        } else if let (h, b) = split(rest) {
            headers = h
            body = b
        }
        if let len = headers["content-length"].flatMap(Int.init), len <= body.count {
            body = Data(body.prefix(len))
        } else {
            while body.last == 0x0A || body.last == 0x0D { body.removeLast() }
        }
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
