import AlmanacCore
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
        var out = [UInt8]()
        out.reserveCapacity(parts.count * 1024)
        func add(_ s: String) { out.append(contentsOf: s.utf8) }
        var logged: [LoggedPart] = []
        logged.reserveCapacity(parts.count)
        for part in parts {
            let contentID = part.headers["content-id"].map { id -> String in
                let bare = String(id.filter { $0 != "<" && $0 != ">" })
                return "<response-\(bare)>"
            }
            let response: FakeResponse
            var entry = LoggedPart(method: "?", path: "?", status: 400)
            if var inner = MultipartMixed.parseRequest(part.body) {
                inner.headers["authorization"] = r.headers["authorization"]
                entry = LoggedPart(
                    method: inner.method, path: inner.path, query: LoggedRequest.grouped(inner.query),
                    status: 0, ifMatch: inner.headers["if-match"])
                if let fault = partFaults?.draw(), let status = Int(fault.rawValue) {
                    entry.fault = fault
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
            entry.status = response.status
            logged.append(entry)
            add("--\(outBoundary)\r\nContent-Type: application/http\r\n")
            if let contentID { add("Content-ID: \(contentID)\r\n") }
            add("\r\nHTTP/1.1 \(response.status) \(FakeResponse.reason(response.status))\r\n")
            for (k, v) in response.headers { add("\(k): \(v)\r\n") }
            add("Content-Length: \(response.body.count)\r\n\r\n")
            out.append(contentsOf: response.body)
            add("\r\n")
        }
        add("--\(outBoundary)--\r\n")
        var answer = FakeResponse(
            status: 200, headers: [("Content-Type", "multipart/mixed; boundary=\(outBoundary)")],
            body: Data(out))
        answer.parts = logged
        return answer
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

    /// The parts of a multipart body. Lines may end in CRLF or in a bare LF (Python's email
    /// generator, which Google's own client uses to write batches, writes LF).
    static func split(_ body: Data, boundary: String) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        return body.withUnsafeBytes { raw -> [Part] in
            let bytes = raw.bindMemory(to: UInt8.self)
            var parts: [Part] = []
            guard var cursor = ByteSearch.find(delimiter, in: bytes, from: 0, to: bytes.count) else { return [] }
            cursor += delimiter.count
            while !ByteSearch.starts(bytes, at: cursor, to: bytes.count, with: [45, 45]) {
                guard let next = ByteSearch.find(delimiter, in: bytes, from: cursor, to: bytes.count) else { break }
                var from = cursor
                var to = next
                if ByteSearch.starts(bytes, at: from, to: to, with: ByteSearch.crlf) {
                    from += 2
                } else if ByteSearch.starts(bytes, at: from, to: to, with: ByteSearch.lf) {
                    from += 1
                }
                if to > from && bytes[to - 1] == 10 { to -= 1 }
                if to > from && bytes[to - 1] == 13 { to -= 1 }
                let (headers, rest) = headerBlock(bytes, from: from, to: to)
                parts.append(Part(headers: headers, body: Data(UnsafeBufferPointer(rebasing: bytes[rest..<to]))))
                cursor = next + delimiter.count
            }
            return parts
        }
    }

    /// Splits `bytes[from..<to]` at the first blank line into lower-cased headers and the index
    /// where the rest starts (no blank line: no headers, everything is the rest).
    static func headerBlock(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> ([String: String], Int) {
        guard let blank = ByteSearch.blankLine(in: bytes, from: from, to: to) else { return ([:], from) }
        return (ByteSearch.headers(bytes, from: from, to: blank.at), blank.at + blank.length)
    }

    /// An inner `application/http` request: request line, headers, blank line, body.
    static func parseRequest(_ data: Data) -> FakeRequest? {
        data.withUnsafeBytes { raw -> FakeRequest? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let eol = ByteSearch.find(ByteSearch.lf, in: bytes, from: 0, to: bytes.count) else { return nil }
            let lineEnd = eol > 0 && bytes[eol - 1] == 13 ? eol - 1 : eol
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<lineEnd]), as: UTF8.self)
                .split(separator: " ")
            guard line.count >= 2 else { return nil }
            let headers: [String: String]
            let bodyStart: Int
            if ByteSearch.starts(bytes, at: eol + 1, to: bytes.count, with: ByteSearch.crlf) {
                (headers, bodyStart) = ([:], eol + 3)
            } else if ByteSearch.starts(bytes, at: eol + 1, to: bytes.count, with: ByteSearch.lf) {
                (headers, bodyStart) = ([:], eol + 2)
            } else {
                (headers, bodyStart) = headerBlock(bytes, from: eol + 1, to: bytes.count)
            }
            var target = String(line[1])
            if let r = target.range(of: "://") {
                target = String(target[r.upperBound...].drop { $0 != "/" })
            }
            let (path, query) = FakeRequest.split(target: target)
            let body = Data(UnsafeBufferPointer(rebasing: bytes[min(bodyStart, bytes.count)...]))
            return FakeRequest(method: String(line[0]), path: path, query: query, headers: headers, body: body)
        }
    }
}
