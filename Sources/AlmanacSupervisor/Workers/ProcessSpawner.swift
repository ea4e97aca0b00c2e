import AlmanacCore
import Glibc

/// A spawned worker: its pid (also its process group id) and the parent's ends of its pipes.
public struct SpawnedProcess: Sendable, Hashable {
    public var pid: pid_t
    /// Write end of the child's fd 3 (commands).
    public var commandFD: Int32
    /// Read end of the child's fd 4 (events).
    public var eventFD: Int32
    /// Write end of the child's fd 5 (quota grants, read by the thread that asked).
    public var grantFD: Int32
    /// Read ends of the child's stdout and stderr.
    public var stdoutFD: Int32
    public var stderrFD: Int32
}

/// Starts worker processes with `posix_spawn`: each in its own process group
/// (`POSIX_SPAWN_SETPGROUP`), with default dispositions for the signals the daemon handles or
/// ignores (`POSIX_SPAWN_SETSIGDEF`, SIGPIPE included), an empty signal mask, stdin on
/// `/dev/null`, fd 3 = commands, fd 4 = events, fd 5 = quota grants, stdout/stderr = pipes.
/// Every descriptor of the daemon is close-on-exec (the worker also closes, at start-up, anything
/// above fd 4 but its grant pipe). The parent's ends are close-on-exec and non-blocking; the
/// child's ends are closed in the parent, so EOF arrives when the child dies.
public enum ProcessSpawner {
    /// - Throws: `AlmanacError(.supervisorSpawnFailed)` when a pipe or the spawn fails.
    public static func spawn(path: String, arguments: [String], environment: [String]) throws -> SpawnedProcess {
        try spawn(path: path, arguments: arguments, environment: environment, template: nil)
    }

    /// With `template`, the worker template forks the worker (`arguments` and the same
    /// descriptors; the environment is the template's) instead of `posix_spawn`.
    static func spawn(
        path: String, arguments: [String], environment: [String], template: WorkerTemplateClient?
    ) throws -> SpawnedProcess {
        var opened: [Int32] = []
        func makePipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else {
                throw AlmanacError(
                    .supervisorSpawnFailed, "cannot create a pipe: \(String(cString: strerror(errno)))",
                    cause: SystemError(errno: errno))
            }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            opened += fds
            return (fds[0], fds[1])
        }
        do {
            let cmd = try makePipe(), evt = try makePipe(), out = try makePipe(), err = try makePipe()
            let grant = try makePipe()
            let childEnds = [out.write, err.write, cmd.read, evt.write, grant.read]
            let pid =
                try template?.fork(arguments: arguments, descriptors: childEnds)
                ?? posixSpawn(
                    path: path, arguments: arguments, environment: environment,
                    descriptors: Dictionary(uniqueKeysWithValues: zip([1, 2, 3, 4, 5], childEnds)))
            for fd in childEnds { close(fd) }
            for fd in [cmd.write, evt.read, out.read, err.read, grant.write] {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
            return SpawnedProcess(
                pid: pid, commandFD: cmd.write, eventFD: evt.read, grantFD: grant.write, stdoutFD: out.read,
                stderrFD: err.read)
        } catch {
            for fd in opened { close(fd) }
            throw error
        }
    }

    /// `posix_spawn` of `path` in a process group of its own, with stdin on `/dev/null` and each
    /// descriptor of `descriptors` (target → the daemon's fd; -1: `/dev/null` for writing) in
    /// place; the others close at exec.
    static func posixSpawn(
        path: String, arguments: [String], environment: [String], descriptors: [Int32: Int32]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (target, fd) in descriptors.sorted(by: { $0.key < $1.key }) {
            if fd < 0 {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            } else {
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        SpawnDefaults.apply(to: &attr, newProcessGroup: true)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        guard rc == 0 else {
            throw AlmanacError(
                .supervisorSpawnFailed, "cannot start \(path): \(String(cString: strerror(rc)))",
                cause: SystemError(errno: rc))
        }
        return pid
    }
}
