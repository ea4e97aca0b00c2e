import AlmanacWire
import Foundation
import Glibc

/// The worker's fd 4: NDJSON events to the supervisor. Thread-safe (the job thread and the
/// command loop both send). A message over 1 MiB is not sent (the supervisor would drop it).
final class EventChannel: @unchecked Sendable {  // @unchecked: writes serialised by `lock`
    private let fd: Int32
    private let lock = NSLock()

    init(fd: Int32) { self.fd = fd }

    func send(_ message: PipeMessage) {
        guard let line = try? Wire.line(message), line.count <= LineFramer.defaultLimit else { return }
        sendRaw(line)
    }

    /// Writes bytes as they are (the idle heartbeat; `WorkerHooks.afterReady`).
    func sendRaw(_ line: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < line.count {
            let n = line.withUnsafeBytes { write(fd, $0.baseAddress! + offset, line.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { exit(0) }  // the supervisor is gone
            offset += n
        }
    }
}
