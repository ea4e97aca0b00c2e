import CProcessControl
import Glibc

/// epoll, level-triggered: the supervisor's loop registers each descriptor once (the signal and
/// wake pipes, inotify, every worker's three pipe ends) instead of handing the kernel the whole set
/// on every wake-up, which with hundreds of workers costs more than the messages themselves.
final class EventPoller {
    private let fd: Int32
    private var ready = [Int32](repeating: -1, count: 256)

    /// - Throws: `SetupError` when epoll is unavailable.
    init() throws {
        fd = almanac_epoll_create()
        guard fd >= 0 else { throw SetupError() }
    }

    struct SetupError: Error {}

    deinit { close(fd) }

    func add(_ watched: Int32) { _ = almanac_epoll_add(fd, watched) }

    /// Call before closing `watched`.
    func remove(_ watched: Int32) { _ = almanac_epoll_remove(fd, watched) }

    /// Waits up to `timeoutMS`; returns the descriptors that are readable, hung up or in error.
    func wait(timeoutMS: Int32) -> [Int32] {
        let n = ready.withUnsafeMutableBufferPointer {
            almanac_epoll_wait(fd, $0.baseAddress, Int32($0.count), timeoutMS)
        }
        return n > 0 ? Array(ready[0..<Int(n)]) : []
    }
}
