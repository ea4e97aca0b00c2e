import AlmanacHTTP
import AlmanacWire
import Foundation
import Logging
import Synchronization

/// The worker's side of the quota governor (README "Quota governor"): `acquire` writes a
/// `quota_ask` on fd 4 and blocks the asking thread until the matching `quota_grant` comes back.
/// The daemon writes grants on a pipe of their own, the worker's fd 5, which the asking thread
/// reads itself: a round trip wakes two threads (the daemon's loop, then the asker), not three.
/// With several asks out at once one asker reads and hands the others theirs. A worker without
/// fd 5 (started by a daemon of an earlier version, whose binary was replaced while it ran) gets
/// its grants on fd 3, through the command loop's `grant(id:waitedMS:)`. Set as
/// `QuotaGates.current` under the daemon only.
final class QuotaClient: QuotaGate, @unchecked Sendable {  // @unchecked: state under `condition`
    private let events: EventChannel
    /// The grant pipe, nil when grants come through the command loop.
    private let grantFD: Int32?
    private let condition = NSCondition()
    private var nextID = 0
    private var granted: [String: Int] = [:]
    private var closed = false
    /// True while an asker reads `grantFD` (one at a time); `framer` is that reader's.
    private var reading = false
    private var framer = LineFramer()
    /// Round trips of asks granted at once, in µs (at most `maxSamples`, the latest kept; grown
    /// as they come, so a run of a few requests keeps a few).
    private var samples: [Double] = []
    private var sampleAt = 0
    /// Asks granted at once since the last `takeRoundTrips`, all of them (`samples` keeps the latest).
    private var grantedAtOnce = 0
    static let maxSamples = 16_384
    /// The keys' JSON text, made once per key set.
    private let keysText = Mutex<[[String]: String]>([:])

    init(events: EventChannel, grantFD: Int32? = nil) {
        self.events = events
        self.grantFD = grantFD
    }

    /// fd 5 when it is the read end of a pipe this process inherited open (the daemon's grant
    /// pipe), made close-on-exec so that nothing the worker starts holds it; nil otherwise.
    static func inheritedGrantPipe() -> Int32? {
        let fd: Int32 = 5
        var st = stat()
        let fdFlags = fcntl(fd, F_GETFD)
        guard fdFlags >= 0, fdFlags & FD_CLOEXEC == 0, fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFIFO,
            fcntl(fd, F_GETFL) & O_ACCMODE == O_RDONLY
        else { return nil }
        _ = fcntl(fd, F_SETFD, fdFlags | FD_CLOEXEC)
        return fd
    }

    func acquire(keys: [String], tokens: Int) {
        let json = keysText.withLock { cache in
            if let t = cache[keys] { return t }
            let t = QuotaLine.keysJSON(keys)
            cache[keys] = t
            return t
        }
        condition.lock()
        nextID += 1
        let id = "q\(nextID)"
        condition.unlock()
        let start = ContinuousClock.now
        events.sendRaw(QuotaLine.ask(id: id, keysJSON: json, tokens: max(1, tokens)))
        condition.lock()
        defer { condition.unlock() }
        while granted[id] == nil && !closed {
            if let fd = grantFD, !reading {
                reading = true
                condition.unlock()
                let read = readGrants(fd)
                condition.lock()
                reading = false
                if let grants = read {
                    for g in grants { granted[g.id] = g.waitedMS }
                } else {
                    closed = true
                }
                condition.broadcast()
            } else {
                condition.wait()
            }
        }
        guard let waited = granted.removeValue(forKey: id) else { return }
        let elapsed = ContinuousClock.now - start
        let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        if waited == 0 { record(micros) }
    }

    /// One read of the grant pipe (blocking) by the asker that holds `reading`: the grants of the
    /// whole lines read, none for a signal; nil at EOF or on an error (the daemon is gone).
    private func readGrants(_ fd: Int32) -> [(id: String, waitedMS: Int)]? {
        withUnsafeTemporaryAllocation(byteCount: 4_096, alignment: 1) { buf in
            let n = read(fd, buf.baseAddress, buf.count)
            if n < 0 && errno == EINTR { return [] }
            guard n > 0 else { return nil }
            return framer.feed(UnsafeRawBufferPointer(rebasing: buf[0..<n])).compactMap { frame in
                guard case .line(let line) = frame else { return nil }
                return QuotaLine.parseGrant(line[...])
            }
        }
    }

    func rateLimited(keys: [String], status: Int, retryAfter: TimeInterval?) {
        let ms = retryAfter.map { Int(($0 * 1000).rounded()) }
        events.send(.quotaReport(.init(keys: keys, status: status, retryAfterMS: ms)))
    }

    /// Called by the command loop with a `quota_grant` read on fd 3.
    func grant(id: String, waitedMS: Int) {
        condition.lock()
        granted[id] = waitedMS
        condition.broadcast()
        condition.unlock()
    }

    /// The command loop ends: nothing will be granted any more; waiting asks return.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Counts an ask granted at once and keeps its round trip (under `condition`).
    func record(_ micros: Double) {
        grantedAtOnce += 1
        if samples.count < Self.maxSamples {
            samples.append(micros)
        } else {
            samples[sampleAt] = micros
            sampleAt = (sampleAt + 1) % Self.maxSamples
        }
    }

    /// How many asks were granted at once (all of them) and their round trip's p50, p99 and max in
    /// µs (of the latest `maxSamples`), then forgets them; nil when there were none.
    func takeRoundTrips() -> (count: Int, p50: Double, p99: Double, max: Double)? {
        condition.lock()
        let s = samples.sorted()
        let count = grantedAtOnce
        samples = []
        sampleAt = 0
        grantedAtOnce = 0
        condition.unlock()
        guard !s.isEmpty else { return nil }
        func at(_ q: Double) -> Double { s[min(s.count - 1, Int((Double(s.count) * q).rounded(.up)) - 1)] }
        return (count, at(0.5), at(0.99), s[s.count - 1])
    }
}
