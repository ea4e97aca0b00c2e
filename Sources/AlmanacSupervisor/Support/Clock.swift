import Glibc

/// Monotonic seconds (CLOCK_MONOTONIC): timers, backoff and heartbeats never follow wall-clock jumps.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Sets `O_NONBLOCK` and `FD_CLOEXEC` on `fd`.
func makeNonBlockingCloexec(_ fd: Int32) {
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}

/// Writes all of `bytes` to a possibly non-blocking `fd`, waiting up to `timeoutMS` in total for
/// room. Returns false on error or timeout.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: [UInt8], timeoutMS: Int32 = 5_000) -> Bool {
    var offset = 0
    let deadline = monotonicSeconds() + Double(timeoutMS) / 1000
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { raw in
            Glibc.write(fd, raw.baseAddress! + offset, bytes.count - offset)
        }
        if n > 0 {
            offset += n
            continue
        }
        if n < 0 && errno == EINTR { continue }
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
            let left = Int32((deadline - monotonicSeconds()) * 1000)
            if left <= 0 { return false }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, left)
            continue
        }
        return false
    }
    return true
}
