import Glibc

/// Written once by `SignalPipe.install` before any handler can run, then only read by the handler.
nonisolated(unsafe) private var signalWriteFD: Int32 = -1

/// Turns signals into bytes on a pipe (the self-pipe trick), so the supervisor's poll loop sees
/// them as readable data: the handler only calls `write(2)`, which is async-signal-safe.
public enum SignalPipe {
    /// Installs handlers for `signals` and returns the pipe's read end (non-blocking, close-on-exec).
    /// SIGPIPE is ignored. Call once, before threads that could take these signals exist.
    public static func install(_ signals: [Int32]) -> Int32 {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "cannot create the signal pipe")
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        signalWriteFD = fds[1]
        signal(SIGPIPE, SIG_IGN)
        for s in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signo in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: signo)
                _ = write(signalWriteFD, &byte, 1)
                errno = saved
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(s, &action, nil)
        }
        // A parent may start the daemon with these signals blocked (test runners and libdispatch's
        // threads block nearly all): unblock them here, and in the threads started after.
        var handled = sigset_t()
        sigemptyset(&handled)
        for s in signals { sigaddset(&handled, s) }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        return fds[0]
    }

    /// Reads every pending signal number from the pipe.
    public static func drain(_ fd: Int32) -> [Int32] {
        var out: [Int32] = []
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n].map { Int32($0) }
        }
        return out
    }
}
