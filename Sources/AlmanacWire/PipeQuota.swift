import Foundation

// The quota governor's messages (README "Quota governor"): a worker asks before each HTTP request
// of a governed connection, the supervisor grants when the key's buckets have the tokens.
extension PipeMessage {
    /// `quota_ask` (worker → supervisor): `tokens` requests (a batch counts its calls) to send on
    /// every key of `keys` (`KIND:REST`, `QuotaConfig`). Answered by one `quota_grant` echoing
    /// `id` (the worker's: `q1`, `q2`, …) once every bucket has the tokens.
    public struct QuotaAsk: Codable, Sendable, Hashable {
        public var id: String
        public var keys: [String]
        public var tokens: Int

        public init(id: String, keys: [String], tokens: Int) {
            self.id = id
            self.keys = keys
            self.tokens = tokens
        }
    }

    /// `quota_grant` (supervisor → worker): the ask `id` may send now; `waited_ms` is how long
    /// the supervisor held it (0: granted at once).
    public struct QuotaGrant: Codable, Sendable, Hashable {
        public var id: String
        public var waitedMS: Int

        enum CodingKeys: String, CodingKey {
            case id
            case waitedMS = "waited_ms"
        }

        public init(id: String, waitedMS: Int) {
            self.id = id
            self.waitedMS = waitedMS
        }
    }

    /// `quota_report` (worker → supervisor): a request on `keys` was refused for its rate (429, or
    /// a rate-limit 403: `status`), with the server's `Retry-After` in `retry_after_ms`. Not
    /// answered: the supervisor shrinks the keys' buckets for every worker.
    public struct QuotaReport: Codable, Sendable, Hashable {
        public var keys: [String]
        public var status: Int
        public var retryAfterMS: Int?

        enum CodingKeys: String, CodingKey {
            case keys, status
            case retryAfterMS = "retry_after_ms"
        }

        public init(keys: [String], status: Int, retryAfterMS: Int?) {
            self.keys = keys
            self.status = status
            self.retryAfterMS = retryAfterMS
        }
    }
}

/// The hot path of the governor without a JSON encoder or decoder: the same bytes `Wire.line`
/// writes (keys sorted), recognised by shape; anything else goes through the decoder.
public enum QuotaLine {
    /// `{"id":"ID","keys":KEYS,"tokens":N,"type":"quota_ask","v":1}` where `keysJSON` is the
    /// keys' JSON array as `Wire` encodes it (`keysJSON(_:)`, made once per client).
    public static func ask(id: String, keysJSON: String, tokens: Int) -> [UInt8] {
        Array("{\"id\":\"\(id)\",\"keys\":\(keysJSON),\"tokens\":\(tokens),\"type\":\"quota_ask\",\"v\":1}\n".utf8)
    }

    /// The JSON array of `keys`, as `Wire` encodes it.
    public static func keysJSON(_ keys: [String]) -> String {
        let data = (try? Wire.encoder().encode(keys)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The id, keys array text and tokens of an ask line, nil for any other line. The id is
    /// letters and digits only.
    public static func parseAsk(_ line: ArraySlice<UInt8>) -> (id: String, keysJSON: String, tokens: Int)? {
        let head = Array("{\"id\":\"".utf8)
        let tail = Array(",\"type\":\"quota_ask\",\"v\":1}".utf8)
        guard line.count > head.count + tail.count, line.starts(with: head), line.suffix(tail.count).elementsEqual(tail)
        else { return nil }
        var i = line.startIndex + head.count
        let idStart = i
        while i < line.endIndex, isAlphanumeric(line[i]) { i += 1 }
        let id = String(decoding: line[idStart..<i], as: UTF8.self)
        let keysMark = Array("\",\"keys\":".utf8)
        guard !id.isEmpty, line[i...].starts(with: keysMark) else { return nil }
        let keysStart = i + keysMark.count
        let body = line[keysStart..<(line.endIndex - tail.count)]
        // The keys array ends at the last `,"tokens":` (a key may hold that text only escaped).
        let tokensMark = Array(",\"tokens\":".utf8)
        guard let at = lastIndex(of: tokensMark, in: body) else { return nil }
        var tokens = 0
        var j = at + tokensMark.count
        guard j < body.endIndex else { return nil }
        while j < body.endIndex {
            let c = body[j]
            guard c >= 0x30 && c <= 0x39, tokens < 100_000_000 else { return nil }
            tokens = tokens * 10 + Int(c - 0x30)
            j += 1
        }
        return (id, String(decoding: body[keysStart..<at], as: UTF8.self), tokens)
    }

    /// `{"id":"ID","type":"quota_grant","v":1,"waited_ms":N}`
    public static func grant(id: String, waitedMS: Int) -> [UInt8] {
        Array("{\"id\":\"\(id)\",\"type\":\"quota_grant\",\"v\":1,\"waited_ms\":\(waitedMS)}\n".utf8)
    }

    /// The id and wait of a grant line written by `grant(id:waitedMS:)`, nil for any other line.
    public static func parseGrant(_ line: ArraySlice<UInt8>) -> (id: String, waitedMS: Int)? {
        let head = Array("{\"id\":\"".utf8)
        let mid = Array("\",\"type\":\"quota_grant\",\"v\":1,\"waited_ms\":".utf8)
        guard line.starts(with: head), line.last == UInt8(ascii: "}") else { return nil }
        var i = line.startIndex + head.count
        let idStart = i
        while i < line.endIndex, isAlphanumeric(line[i]) { i += 1 }
        guard i > idStart, line[i...].starts(with: mid) else { return nil }
        let id = String(decoding: line[idStart..<i], as: UTF8.self)
        var n = 0
        var j = i + mid.count
        guard j < line.endIndex - 1 else { return nil }
        while j < line.endIndex - 1 {
            let c = line[j]
            guard c >= 0x30 && c <= 0x39, n < 1_000_000_000 else { return nil }
            n = n * 10 + Int(c - 0x30)
            j += 1
        }
        return (id, n)
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    private static func lastIndex(of needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard hay.count >= needle.count else { return nil }
        var i = hay.endIndex - needle.count
        while i >= hay.startIndex {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }
}
