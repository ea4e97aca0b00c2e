import AlmanacCore
import AlmanacNotify
import AlmanacWire
import CProcessControl
import Foundation
import Glibc

/// The daemon: one worker per enabled, valid profile; restarts, the profile watcher, the control
/// API. `run()` is the event loop (epoll on the signal pipe, inotify, every worker's pipes and a
/// wake pipe, with timers); the control server's thread calls in under `lock`.
public final class Supervisor: @unchecked Sendable {  // @unchecked: mutable state is guarded by `lock`
    let config: SupervisorConfig
    let loader: ProfileLoader
    let log: LogSink
    let lock = NSLock()
    let started = Date()
    let startedMono = monotonicSeconds()
    var slots: [String: WorkerSlot] = [:]
    /// Worker pipe ends (read side) → profile name.
    var pipeOwners: [Int32: String] = [:]
    let poller: EventPoller
    /// Decodes worker events; used on the loop thread only.
    let eventDecoder = Wire.decoder()
    var warnedBadNames: Set<String> = []
    /// How many files of the profiles directory belong to other shards (`--shard`), as last logged.
    var otherShardFiles = 0
    var shuttingDown = false
    /// The process workers are forked from (`SupervisorConfig.workerTemplate`), while it serves.
    var template: WorkerTemplateClient?
    /// When the template last failed (start, answer or exit): the next is tried 10 s later, and
    /// workers exec until then.
    var templateFailedAt: Double?
    var rescanDue = 0.0
    /// The last valid version of each profile (`Supervisor+LastGood.swift`).
    let lastGood: LastGoodStore
    var debounceUntil: Double?
    var nextRequestID = 0
    /// Set when something may have moved a timer; the loop then runs its timer pass.
    var timersDirty = true
    var nextDue = 0.0
    /// When the loop next releases clean file-backed pages: 2 s after the last control request.
    var releaseDue: Double?
    var wakeRead: Int32 = -1
    var wakeWrite: Int32 = -1
    let notify: SDNotify
    /// Sends the `fatal` and `invalid` notifications (`Supervisor+Notify.swift`) off the loop thread.
    let notifications = NotificationQueue()
    /// Used on the loop thread only.
    var watchdog: Watchdog
    let workerEnvironment: [String]
    /// Writes each profile's log lines to its file in `config.logDirectory`.
    let logFiles: LogFileWriter
    /// The quota governor's buckets and waiting asks (`Supervisor+Quota.swift`).
    var quota: QuotaGovernor
    /// The keys of the quota asks seen, by the JSON text of their array.
    var quotaKeyTexts: [String: [String]] = [:]

