import AlmanacCore
import CProcessControl
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A started plugin: its pid (also its process group id) and the parent's ends of its pipes.
struct SpawnedPlugin {
    var pid: pid_t
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32
}

/// Starts a plugin with `posix_spawn`: its own process group (`POSIX_SPAWN_SETPGROUP`), default
/// signal dispositions and an empty mask, stdin/stdout/stderr on pipes, every other descriptor of
/// the worker closed (the daemon's pipes on fds 3 and 4 must not outlive the worker in a plugin).
/// The parent's ends are close-on-exec; stdin and stdout are non-blocking (polled with deadlines),
/// stderr stays blocking (read by a thread of its own).
enum PluginSpawn {
    static func spawn(_ command: PluginCommand) throws -> SpawnedPlugin {
        let name = command.programName
        guard let path = command.arguments.first, path.hasPrefix("/") else {
            throw AlmanacError(.execStartFailed, "plugin \(name): the command must start with an absolute path")
        }
        var opened: [Int32] = []
        func makePipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else {
                throw AlmanacError(
                    .execStartFailed, "plugin \(name): cannot create a pipe: \(String(cString: strerror(errno)))",
                    cause: SystemError(errno: errno), retryable: true)
            }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            opened += fds
            return (fds[0], fds[1])
        }
        do {
            let input = try makePipe(), output = try makePipe(), errors = try makePipe()
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, input.read, 0)
            posix_spawn_file_actions_adddup2(&actions, output.write, 1)
            posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
            _ = almanac_spawn_addclosefrom(&actions, 3)
            if let dir = command.workingDirectory { _ = almanac_spawn_addchdir(&actions, dir) }

            var attr = posix_spawnattr_t()
            posix_spawnattr_init(&attr)
            defer { posix_spawnattr_destroy(&attr) }
            SpawnDefaults.apply(to: &attr, newProcessGroup: true)

            let argv = command.arguments.map { strdup($0) } + [nil]
            let envp = command.environmentStrings().map { strdup($0) } + [nil]
            defer {
                for p in argv { free(p) }
                for p in envp { free(p) }
            }
            var child: pid_t = 0
            var rc: Int32 = 0
            let pid = OwnedChildren.spawn {
                rc = posix_spawn(&child, path, &actions, &attr, argv, envp)
                return rc == 0 ? child : -1
            }
            guard rc == 0 else {
                var why = String(cString: strerror(rc))
                if rc == ENOENT, let dir = command.workingDirectory, !FileManager.default.fileExists(atPath: dir) {
                    why = "working_directory \(dir) does not exist"
                }
                throw AlmanacError(
                    .execStartFailed, "plugin \(name): cannot start \(path): \(why)", cause: SystemError(errno: rc))
            }
            for fd in [input.read, output.write, errors.write] { close(fd) }
            for fd in [input.write, output.read] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            return SpawnedPlugin(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read)
        } catch {
            for fd in opened { close(fd) }
            throw error
        }
    }
}
