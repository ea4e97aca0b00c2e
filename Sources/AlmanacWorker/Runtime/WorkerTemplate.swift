import CProcessControl
import Foundation
import Glibc

/// `almanac worker-template`: the process the daemon forks its workers from (README "Starting
/// workers"; ARCHITECTURE.md §6). Exec'ing a worker maps the 100 MB static binary into a new
/// process, relocates it and faults in its pages, which is most of a worker's start-up CPU; a
/// fork of this process, already past all that, shares those pages with it instead.
///
/// The daemon writes one datagram a worker on fd 3 (a `SOCK_SEQPACKET` socket): the worker's
/// arguments, NUL-separated (`worker --profile NAME …`, what it would exec), carrying five
/// descriptors: the worker's stdout, stderr, fd 3, fd 4 and fd 5. The template forks twice, so
/// that the worker is an orphan that the daemon, a sub-reaper, adopts and reaps as it reaps the
/// workers it execs; the worker leads a process group of its own before the answer goes back:
/// `pid N`, or `error MESSAGE`. EOF on fd 3 (the daemon closed it or is gone) ends the template.
/// Before any of that it says `ready`, once its warm-up is done: until then the daemon execs the
/// workers it starts rather than wait.
///
/// The template stays single-threaded (a fork copies only the calling thread): it warms up once
/// (`WorkerRuntime.warmUp`, the steps of a worker's start on a throw-away profile), checks that it
/// still has one thread, and then runs nothing but this loop.
public enum WorkerTemplate {
    /// Serves the daemon until EOF on fd 3; `run` runs a worker's arguments in the forked child and
    /// returns its exit code. Returns the template's own exit code.
    public static func serve(supervisorPID: Int32, run: ([String]) -> Int32) -> Int32 {
        _ = almanac_set_pdeathsig(SIGTERM)
        if getppid() != supervisorPID { return 1 }
        signal(SIGPIPE, SIG_IGN)
        showCommandLine(CommandLine.arguments.prefix(2).joined(separator: "\0"))
        WorkerRuntime.warmUp()
        // The clean mappings, found once here for every forked worker's page release.
        _ = almanac_remember_clean_file_pages()
        // A fork copies the calling thread alone: a template with another thread could hand its
        // workers a lock held for good. Nothing here starts one; if anything ever does, the
        // template refuses to serve and the daemon execs its workers.
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task"))?.count ?? 0
        guard threads == 1 else {
            let message = Array(
                "almanac worker-template: \(threads) threads after the warm-up, not forking workers\n".utf8)
            _ = write(2, message, message.count)
            return 1
        }
        let ready = Array("ready".utf8)  // the daemon forks from here on, and execs until then
        if almanac_send_with_fds(3, ready, UInt(ready.count), nil, 0) < 0 { return 0 }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var fds = [Int32](repeating: -1, count: 8)
        while true {
            var count: Int32 = 0
            let n = almanac_recv_with_fds(3, &buffer, UInt(buffer.count), &fds, 8, &count)
            if n == 0 { return 0 }
            if n < 0 { return errno == EBADF || errno == ENOTSOCK ? 1 : 0 }
            let received = Array(fds[0..<Int(count)])
            let arguments = buffer[0..<n].split(separator: 0, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            let answer: String
            if received.count != 5 || arguments.first != "worker" {
                answer = "error a request is the worker's arguments with 5 descriptors"
            } else {
                let pid = almanac_fork_orphan(1)
                if pid == 0 {
                    exit(child(arguments: arguments, descriptors: received, supervisorPID: supervisorPID, run: run))
                }
                answer = pid > 0 ? "pid \(pid)" : "error fork: \(String(cString: strerror(errno)))"
            }
            for fd in received { close(fd) }
            let bytes = Array(answer.utf8)
            if almanac_send_with_fds(3, bytes, UInt(bytes.count), nil, 0) < 0 { return 0 }
        }
    }

    /// The forked worker: waits to be adopted by the daemon, puts its descriptors in place, shows
    /// its own command line and runs.
    private static func child(
        arguments: [String], descriptors: [Int32], supervisorPID: Int32, run: ([String]) -> Int32
    ) -> Int32 {
        // The middle process exits at once; the worker's pdeath signal and its check of the
        // parent (WorkerRuntime) must see the daemon, not it.
        var waited = 0
        while getppid() != supervisorPID {
            guard waited < 20_000 else { return 1 }  // 2 s: the daemon is not this process's sub-reaper
            usleep(100)
            waited += 1
        }
        // Out of the way of 0…5 first: the received descriptors may be any of 4…
        let high = descriptors.map { fcntl($0, F_DUPFD, 16) }
        guard !high.contains(where: { $0 < 0 }) else { return 1 }
        let null = open("/dev/null", O_RDONLY)
        guard null >= 0, dup2(null, 0) == 0 else { return 1 }
        for (target, fd) in zip([1, 2, 3, 4, 5] as [Int32], high) where dup2(fd, target) != target { return 1 }
        almanac_close_from(6)
        showCommandLine(([CommandLine.arguments.first ?? "almanac"] + arguments).joined(separator: "\0"))
        return run(arguments)
    }

    /// What `/proc/PID/cmdline` shows (`text`'s words NUL-separated), cut to the memory there is
    /// (the daemon gives the template an argument of 4 KiB for it).
    private static func showCommandLine(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) {
                _ = almanac_set_cmdline(CommandLine.unsafeArgv, CommandLine.argc, $0, UInt(b.count))
            }
        }
    }
}
