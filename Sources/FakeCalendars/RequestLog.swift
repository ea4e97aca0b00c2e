import Foundation

/// One request as the fakes saw it. Never holds credentials: no headers, no bodies, and the
/// query of token endpoints is not kept.
public struct LoggedRequest: Sendable, Hashable {
    public var time: Date
    public var method: String
    /// Path and query (query omitted for token endpoints).
    public var target: String
    public var status: Int
    /// The fault injected, if any.
    public var fault: FaultKind?
    /// `Retry-After` seconds announced in the answer, if any.
    public var retryAfter: Int?
    /// Inner calls of a batch request (0 for plain requests).
    public var batchParts: Int

    public init(time: Date, method: String, target: String, status: Int, fault: FaultKind? = nil,
                retryAfter: Int? = nil, batchParts: Int = 0) {
        self.time = time
        self.method = method
        self.target = target
        self.status = status
        self.fault = fault
        self.retryAfter = retryAfter
        self.batchParts = batchParts
    }
}

/// The requests a fake server received, in arrival order (thread-safe).
public final class RequestLog: @unchecked Sendable {
    // @unchecked: `entries` is guarded by `lock`.
    private let lock = NSLock()
    private var entries: [LoggedRequest] = []

    public init() {}

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

    /// The log as text lines, one per request (what `almanac-fakes` prints).
    public func render(_ e: LoggedRequest) -> String {
        var line = "\(e.method) \(e.target) -> \(e.status)"
        if let f = e.fault { line += " fault=\(f.rawValue)" }
        if let r = e.retryAfter { line += " retry_after=\(r)" }
        if e.batchParts > 0 { line += " parts=\(e.batchParts)" }
        return line
    }
}
