import AlmanacCore
import CProcessControl
import Glibc

/// The daemon's side of the worker template (`WorkerTemplate` in AlmanacWorker; README "Starting
/// workers"): a child started once with `almanac worker-template`, which forks each worker on
/// request. The daemon still reaps the workers (they are orphans it adopts as sub-reaper), signals
/// their process groups and reads their pipes as before; only the start changes.
final class WorkerTemplateClient {
    let pid: pid_t
    /// The daemon's end of the socket pair (-1 once closed); the event loop watches it.
    private(set) var socket: Int32
    /// It said `ready`: its warm-up is done and it answers requests.
    private(set) var isReady = false
    /// Bytes of command line a forked worker can show in `/proc/PID/cmdline`: the template is
    /// started with an argument this long, whose memory each worker rewrites with its own
    /// arguments (cut to fit).
    static let commandLineRoom = 4_096

    private init(pid: pid_t, socket: Int32) {
        self.pid = pid
        self.socket = socket
    }

    /// Starts `executable worker-template` with one end of a socket pair as its fd 3 and
    /// `/dev/null` as its stdin and stdout (its stderr is the daemon's).
    /// - Throws: `AlmanacError(.supervisorSpawnFailed)`.
    static func start(executable: String, environment: [String]) throws -> WorkerTemplateClient {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw failure("cannot create a socket pair", errno)
        }
        let arguments = [
            "worker-template", "--supervisor-pid", String(getpid()), "--room",
            String(repeating: ".", count: commandLineRoom),
        ]
        defer { Glibc.close(pair[1]) }
        do {
            let pid = try ProcessSpawner.posixSpawn(
                path: executable, arguments: arguments, environment: environment, descriptors: [1: -1, 3: pair[1]])
            return WorkerTemplateClient(pid: pid, socket: pair[0])
        } catch {
            Glibc.close(pair[0])
            throw error
        }
    }

    /// Reads what the template sent unasked, without waiting: true when that was its first
    /// `ready` (its warm-up done), false when nothing is there (a request's answer, already taken).
    /// - Throws: `AlmanacError(.supervisorSpawnFailed)` when it is gone or said anything else.
    func readUnasked() throws -> Bool {
        guard socket >= 0 else { throw Self.failure("the worker template is closed", EBADF) }
        var p = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        let answer = try receive()
        guard !isReady, answer == "ready" else {
            throw AlmanacError(.supervisorSpawnFailed, "the worker template said \"\(answer)\" unasked")
        }
        isReady = true
        return true
    }

    /// One datagram from the template (any descriptor with it is closed).
    private func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        var count: Int32 = 0
        var none: Int32 = -1
        let n = almanac_recv_with_fds(socket, &buffer, UInt(buffer.count), &none, 1, &count)
        if count > 0 { Glibc.close(none) }
        guard n > 0 else { throw Self.failure("the worker template is gone", n == 0 ? EPIPE : errno) }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// Forks a worker that runs `arguments` (`worker --profile …`) with `descriptors` as its
    /// stdout, stderr, fd 3, fd 4 and fd 5; returns its pid. Call once `isReady`; waits at most
    /// 5 s for the answer.
    /// - Throws: `AlmanacError(.supervisorSpawnFailed)` when the template is gone or refuses.
    func fork(arguments: [String], descriptors: [Int32]) throws -> pid_t {
        guard socket >= 0 else { throw Self.failure("the worker template is closed", EBADF) }
        var request = Array(arguments.joined(separator: "\0").utf8)
        guard almanac_send_with_fds(socket, &request, UInt(request.count), descriptors, Int32(descriptors.count)) >= 0
        else { throw Self.failure("cannot ask the worker template for a worker", errno) }
        var p = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        var rc: Int32
        repeat { rc = poll(&p, 1, 5_000) } while rc < 0 && errno == EINTR
        guard rc > 0 else { throw Self.failure("the worker template did not answer within 5 s", ETIMEDOUT) }
        let answer = try receive()
        guard answer.hasPrefix("pid "), let pid = pid_t(answer.dropFirst(4)), pid > 0 else {
            throw AlmanacError(.supervisorSpawnFailed, "the worker template: \(answer)")
        }
        return pid
    }

    /// Closes the daemon's end: the template reads EOF and exits (the daemon reaps it).
    func close() {
        guard socket >= 0 else { return }
        Glibc.close(socket)
        socket = -1
    }

    private static func failure(_ what: String, _ code: Int32) -> AlmanacError {
        AlmanacError(
            .supervisorSpawnFailed, "\(what): \(String(cString: strerror(code)))", cause: SystemError(errno: code))
    }
}