    /// - Parameter loader: validates profiles (the executable passes the connector registry's).
    /// - Throws: `AlmanacError(.supervisorSetupFailed)` when epoll is unavailable.
    public init(config: SupervisorConfig, loader: ProfileLoader, log: LogSink) throws {
        do {
            poller = try EventPoller()
        } catch {
            throw AlmanacError(
                .supervisorSetupFailed, "epoll_create1 failed: \(String(cString: strerror(errno)))", cause: error)
        }
        self.config = config
        self.loader = loader
        self.log = log
        lastGood = LastGoodStore(stateDirectory: config.stateDirectory)
        logFiles = LogFileWriter(directory: config.logDirectory, rotation: config.logRotation, log: log)
        quota = QuotaGovernor(config: config.quota)
        let env = ProcessInfo.processInfo.environment
        notify = SDNotify(environment: env)
        watchdog = Watchdog(environment: env)
        let systemdOnly: Set = ["NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "WATCHDOG_PID"]
        workerEnvironment = env.filter { !systemdOnly.contains($0.key) }
            .map { "\($0.key)=\($0.value)" }
    }

    /// Runs until SIGTERM/SIGINT and every worker has exited. Returns the process exit code.
    /// - Throws: `AlmanacError` when the directories, the lock or the socket cannot be set up
    ///   (`supervisor.already_running` when another daemon holds the runtime directory).
    public func run() throws -> Int32 {
        reserveLowDescriptors()
        raiseDescriptorLimit()
        let signalFD = SignalPipe.install([SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1])
        _ = almanac_set_child_subreaper()
        var wake: [Int32] = [0, 0]
        guard pipe(&wake) == 0 else {
            throw AlmanacError(.supervisorSetupFailed, "cannot create a pipe", cause: SystemError(errno: errno))
        }
        wake.forEach(makeNonBlockingCloexec)
        wakeRead = wake[0]
        wakeWrite = wake[1]

        try prepareDirectories()
        let control = try ControlServer.open(config: config, log: log)
        defer { control.shutdown() }
        control.start(handler: { [unowned self] request in self.handle(request) })

        let watcher = DirectoryWatcher(directory: config.profilesDirectory)
        log.log(
            "info", "daemon started",
            [
                "profiles": config.profilesDirectory, "socket": config.socketPath,
                "pid": String(getpid()), "policy": config.policy.description,
                "shard": config.shard?.description ?? "",
            ])
        lock.withLock {
            startTemplate(now: monotonicSeconds())  // its warm-up runs while the profiles load
            scan()
        }
        notify.send("READY=1\nSTATUS=\(summary())\nMAINPID=\(getpid())")

        var lastStatus = ""
        var lastRewatch = monotonicSeconds()
        poller.add(signalFD)
        poller.add(wakeRead)
        if let watcher { poller.add(watcher.fd) }
        while true {
            let timeout = lock.withLock {
                Int32(max(0, min(60_000, (min(nextDue, watchdog.due) - monotonicSeconds()) * 1000 + 1)))
            }
            let ready = poller.wait(timeoutMS: timeout)
            watchdog.beat(now: monotonicSeconds(), notify: notify)
            var signals: [Int32] = []
            if ready.contains(signalFD) { signals = SignalPipe.drain(signalFD) }
            if ready.contains(wakeRead) { _ = SignalPipe.drain(wakeRead) }
            var releasePages = false
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
                    case SIGUSR1:
                        log.log("info", "SIGUSR1: reopening the profiles' log files")
                        logFiles.reopen()
                    default: break
                    }
                }
                if let watcher, ready.contains(watcher.fd) {
                    let names = watcher.drain()
                    if !watcher.isWatching || names.contains(where: { $0.isEmpty }) {
                        watcher.rewatch(directory: config.profilesDirectory)
                    }
                    if names.contains(where: { ProfileFile(fileName: $0) != .ignored || $0.isEmpty }) {
                        debounceUntil = now + config.debounce
                    }
                }
                let templateFD = template?.socket ?? -1
                if templateFD >= 0, ready.contains(templateFD) { templateReadable(now: now) }
                let pipes = ready.filter {
                    $0 != signalFD && $0 != wakeRead && $0 != watcher?.fd && $0 != templateFD
                }
                if !pipes.isEmpty { readPipes(pipes, now: now) }
                if !signals.isEmpty || ready.count > pipes.count { timersDirty = true }
                // The timer pass is O(profiles): run it only when something may have moved a timer,
                // or when the earliest one is due, not on every heartbeat.
                let later = monotonicSeconds()
                guard timersDirty || later >= nextDue else { return }
                timersDirty = false
                if later >= rescanDue { releasePages = true }  // every rescan interval
                if let due = releaseDue, later >= due {
                    releaseDue = nil
                    releasePages = true
                }
                timers(now: later)
                nextDue = pollDeadline(now: later)
                if let watcher, !watcher.isWatching, now - lastRewatch >= config.rescanInterval {
                    lastRewatch = now  // the directory was missing or replaced: try to watch it again
                    watcher.rewatch(directory: config.profilesDirectory)
                }
                let status = summary()
                if status != lastStatus {
                    notify.send("STATUS=\(status)")
                    lastStatus = status
                    if !slots.values.contains(where: { $0.state == .starting }) { releasePages = true }
                }
            }
            // Start-up, rescans and control requests touch code the idle loop does not use again:
            // once the workers are up, every rescan interval and 2 s after the last request, drop
            // those clean pages from the resident set.
            if releasePages { _ = almanac_release_clean_file_pages() }
            if shuttingDown && lock.withLock({ slots.values.allSatisfy { $0.process == nil } }) { break }
        }
        notify.send("STOPPING=1")
        lock.withLock { reapTemplate() }
        logFiles.waitWritten(logFiles.mark, timeout: 5)  // the workers' last lines reach their files
        log.log("info", "daemon stopped: every worker has exited")
        return 0
    }

    /// Wakes the event loop (after a control request changed timers or asked for a start).
    /// Call under `lock`.
    func wakeLoop() {
        timersDirty = true
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

    /// The monotonic time of the earliest timer: a start, a stop deadline, a ready timeout, a
    /// heartbeat deadline, the debounce, the rescan.
    private func pollDeadline(now: Double) -> Double {
        var next = rescanDue
        if let d = debounceUntil { next = min(next, d) }
        if let d = releaseDue { next = min(next, d) }
        if let d = quota.nextDue() { next = min(next, d) }
        // With every start slot taken, a start falls due when a worker is ready or exits (both
        // mark the timers dirty), not at its time.
        let canStart = startingCount() < config.maxStarting
        for slot in slots.values {
            if canStart, let t = slot.startAt, slot.process == nil { next = min(next, t) }
            if let d = slot.stopDeadline { next = min(next, slot.termSentAt == nil ? d : slot.termSentAt! + 2) }
            if slot.process != nil {
                next = min(
                    next,
                    slot.state == .starting
                        ? slot.startedAt + config.policy.readyTimeout
                        : slot.lastMessageAt + config.silenceLimit(for: slot.state) + 0.05)
            }
        }
        if shuttingDown { next = min(next, now + 0.5) }
        return next
    }

    private func timers(now: Double) {
        quotaTimers(now: now)
        if let d = debounceUntil, now >= d {
            debounceUntil = nil
            scan()
        }
        if now >= rescanDue {
            reap(now: now)  // a safety net: SIGCHLD drives reaping
            scan()
        }
        startDue(now: now)
        for slot in Array(slots.values) {
            guard let process = slot.process else { continue }
            if let deadline = slot.stopDeadline {
                if slot.termSentAt == nil, now >= deadline {
                    record(
                        slot, "warning", "worker did not stop within \(Int(config.stopTimeout))s: SIGTERM to its group")
                    kill(-process.pid, SIGTERM)
                    slot.termSentAt = now
                } else if let t = slot.termSentAt, now >= t + 2 {
                    record(slot, "warning", "worker still running 2s after SIGTERM: SIGKILL to its group")
                    kill(-process.pid, SIGKILL)
                    slot.termSentAt = now + 3_600
                }
                continue
            }
            if slot.state == .starting, now - slot.startedAt > config.policy.readyTimeout,
                !readUnheard(slot, process, now: now)
            {
                slot.lastError = "no ready message within \(Int(config.policy.readyTimeout))s: killed"
                record(slot, "error", slot.lastError!)
                kill(-process.pid, SIGKILL)
                slot.stopDeadline = now + 3_600
                slot.termSentAt = now + 3_600
            } else if slot.state != .starting, now - slot.lastMessageAt > config.silenceLimit(for: slot.state),
                !readUnheard(slot, process, now: now)
            {
                slot.lastError = "no heartbeat for \(Int(config.silenceLimit(for: slot.state)))s: killed"
                record(slot, "error", slot.lastError!)
                kill(-process.pid, SIGKILL)
                slot.stopDeadline = now + 3_600
                slot.termSentAt = now + 3_600
            }
        }
    }

    /// Reads what the worker has written that the loop has not read yet, before it is judged
    /// silent: on a host running many syncs at once the loop can fall behind on its pipes, and a
    /// worker whose messages wait unread is alive. Whether there was anything.
    private func readUnheard(_ slot: WorkerSlot, _ process: SpawnedProcess, now: Double) -> Bool {
        guard process.eventFD >= 0 else { return false }
        let before = slot.lastMessageAt
        readPipes([process.eventFD], now: now)
        return slot.lastMessageAt != before
    }

    /// Workers spawned that have not sent `ready` yet.
    private func startingCount() -> Int {
        slots.values.reduce(0) { $0 + ($1.process != nil && $1.state == .starting ? 1 : 0) }
    }

    /// Starts the workers whose start is due, earliest first, while fewer than
    /// `config.maxStarting` are starting; the rest stay due for a later pass.
    private func startDue(now: Double) {
        guard !shuttingDown else { return }
        let due = slots.values.filter { slot in slot.process == nil && slot.startAt.map { now >= $0 } == true }
        guard !due.isEmpty else { return }
        var starting = startingCount()
        for slot in due.sorted(by: { ($0.startAt!, $0.name) < ($1.startAt!, $1.name) }) {
            guard starting < config.maxStarting else { break }
            slot.startAt = nil
            start(slot, now: now)
            if slot.process != nil { starting += 1 }
        }
    }

    private func beginShutdown(signal: Int32) {
        shuttingDown = true
        if let template { closeTemplateSocket(template) }  // the loop reaps it
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
                throw AlmanacError(
                    .supervisorSetupFailed, "cannot create \(dir): \(error.localizedDescription)", cause: error)
            }
            _ = chmod(dir, mode)
        }
    }

    /// Raises the soft limit on open descriptors to the hard one: the daemon holds six per profile
    /// (its log file; its worker's commands, events, grants, stdout, stderr), and a shell's default
    /// soft limit of 1,024 stopped a daemon started from it short of 200 profiles ("cannot create a
    /// pipe: Too many open files"). The daemon waits with epoll, never `select`. Workers inherit
    /// the raised limit.
    private func raiseDescriptorLimit() {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        let soft = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        if setrlimit(resource, &limit) != 0 {
            log.log(
                "warning", "cannot raise the limit on open files; each profile takes six",
                ["limit": String(soft), "error": String(cString: strerror(errno))])
        }
    }

    /// Keeps fds 3, 4 and 5 taken, so a pipe end never lands there (dup2 onto itself would keep
    /// close-on-exec set), and marks every inherited descriptor close-on-exec.
    private func reserveLowDescriptors() {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            for e in entries { if let fd = Int32(e), fd > 2 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        }
        while true {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if fd < 0 || fd > 5 {
                if fd > 5 { close(fd) }
                break
            }
        }
    }
}
