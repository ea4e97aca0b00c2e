import AlmanacCore
import Foundation
import Glibc

/// One runner per profile (ARCHITECTURE.md §1): an exclusive lock on `STATE/NAME.lock`, taken by
/// the worker and by `almanac run` before they open the profile's state, held until they exit.
///
/// The lock is a POSIX record lock (`fcntl(F_SETLK)`): the kernel drops it when its process
/// exits, however it exits (`kill -9` included), it is not inherited by children, and
/// `F_GETLK` names the process that holds it. The holder also writes `PID COMMAND` into the file,
/// for whoever reads it by hand. Nothing else in the process may open the file (closing any
/// descriptor of it would drop the lock).
public final class ProfileLock {
    /// The lock file, `STATE/NAME.lock`.
    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes the lock of `profile` in `stateDirectory` (created when missing), waiting up to
    /// `wait` seconds while another process holds it (a worker being replaced is still exiting).
    /// - Throws: `AlmanacError` `state.locked` naming the holder (pid and command) when it is still
    ///   held after `wait`; `state.open_failed` when the file cannot be created or locked.
    public static func acquire(profile: String, stateDirectory: String, wait: Double = 0) throws -> ProfileLock {
        let path = (stateDirectory as NSString).appendingPathComponent("\(profile).lock")
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw AlmanacError(
                .stateOpenFailed, "cannot create the state directory \(stateDirectory): \(error.localizedDescription)",
                cause: error)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let e = SystemError(errno: errno)
            throw AlmanacError(.stateOpenFailed, "cannot open the lock file \(path): \(e)", cause: e)
        }
        let deadline = ProcessInfo.processInfo.systemUptime + wait
        while true {
            var request = flock(
                l_type: Int16(F_WRLCK), l_whence: Int16(SEEK_SET), l_start: 0, l_len: 0, l_pid: 0)
            if fcntl(fd, F_SETLK, &request) == 0 {
                let lock = ProfileLock(path: path, fd: fd)
                lock.writeHolder()
                return lock
            }
            let code = errno
            guard code == EACCES || code == EAGAIN || code == EINTR else {
                close(fd)
                let e = SystemError(errno: code)
                throw AlmanacError(.stateOpenFailed, "cannot lock \(path): \(e)", cause: e)
            }
            if ProcessInfo.processInfo.systemUptime >= deadline, let holder = holder(fd: fd) {
                close(fd)
                throw AlmanacError(
                    .stateLocked,
                    "profile \(profile) is already being run by pid \(holder.pid) (\(holder.command)), which holds "
                        + "\(path): one runner per profile; use `almanac sync \(profile)` while the daemon runs it, "
                        + "or stop that process first")
            }
            usleep(20_000)
        }
    }

    /// Who holds the lock on `fd`'s file, or nil when nobody does any more.
    private static func holder(fd: Int32) -> (pid: Int32, command: String)? {
        var probe = flock(l_type: Int16(F_WRLCK), l_whence: Int16(SEEK_SET), l_start: 0, l_len: 0, l_pid: 0)
        guard fcntl(fd, F_GETLK, &probe) == 0, probe.l_type != Int16(F_UNLCK) else { return nil }
        let pid = probe.l_pid
        if let command = commandLine(of: pid) { return (pid, command) }
        // Another user's process: its /proc entry may be closed to us; the file says what it wrote.
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let n = pread(fd, &buffer, buffer.count, 0)
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        let fields = text.split(separator: " ", maxSplits: 1)
        if fields.count == 2, Int32(fields[0]) == pid {
            return (pid, fields[1].trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return (pid, "command unknown")
    }

    /// `/proc/PID/cmdline` with its arguments joined by spaces (at most 300 characters), secrets
    /// redacted.
    static func commandLine(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else {
            return nil
        }
        var words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        // The daemon starts workers as `/proc/self/exe worker …`: name the binary instead.
        if words.first == "/proc/self/exe",
            let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        {
            words[0] = exe
        }
        let text = SecretRedaction.redact(words.joined(separator: " "))
        return text.count > 300 ? String(text.prefix(299)) + "…" : text
    }

    /// Writes `PID COMMAND` into the file (advisory: the lock itself is what counts).
    private func writeHolder() {
        let line = Array("\(getpid()) \(Self.commandLine(of: getpid()) ?? "almanac")\n".utf8)
        guard ftruncate(fd, 0) == 0 else { return }
        _ = line.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
}
