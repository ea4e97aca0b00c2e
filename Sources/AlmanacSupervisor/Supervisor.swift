import AlmanacCore
import AlmanacWire
import CProcessControl
import Foundation
import Glibc

/// The daemon: one worker per enabled, valid profile; restarts, the profile watcher, the control
/// API. `run()` is the event loop (poll on the signal pipe, inotify, every worker's pipes and a
/// wake pipe, with timers); the control server's thread calls in under `lock`.
public final class Supervisor: @unchecked Sendable {  // @unchecked: mutable state is guarded by `lock`
    let config: SupervisorConfig
    let loader: ProfileLoader
    let log: LogSink
    let lock = NSLock()
    let started = Date()
    let startedMono = monotonicSeconds()
    var slots: [String: WorkerSlot] = [:]
    var warnedBadNames: Set<String> = []
    var shuttingDown = false
    var rescanDue = 0.0
    var debounceUntil: Double?
    var nextRequestID = 0
    var wakeRead: Int32 = -1
    var wakeWrite: Int32 = -1
    let notify: SDNotify
    let workerEnvironment: [String]

    /// - Parameter loader: validates profiles (the executable passes the connector registry's).
    public init(config: SupervisorConfig, loader: ProfileLoader, log: LogSink) {
        self.config = config
        self.loader = loader
        self.log = log
        let env = ProcessInfo.processInfo.environment
        notify = SDNotify(environment: env)
        workerEnvironment = env.filter { $0.key != "NOTIFY_SOCKET" && $0.key != "LISTEN_FDS" && $0.key != "LISTEN_PID" }
            .map { "\($0.key)=\($0.value)" }
    }

    /// Runs until SIGTERM/SIGINT and every worker has exited. Returns the process exit code.
    /// - Throws: `AlmanacError` when the directories, the lock or the socket cannot be set up
    ///   (`supervisor.already_running` when another daemon holds the runtime directory).
    public func run() throws -> Int32 {
        reserveLowDescriptors()
        let signalFD = SignalPipe.install([SIGTERM, SIGINT, SIGHUP, SIGCHLD])
        _ = almanac_set_child_subreaper()
        var wake: [Int32] = [0, 0]
        guard pipe(&wake) == 0 else { throw AlmanacError("supervisor.setup_failed", "cannot create a pipe") }
        wake.forEach(makeNonBlockingCloexec)
        wakeRead = wake[0]
        wakeWrite = wake[1]

        try prepareDirectories()
        let control = try ControlServer.open(config: config, log: log)
        defer { control.shutdown() }
        control.start(handler: { [unowned self] request in self.handle(request) })

        let watcher = DirectoryWatcher(directory: config.profilesDirectory)
        log.log("info", "daemon started", ["profiles": config.profilesDirectory, "socket": config.socketPath,
                                            "pid": String(getpid()), "policy": config.policy.description])
        lock.withLock { scan() }
        notify.send("READY=1\nSTATUS=\(summary())\nMAINPID=\(getpid())")

        var lastStatus = ""
        var lastRewatch = monotonicSeconds()
        while true {
            var fds: [pollfd] = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                                 pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if let watcher { fds.append(pollfd(fd: watcher.fd, events: Int16(POLLIN), revents: 0)) }
            let timeout: Int32 = lock.withLock {
                for slot in slots.values {
                    guard let p = slot.process else { continue }
                    for fd in [p.eventFD, p.stdoutFD, p.stderrFD] where fd >= 0 {
                        fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                    }
                }
                return pollTimeout(now: monotonicSeconds())
            }
            let n = poll(&fds, nfds_t(fds.count), timeout)
            if n < 0 && errno != EINTR { throw AlmanacError("supervisor.poll_failed", String(cString: strerror(errno))) }

            var signals: [Int32] = []
            if fds[0].revents != 0 { signals = SignalPipe.drain(signalFD) }
            if fds[1].revents != 0 { _ = SignalPipe.drain(wakeRead) }
            lock.withLock {
                let now = monotonicSeconds()
                for s in signals {
                    switch s {
                    case SIGCHLD: reap(now: now)
                    case SIGHUP:
                        log.log("info", "SIGHUP: reloading profiles")
                        scan()
                    case SIGTERM, SIGINT:
                        if !shuttingDown { beginShutdown(signal: s) }
                    default: break
                    }
                }
                if let watcher, fds[2].revents != 0 {
                    let names = watcher.drain()
                    if !watcher.isWatching || names.contains(where: { $0.isEmpty }) {
                        watcher.rewatch(directory: config.profilesDirectory)
                    }
                    if names.contains(where: { ProfileFile(fileName: $0) != .ignored || $0.isEmpty }) {
                        debounceUntil = now + config.debounce
                    }
                }
                let readable = Set(fds.dropFirst(watcher == nil ? 2 : 3).filter { $0.revents != 0 }.map(\.fd))
                if !readable.isEmpty { readPipes(readable, now: now) }
                reap(now: now)
                timers(now: monotonicSeconds())
                if let watcher, !watcher.isWatching, now - lastRewatch >= config.rescanInterval {
                    lastRewatch = now  // the directory was missing or replaced: try to watch it again
                    watcher.rewatch(directory: config.profilesDirectory)
                }
            }
            if shuttingDown && lock.withLock({ slots.values.allSatisfy { $0.process == nil } }) { break }
            let status = lock.withLock { summary() }
            if status != lastStatus {
                notify.send("STATUS=\(status)")
                lastStatus = status
            }
        }
        notify.send("STOPPING=1")
        log.log("info", "daemon stopped: every worker has exited")
        return 0
    }

