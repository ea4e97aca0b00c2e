import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads `\n`-terminated lines from a non-blocking descriptor into one growing buffer, with a
/// deadline per line and a length limit: it stops reading at the limit (it never buffers more
/// than the limit plus one read), so an oversized line costs at most that much memory.
struct LineReader {
    enum Event {
        /// A complete line, without its `\n` (and a `\r` before it), valid until the next call.
        case line(UnsafeRawBufferPointer)
        /// End of file before a newline; `partial` holds what came after the last newline.
        case end(partial: [UInt8])
        case timedOut(partial: [UInt8])
        /// The limit was reached without a newline; `start` is the line's first bytes.
        case tooLong(start: [UInt8])
    }

    let fd: Int32
    let limit: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Where the search for the next newline resumes (bytes before it hold none).
    private var scanned = 0

    init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = limit
        buffer = .allocate(byteCount: min(1 << 20, limit + 1), alignment: 16)
    }

    func deallocate() { buffer.deallocate() }

    /// Whether bytes are waiting in the buffer (a line the plugin wrote ahead of a request).
    var hasBuffered: Bool { end > start }

    /// The next line, waiting for it at most until `deadline` (a `DispatchTime`-style uptime in ns).
    mutating func next(deadline: UInt64) -> Event {
        while true {
            if let nl = newline() {
                var lineEnd = nl
                if lineEnd > start, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
                start = nl + 1
                scanned = start
                return .line(line)
            }
            if end - start > limit { return .tooLong(start: Array(buffer[start..<start + 80])) }
            makeRoom()
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline { return .timedOut(partial: pending) }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
            let ready = poll(&pfd, 1, wait)
            if ready < 0 {
                if errno == EINTR { continue }
                return .end(partial: pending)
            }
            if ready == 0 { continue }
            let want = min(buffer.count - end, limit + 1 - (end - start))
            let n = read(fd, buffer.baseAddress! + end, want)
            if n > 0 {
                end += n
            } else if n == 0 {
                return .end(partial: pending)
            } else if errno != EAGAIN && errno != EINTR {
                return .end(partial: pending)
            }
        }
    }

    /// Reads what is available now without waiting; false at end of file.
    mutating func drainAvailable() -> Bool {
        makeRoom()
        let want = min(buffer.count - end, limit + 1 - (end - start))
        guard want > 0 else { return true }
        let n = read(fd, buffer.baseAddress! + end, want)
        if n > 0 { end += n }
        return n != 0  // 0: end of file; -1: nothing to read now (EAGAIN) or an error the next read meets
    }

    private var pending: [UInt8] { Array(buffer[start..<end]) }

    private mutating func newline() -> Int? {
        guard scanned < end else { return nil }
        let base = buffer.baseAddress!
        if let p = memchr(base + scanned, 0x0A, end - scanned) {
            return base.distance(to: UnsafeMutableRawPointer(p))
        }
        scanned = end
        return nil
    }

    /// Moves the unread bytes to the front, or grows the buffer when they fill it (up to the limit).
    private mutating func makeRoom() {
        if end < buffer.count { return }
        if start > 0 {
            let count = end - start
            (buffer.baseAddress! + 0).copyMemory(from: buffer.baseAddress! + start, byteCount: count)
            scanned -= start
            start = 0
            end = count
            if end < buffer.count { return }
        }
        let bigger = UnsafeMutableRawBufferPointer.allocate(
            byteCount: min(buffer.count * 2, limit + 1), alignment: 16)
        bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
        buffer.deallocate()
        buffer = bigger
    }
}
