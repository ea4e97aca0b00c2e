import Foundation

/// One inner call of a batch as the fakes answered it.
public struct LoggedPart: Sendable, Hashable {
    public var method: String
    public var path: String
    public var query: [String: [String]]
    public var status: Int
    /// The fault injected into this part, if any.
    public var fault: FaultKind?
    /// The part's `If-Match` header, if any.
    public var ifMatch: String?

    public init(
        method: String, path: String, query: [String: [String]] = [:], status: Int, fault: FaultKind? = nil,
        ifMatch: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.status = status
        self.fault = fault
        self.ifMatch = ifMatch
    }
}

/// One request as the fakes saw it. Never holds credentials: no headers but `If-Match`, no body
/// of a token endpoint nor (unless `RequestLog.keepsBodies`) of any other request, and the query
/// of token endpoints is not kept.
public struct LoggedRequest: Sendable, Hashable {
    public var time: Date
    public var method: String
    /// Path and query (query omitted for token endpoints).
    public var target: String
    /// The path alone.
    public var path: String
    /// The decoded query, every value of each name (empty for token endpoints).
    public var query: [String: [String]]
    public var status: Int
    /// The fault injected, if any.
    public var fault: FaultKind?
    /// `Retry-After` seconds announced in the answer, if any.
    public var retryAfter: Int?
    /// Inner calls of a batch request (0 for plain requests).
    public var batchParts: Int
    /// The inner calls of a batch, in order, as answered.
    public var parts: [LoggedPart]
    /// The request's `If-Match` header, if any.
    public var ifMatch: String?
    /// The request's body as text, when the log keeps bodies (`RequestLog.keepsBodies`) and the
    /// request is an API call (not a token endpoint or an admin call).
    public var body: String?

    public init(
        time: Date, method: String, target: String, status: Int, fault: FaultKind? = nil,
        retryAfter: Int? = nil, batchParts: Int = 0, query: [String: [String]] = [:],
        parts: [LoggedPart] = [], ifMatch: String? = nil
    ) {
        self.time = time
        self.method = method
        self.target = target
        self.path = String(target.prefix { $0 != "?" })
        self.query = query
        self.status = status
        self.fault = fault
        self.retryAfter = retryAfter
        self.batchParts = batchParts
        self.parts = parts
        self.ifMatch = ifMatch
    }

    /// The log entry for request `r` as it was answered.
    init(
        _ r: FakeRequest, time: Date, status: Int, fault: FaultKind?, retryAfter: Int?, batchParts: Int,
        parts: [LoggedPart], keepQuery: Bool
    ) {
        var target = r.path
        if keepQuery && !r.query.isEmpty {
            target += "?" + r.query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        }
        self.init(
            time: time, method: r.method, target: target, status: status, fault: fault, retryAfter: retryAfter,
            batchParts: batchParts, query: keepQuery ? LoggedRequest.grouped(r.query) : [:], parts: parts,
            ifMatch: r.headers["if-match"])
    }

    static func grouped(_ query: [(String, String)]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (k, v) in query { out[k, default: []].append(v) }
        return out
    }
}

/// The requests a fake server received, in arrival order (thread-safe).
public final class RequestLog: @unchecked Sendable {
    // @unchecked: `entries` is guarded by `lock`.
    private let lock = NSLock()
    private var entries: [LoggedRequest] = []

    public init() {}

    private var bodies = false

    /// Whether API calls are logged with their bodies (`almanac-fakes --log-bodies`): what a
    /// client sent, for tests that look for data that must not leave a source. Off by default.
    public var keepsBodies: Bool {
        get { lock.withLock { bodies } }
        set { lock.withLock { bodies = newValue } }
    }

    func append(_ e: LoggedRequest) { lock.withLock { entries.append(e) } }

    public var all: [LoggedRequest] { lock.withLock { entries } }

    public var count: Int { lock.withLock { entries.count } }

    public func clear() { lock.withLock { entries.removeAll() } }

    /// For each answer carrying `Retry-After`, the delay until the next request: the client
    /// honoured it when every delay is at least the announced seconds.
    public func retryAfterGaps() -> [(announced: Int, waited: TimeInterval)] {
        let list = all
        var out: [(Int, TimeInterval)] = []
        for (i, e) in list.enumerated() {
            guard let ra = e.retryAfter, i + 1 < list.count else { continue }
            out.append((ra, list[i + 1].time.timeIntervalSince(e.time)))
        }
        return out
    }

    /// The log entry as JSON lines: one for the request (`method`, `path`, `query`, `status`,
    /// `fault`, `retry_after`, `batch_parts`, `if_match`, `time`), then one per batch part with
    /// `batch_part` (its index) and the same fields. Absent values are left out.
    public func jsonLines(_ e: LoggedRequest) -> [String] {
        var outer: [String: Any] = [
            "time": ISOTime.string(from: e.time), "method": e.method, "path": e.path, "query": e.query,
            "status": e.status, "batch_parts": e.batchParts,
        ]
        outer["fault"] = e.fault?.rawValue
        outer["retry_after"] = e.retryAfter
        outer["if_match"] = e.ifMatch
        outer["body"] = e.body
        var lines = [String(decoding: JSONWriter.data(outer), as: UTF8.self)]
        for (n, p) in e.parts.enumerated() {
            var line: [String: Any] = [
                "batch_part": n, "method": p.method, "path": p.path, "query": p.query, "status": p.status,
            ]
            line["fault"] = p.fault?.rawValue
            line["if_match"] = p.ifMatch
            lines.append(String(decoding: JSONWriter.data(line), as: UTF8.self))
        }
        return lines
    }

    /// The log as text lines, one per request (what `almanac-fakes --verbose` prints).
    public func render(_ e: LoggedRequest) -> String {
        var line = "\(e.method) \(e.target) -> \(e.status)"
        if let f = e.fault { line += " fault=\(f.rawValue)" }
        if let r = e.retryAfter { line += " retry_after=\(r)" }
        if e.batchParts > 0 { line += " parts=\(e.batchParts)" }
        return line
    }
}