    /// Wakes the event loop (after a control request changed timers or asked for a start).
    func wakeLoop() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    func makeRequestID() -> String {
        nextRequestID += 1
        return "s\(nextRequestID)"
    }

    /// One line for `systemctl status`: how many workers are up, and how many profiles need care.
    func summary() -> String {
        let up = slots.values.filter { $0.state.isUp }.count
        let bad = slots.values.filter { [.fatal, .invalid, .backoff].contains($0.state) }.count
        return "\(up) of \(slots.count) profiles running" + (bad > 0 ? ", \(bad) need attention" : "")
    }

    private func pollTimeout(now: Double) -> Int32 {
        var next = rescanDue
        if let d = debounceUntil { next = min(next, d) }
        let beat = config.heartbeatInterval
        for slot in slots.values {
            if let t = slot.startAt, slot.process == nil { next = min(next, t) }
            if let d = slot.stopDeadline { next = min(next, slot.termSentAt == nil ? d : slot.termSentAt! + 2) }
            if slot.process != nil {
                next = min(next, slot.state == .starting ? slot.startedAt + config.policy.readyTimeout
                                                         : slot.lastMessageAt + 3 * beat + 0.05)
            }
        }
        if shuttingDown { next = min(next, now + 0.5) }
        return Int32(max(0, min(60_000, (next - now) * 1000 + 1)))
    }

    private func timers(now: Double) {
        if let d = debounceUntil, now >= d {
            debounceUntil = nil
            scan()
        }
        if now >= rescanDue {
            scan()
        }
        for slot in Array(slots.values) {
            if let t = slot.startAt, now >= t, slot.process == nil, !shuttingDown {
                slot.startAt = nil
                start(slot, now: now)
            }
            guard let process = slot.process else { continue }
            if let deadline = slot.stopDeadline {
                if slot.termSentAt == nil, now >= deadline {
                    record(slot, "warning", "worker did not stop within \(Int(config.stopTimeout))s: SIGTERM to its group")
                    kill(-process.pid, SIGTERM)
                    slot.termSentAt = now
                } else if let t = slot.termSentAt, now >= t + 2 {
                    record(slot, "warning", "worker still running 2s after SIGTERM: SIGKILL to its group")
                    kill(-process.pid, SIGKILL)
                    slot.termSentAt = now + 3_600
                }
                continue
            }
            if slot.state == .starting, now - slot.startedAt > config.policy.readyTimeout {
                slot.lastError = "no ready message within \(Int(config.policy.readyTimeout))s: killed"
                record(slot, "error", slot.lastError!)
                kill(-process.pid, SIGKILL)
                slot.stopDeadline = now + 3_600
                slot.termSentAt = now + 3_600
            } else if slot.state != .starting, now - slot.lastMessageAt > 3 * config.heartbeatInterval {
                slot.lastError = "no heartbeat for \(Int(3 * config.heartbeatInterval))s: killed"
                record(slot, "error", slot.lastError!)
                kill(-process.pid, SIGKILL)
                slot.stopDeadline = now + 3_600
                slot.termSentAt = now + 3_600
            }
        }
    }

    private func beginShutdown(signal: Int32) {
        shuttingDown = true
        log.log("info", "\(signal == SIGINT ? "SIGINT" : "SIGTERM"): stopping every worker")
        notify.send("STOPPING=1\nSTATUS=stopping workers")
        for slot in slots.values {
            slot.startAt = nil
            if slot.process != nil { stop(slot, then: .stay(.stopped)) }
        }
    }

    private func prepareDirectories() throws {
        for (dir, mode) in [(config.runtimeDirectory, mode_t(0o750)), (config.stateDirectory, mode_t(0o750))] {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw AlmanacError("supervisor.setup_failed", "cannot create \(dir): \(error.localizedDescription)")
            }
            _ = chmod(dir, mode)
        }
    }

    /// Keeps fds 3 and 4 taken, so a pipe end never lands there (dup2 onto itself would keep
    /// close-on-exec set), and marks every inherited descriptor close-on-exec.
    private func reserveLowDescriptors() {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            for e in entries { if let fd = Int32(e), fd > 2 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        }
        while true {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if fd < 0 || fd > 4 {
                if fd > 4 { close(fd) }
                break
            }
        }
    }
}
