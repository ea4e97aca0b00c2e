import Foundation

extension GoogleFake {
    /// Google's batch endpoint: a `multipart/mixed` body of `application/http` parts, each an
    /// inner request; the answer is `multipart/mixed` with one `response-<Content-ID>` part per
    /// call, in order. At most 1000 calls per batch. Inner calls may get faults of their own.
    func batch(_ r: FakeRequest) -> FakeResponse {
        guard let ct = r.headers["content-type"], ct.lowercased().hasPrefix("multipart/mixed"),
            let boundary = MultipartMixed.boundary(of: ct)
        else {
            return GoogleFake.error(400, "badContent", "Batch requests must be multipart/mixed with a boundary.")
        }
        let parts = MultipartMixed.split(r.body, boundary: boundary)
        guard parts.count <= 1000 else { return GoogleFake.error(400, "limitExceeded", "Too many requests in batch.") }
        let outBoundary = "batch_\(UInt64.random(in: 0...UInt64.max))"
        var out = Data()
        for part in parts {
            let contentID = part.headers["content-id"].map { id -> String in
                let bare = String(id.filter { $0 != "<" && $0 != ">" })
                return "<response-\(bare)>"
            }
            let response: FakeResponse
            if var inner = MultipartMixed.parseRequest(part.body) {
                inner.headers["authorization"] = r.headers["authorization"]
                if let fault = partFaults?.draw(), let status = Int(fault.rawValue) {
                    response =
                        status == 429
                        ? GoogleFake.error(429, "rateLimitExceeded", "Rate Limit Exceeded")
                        : status == 403
                            ? GoogleFake.error(403, "userRateLimitExceeded", "User Rate Limit Exceeded")
                            : GoogleFake.error(status, "backendError", "Backend Error")
                } else {
                    response = route(inner)
                }
            } else {
                response = GoogleFake.error(400, "badRequest", "Malformed inner request.")
            }
            out.append(Data("--\(outBoundary)\r\nContent-Type: application/http\r\n".utf8))
            if let contentID { out.append(Data("Content-ID: \(contentID)\r\n".utf8)) }
            var head = "\r\nHTTP/1.1 \(response.status) \(FakeResponse.reason(response.status))\r\n"
            for (k, v) in response.headers { head += "\(k): \(v)\r\n" }
            head += "Content-Length: \(response.body.count)\r\n\r\n"
            out.append(Data(head.utf8))
            out.append(response.body)
            out.append(Data("\r\n".utf8))
        }
        out.append(Data("--\(outBoundary)--\r\n".utf8))
        return FakeResponse(
            status: 200, headers: [("Content-Type", "multipart/mixed; boundary=\(outBoundary)")],
            body: out)
    }
}

/// multipart/mixed parsing for the fakes' batch endpoint.
enum MultipartMixed {
    struct Part {
        var headers: [String: String]
        var body: Data
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

    /// The number of parts (delimiters other than the closing one), by a byte scan.
    static func countParts(_ body: Data, boundary: String) -> Int {
        let needle = Array("--\(boundary)".utf8)
        return body.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int in
            let bytes = raw.bindMemory(to: UInt8.self)
            var n = 0
            var i = 0
            let last = bytes.count - needle.count
            while i <= last {
                if bytes[i] == needle[0] {
                    var j = 1
                    while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
                    if j == needle.count {
                        let k = i + needle.count
                        if k + 1 < bytes.count && bytes[k] == 45 && bytes[k + 1] == 45 { break }
                        n += 1
                        i = k
                        continue
                    }
                }
                i += 1
            }
            return n
        }
    }

    static func split(_ body: Data, boundary: String) -> [Part] {
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [Part] = []
        var cursor = body.startIndex
        guard let first = body.range(of: delimiter, in: cursor..<body.endIndex) else { return [] }
        cursor = first.upperBound
        while true {
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard let next = body.range(of: delimiter, in: cursor..<body.endIndex) else { break }
            var chunk = Data(body[cursor..<next.lowerBound])
            if chunk.starts(with: Data("\r\n".utf8)) { chunk = Data(chunk.dropFirst(2)) }
            if chunk.count >= 2 && chunk.suffix(2) == Data("\r\n".utf8) { chunk = Data(chunk.dropLast(2)) }
            let (headers, rest) = headerBlock(chunk)
            parts.append(Part(headers: headers, body: rest))
            cursor = next.upperBound
        }
        return parts
    }

    /// Splits `data` at the first blank line into lower-cased headers and the rest.
    static func headerBlock(_ data: Data) -> ([String: String], Data) {
        guard let sep = data.range(of: Data("\r\n\r\n".utf8)) else { return ([:], data) }
        var headers: [String: String] = [:]
        let text = String(decoding: data[data.startIndex..<sep.lowerBound], as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmedSpaces
        }
        return (headers, Data(data[sep.upperBound...]))
    }

    /// An inner `application/http` request: request line, headers, blank line, body.
    static func parseRequest(_ data: Data) -> FakeRequest? {
        guard let eol = data.range(of: Data("\r\n".utf8)) else { return nil }
        let line = String(decoding: data[data.startIndex..<eol.lowerBound], as: UTF8.self).split(separator: " ")
        guard line.count >= 2 else { return nil }
        let rest = Data(data[eol.upperBound...])
        let (headers, body): ([String: String], Data)
        if rest.starts(with: Data("\r\n".utf8)) {
            (headers, body) = ([:], Data(rest.dropFirst(2)))
        } else {
            (headers, body) = headerBlock(rest)
        }
        var target = String(line[1])
        if let r = target.range(of: "://") {
            target = String(target[r.upperBound...].drop { $0 != "/" })
        }
        let (path, query) = FakeRequest.split(target: target)
        return FakeRequest(method: String(line[0]), path: path, query: query, headers: headers, body: body)
    }
}
