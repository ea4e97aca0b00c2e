import AlmanacCore
import Foundation
import Glibc

/// The `command = [...]` channel: runs the command with the notification's JSON on stdin, in the
/// caller's process group (a worker's or the daemon's, so stopping it stops the command too),
/// its output on the caller's stderr (the log). Killed after `timeout`.
public struct CommandChannel: Sendable {
    public let argv: [String]
    public let timeout: Duration

    public init(argv: [String], timeout: Duration) {
        self.argv = argv
        self.timeout = timeout
    }

    /// Runs the command; returns its exit status (0).
    /// - Throws: `notify.command_failed` when it cannot start, exits non-zero, dies of a signal or
    ///   runs past the timeout (then it is killed).
    @discardableResult
    public func send(_ body: Data) throws -> Int32 {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw failure("cannot create a pipe", errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        // Descriptors the caller holds without close-on-exec (a worker's fd 3 and 4) stay out of the command.
        for fd in Self.inheritable() { posix_spawn_file_actions_addclose(&actions, fd) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        SpawnDefaults.apply(to: &attr, newProcessGroup: false)
        let args = argv.map { strdup($0) } + [nil]
        defer { for a in args { free(a) } }
        var child: pid_t = 0
        var rc: Int32 = 0
        let pid = OwnedChildren.spawn {
            rc = posix_spawnp(&child, argv[0], &actions, &attr, args, environ)
            return rc == 0 ? child : -1
        }
        defer { if rc == 0 { OwnedChildren.reaped(pid) } }
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            throw failure("cannot start \(argv[0])", rc)
        }
        // The report is a few kilobytes at most, well within a pipe's buffer; a command that
        // does not read it gets EPIPE on its side, not a stuck caller.
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        Self.writeWithoutSIGPIPE(fds[1], body)
        close(fds[1])
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() >= deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw AlmanacError(
                    .notifyCommandFailed,
                    "\(argv[0]) did not finish within \(timeout.compactDescription) (command_timeout): killed")
            }
            usleep(10_000)
        }
        let signal = status & 0x7f
        guard signal == 0 else {
            throw AlmanacError(.notifyCommandFailed, "\(argv[0]) was killed by signal \(signal)")
        }
        let code = (status >> 8) & 0xff
        guard code == 0 else { throw AlmanacError(.notifyCommandFailed, "\(argv[0]) exited with status \(code)") }
        return code
    }

    private func failure(_ what: String, _ code: Int32) -> AlmanacError {
        AlmanacError(
            .notifyCommandFailed, "\(what): \(String(cString: strerror(code)))", cause: SystemError(errno: code))
    }

    /// Writes what the pipe takes. A command that exits without reading makes the write fail
    /// with EPIPE; the SIGPIPE that comes with it is blocked on this thread and taken back, so
    /// that a caller that does not ignore SIGPIPE (`almanac notify-test`) is not killed by it.
    private static func writeWithoutSIGPIPE(_ fd: Int32, _ body: Data) {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        let written = body.withUnsafeBytes { raw in write(fd, raw.baseAddress, raw.count) }
        if written < 0 && errno == EPIPE {
            var none = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeSignal, nil, &none)
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }

    /// Open descriptors above 2 that an exec would pass on.
    private static func inheritable() -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        return entries.compactMap(Int32.init).filter { fd in
            guard fd > 2 else { return false }
            let flags = fcntl(fd, F_GETFD)
            return flags >= 0 && flags & FD_CLOEXEC == 0
        }
    }
}
