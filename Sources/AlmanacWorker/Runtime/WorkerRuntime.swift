import AlmanacCore
import AlmanacNotify
import AlmanacSync
import AlmanacWire
import CProcessControl
import Foundation
import Glibc
import Logging

/// `almanac worker --profile NAME …`: one profile's process under the daemon (ARCHITECTURE.md §1, §6).
///
/// Reads commands on fd 3, writes events on fd 4, logs on stderr. Sets PR_SET_PDEATHSIG and
/// checks `getppid()` at start-up, and exits when fd 3 reaches EOF (the supervisor is gone).
/// Runs its jobs on schedule and on command, one at a time, on a job thread of its own.
// @unchecked Sendable: the schedule state is touched only by the command loop, the retry counts only by the job
// thread; `current` is under `progressLock`, the retry inbox under `retryLock`; `notifications` is set before the
// job thread starts and used by it alone.
public final class WorkerRuntime: @unchecked Sendable {
    public struct Options: Sendable {
        public var profile: String
        public var profilesDirectory: String
        public var stateDirectory: String
        /// The heartbeat's interval while a job runs (and before the first idle heartbeat).
        public var heartbeatInterval: Double = 5
        /// The heartbeat's interval while no job runs (nil: 3 × `heartbeatInterval`): an idle
        /// worker of a thousand wakes less often; the supervisor allows 3 of these intervals.
        public var idleHeartbeatInterval: Double?
        public var supervisorPID: Int32?
        /// Seconds before the first retry of a job whose run failed for a passing reason (later
        /// retries back off from it, up to the schedule's interval).
        public var firstRetryDelay: Double = 30
        /// How long to wait for the profile's lock (`ProfileLock`) while another process holds it:
        /// the worker this one replaces may still be exiting.
        public var lockWait: Double = 3
        /// The file to read the profile from instead of `PROFILES/NAME.toml`: the daemon's copy
        /// of the last valid version (`almanac worker --config`). Settings naming files still
        /// resolve against the profiles directory.
        public var configFile: String?
        public init(profile: String, profilesDirectory: String, stateDirectory: String) {
            self.profile = profile
            self.profilesDirectory = profilesDirectory
            self.stateDirectory = stateDirectory
        }
    }

    let options: Options
    let logger: Logger
    let hooks: any WorkerHooks
    let events = EventChannel(fd: 4)
    let queue = JobQueue()
    var nextRun: Date?
    var lastScheduledStart: Date?
    let progressLock = NSLock()
    var current: (job: String, progress: RunProgress?)?
    /// Under `progressLock`: how many of the next heartbeats release the pages start-up or a run
    /// touched (two: the first pass through the idle loop touches code the later ones do not).
    var releaseRequests = 2
    /// When a job whose run failed for a passing reason runs again (set from the schedule).
    var backoff = RetryBackoff()
    /// Jobs whose run failed for a passing reason, with when to run them again: posted by the job
    /// thread under `retryLock`, taken into `retries` by the command loop.
    let retryLock = NSLock()
    var retryInbox: [String: Date] = [:]
    var retries: [String: Date] = [:]
    /// Job thread only: failures in a row for a passing reason, and the retries it has asked for
    /// (reported in `run_finished` so `almanac status` shows `retrying in N`).
    var failuresInARow: [String: Int] = [:]
    var pendingRetries: [String: Date] = [:]
    /// The profile's `[notify]` transitions (job thread only); nil without a `[notify]` table.
    var notifications: RunNotifications?
    /// The profile's state file, set before the job thread starts (`history` requests read it).
    var stateStore: StateStore?
    /// The quota governor's client (`QuotaGates.current` from `run` on).
    var quota: QuotaClient?
    /// A pipe the job thread writes to when a run starts or ends, so the command loop, asleep for
    /// an idle heartbeat interval, takes up the shorter one of a run (and back). -1s: no pipe.
    let wake: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return (-1, -1) }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return (fds[0], fds[1])
    }()

    /// - Parameter hooks: what a test harness changes (`almanac worker`: nothing).
    public init(options: Options, logger: Logger, hooks: any WorkerHooks = NoWorkerHooks()) {
        self.options = options
        self.logger = logger
        self.hooks = hooks
    }

    /// Runs the worker; returns its exit code (0 after `shutdown` or EOF on fd 3; 78 for an
    /// invalid profile; 75 when another process still holds the profile's lock after
    /// `lockWait`; 1 when the state store cannot be opened).
    public func run(loader: ProfileLoader) -> Int32 {
        _ = almanac_set_pdeathsig(SIGTERM)
        // The supervisor may have died before PDEATHSIG was set.
        if let parent = options.supervisorPID, getppid() != parent { return 1 }
        signal(SIGPIPE, SIG_IGN)
        // fd 5 when the daemon gave this worker a pipe of its own for quota grants, else nil
        // (grants then come on fd 3).
        let grantFD = QuotaClient.inheritedGrantPipe()
        closeInheritedDescriptors(keeping: grantFD)

        let path = options.profilesDirectory + "/" + options.profile + ".toml"
        let loaded = loader.load(path: path, readingFrom: options.configFile)
        let profile: Profile
        switch loaded.result {
        case .failure(let errors):
            for issue in errors.issues {
                logger.error("\(issue.description)", metadata: ["error.code": "\(issue.code.rawValue)"])
            }
            return 78
        case .success(let p): profile = p
        }
        events.send(
            .hello(
                .init(
                    pid: getpid(), profile: profile.name, version: AlmanacVersion.current,
                    configHash: profile.configHash)))
        if let code = hooks.exitCode(afterHello: profile) { return code }

        let lock: ProfileLock
        do {
            lock = try ProfileLock.acquire(
                profile: profile.name, stateDirectory: options.stateDirectory, wait: options.lockWait)
        } catch let error as AlmanacError {
            logger.error("\(error.message)", metadata: ["error.code": "\(error.code.rawValue)"])
            return error.code == .stateLocked ? Self.lockedExitCode : 1
        } catch {
            return 1
        }
        let runner: JobRunner
        do {
            runner = try JobRunner(
                profile: profile, stateDirectory: URL(fileURLWithPath: options.stateDirectory), logger: logger)
        } catch {
            logger.error("cannot open the state store: \(error)")
            return 1
        }
        stateStore = runner.store
        pruneHistory(runner)
        // The schedule goes on from the latest run in the history: a restart is not a run.
        nextRun = runner.nextRun(after: Date())
        notifications = RunNotifications(profile: profile, stateDirectory: options.stateDirectory, logger: logger)
        quota = startQuotaClient(grantFD: grantFD)
        let handOff = HandOff(runner)
        backoff = RetryBackoff(schedule: profile.schedule, first: options.firstRetryDelay)
        let jobThread = Thread { [self] in self.jobLoop(runner: handOff.value, profile: profile) }
        jobThread.stackSize = 1 << 20
        jobThread.start()
        events.send(.ready(readyMessage(runner.store, profile: profile)))
        logger.info("ready", metadata: ["jobs": "\(profile.jobs.map(\.name).joined(separator: ","))"])
        hooks.afterReady(write: events.sendRaw)
        let code = withExtendedLifetime(lock) { commandLoop(profile: profile, heartbeats: hooks.sendsHeartbeats) }
        quota?.close()
        return code
    }

    /// The exit code of a worker that found its profile's lock held by another process (EX_TEMPFAIL).
    public static let lockedExitCode: Int32 = 75

    /// Reads fd 3 until `shutdown` or EOF; sends heartbeats; starts scheduled runs.
    private func commandLoop(profile: Profile, heartbeats: Bool) -> Int32 {
        var framer = LineFramer()
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        var lastBeat = 0.0
        let decoder = Wire.decoder()
        while true {
            let now = Date()
            let mono = ProcessInfo.processInfo.systemUptime
            let interval = heartbeatInterval()
            if heartbeats, mono - lastBeat >= interval {
                sendStatus()
                lastBeat = mono
                if takeReleaseRequest() { releaseIdlePages() }
            }
            retries.merge(
                retryLock.withLock { () -> [String: Date] in
                    defer { retryInbox = [:] }
                    return retryInbox
                }
            ) { _, new in new }
            for (job, due) in retries.sorted(by: { $0.key < $1.key }) where due <= now {
                queue.addSync(id: nil, job: job, options: RunOptions(trigger: .retry))
                retries[job] = nil
            }
            if let due = nextRun, due <= now {
                // The next run is set before the job is queued: the job thread reports it in its
                // progress messages (the queue's lock orders the write before its reads).
                let options = RunOptions(trigger: lastScheduledStart == nil ? .startup : .schedule)
                lastScheduledStart = now
                nextRun = RunClock.nextRun(profile.schedule, zone: profile.timeZone, now: now, lastStart: now)
                queue.addSync(id: nil, job: nil, options: options)
            }
            var wait = interval - (mono - lastBeat)
            if let due = nextRun { wait = min(wait, due.timeIntervalSince(now)) }
            if let due = retries.values.min() { wait = min(wait, due.timeIntervalSince(now)) }
            var p = [
                pollfd(fd: 3, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
            ]
            let rc = poll(&p, 2, Int32(max(0, min(wait, 60)) * 1000) + 1)
            if rc < 0 && errno != EINTR { return 1 }
            if rc > 0, p[1].revents != 0 { drainWake() }  // a run started or ended: the interval changed
            guard rc > 0, p[0].revents != 0 else { continue }
            let n = read(3, &buf, buf.count)
            if n == 0 { return 0 }  // EOF: the supervisor is gone
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return 0 } }
            let frames = buf.withUnsafeBytes { framer.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            for frame in frames {
                guard case .line(let line) = frame else {
                    logger.warning("dropped an oversized command (over 1 MiB)")
                    continue
                }
                if let g = QuotaLine.parseGrant(line[...]) {  // the governor's hot path: no JSONDecoder
                    quota?.grant(id: g.id, waitedMS: g.waitedMS)
                    continue
                }
                // Another `v`, an unknown `type` or a missing field does not decode.
                guard let m = try? decoder.decode(PipeMessage.self, from: Data(line)) else {
                    logger.warning(
                        "dropped a malformed command",
                        metadata: ["text": "\(String(decoding: line.prefix(200), as: UTF8.self))"])
                    continue
                }
                if let code = handle(m, profile: profile) { return code }
            }
        }
    }

    /// Handles one command; returns an exit code when the worker should exit.
    private func handle(_ message: PipeMessage, profile: Profile) -> Int32? {
        switch message {
        case .sync(let m):
            if let job = m.job, !profile.jobs.contains(where: { $0.name == job }) {
                events.send(
                    .reply(.init(id: m.id, ok: false, error: "profile \(profile.name) has no job named \"\(job)\"")))
                return nil
            }
            queue.addSync(id: m.id, job: m.job, options: m.runOptions) { queued in
                events.send(.reply(.init(id: m.id, ok: true, queued: queued)))
            }
        case .testConnection(let m):
            if let c = m.connection, profile.connections[c] == nil {
                events.send(
                    .reply(
                        .init(id: m.id, ok: false, error: "profile \(profile.name) has no connection named \"\(c)\"")))
                return nil
            }
            queue.addTest(id: m.id, connection: m.connection)
        case .history(let m):
            guard let store = stateStore else { return nil }
            events.send(.reply(historyReply(m, profile: profile, store: store)))
        case .conflicts(let m):
            guard let store = stateStore else { return nil }
            events.send(.reply(conflictsReply(m, profile: profile, store: store)))
        case .ping(let m):
            events.send(.reply(.init(id: m.id, ok: true)))
        case .shutdown(let m):
            events.send(.reply(.init(id: m.id, ok: true)))
            logger.info("shutdown requested")
            let busy = queue.isBusy
            queue.stop()
            if busy {  // let the running job finish, within the supervisor's deadline
                let deadline = Date().addingTimeInterval(max(0, Double(m.deadlineMS) / 1000 - 0.5))
                while queue.isBusy && Date() < deadline { usleep(20_000) }
            }
            return 0
        case .quotaGrant(let m):
            quota?.grant(id: m.id, waitedMS: m.waitedMS)
        case .hello, .ready, .status, .runStarted, .runFinished, .connection, .reply, .quotaAsk, .quotaReport:
            logger.warning(
                "dropped an event-type message on the command pipe", metadata: ["type": "\(message.kind.rawValue)"])
        }
        return nil
    }

    /// The job thread: runs queued syncs and connection tests, one at a time.
    private func jobLoop(runner: JobRunner, profile: Profile) {
        while let item = queue.take() {
            switch item {
            case .test(let id, let connection):
                for (name, report) in runner.testConnections(only: connection).sorted(by: { $0.key < $1.key }) {
                    let detail = report.steps.map { "\($0.name): \($0.ok ? "ok" : "failed") \($0.detail)" }.joined(
                        separator: "; ")
                    let health = observe(test: report, name: name, store: runner.store)
                    events.send(.connection(.init(name: name, ok: report.ok, detail: detail, id: id, health: health)))
                }
                events.send(.reply(.init(id: id, ok: true)))
            case .sync(let ids, let job, let options):
                let jobs = job.map { [$0] } ?? profile.jobs.map(\.name)
                for (i, name) in jobs.enumerated() {
                    runJob(runner, name, options, ids: ids, last: i == jobs.count - 1)
                }
            }
            if queue.isEmpty { requestRelease() }
        }
    }

    /// Runs one job. The run's id is made here, where the run starts, and carried by
    /// `run_started`, the runner's log lines and report, the run history and `run_finished`.
    private func runJob(_ runner: JobRunner, _ job: String, _ options: RunOptions, ids: [String], last: Bool) {
        let runID = RunReport.newRunID()
        events.send(.runStarted(.init(runID: runID, job: job, trigger: options.trigger.rawValue, requestIDs: ids)))
        pendingRetries[job] = nil
        setCurrent((job, nil))
        hooks.beforeRun(job: job)
        var lastSent = 0.0
        let begin = Date()
        var report: RunReport
        do {
            report = try runner.run(job: job, runID: runID, options: options) { progress in
                self.setCurrent((job, progress))
                let t = ProcessInfo.processInfo.systemUptime
                if t - lastSent >= 0.2 {
                    lastSent = t
                    self.events.send(
                        .status(.init(state: "syncing", job: job, progress: progress, nextRun: self.nextRun)))
                }
            }
        } catch {
            report = RunReport(
                runID: runID, profile: runner.profile.name, job: job, trigger: options.trigger,
                dryRun: options.dryRun, started: begin, finished: Date(), result: .failed,
                errorCode: (error as? AlmanacError)?.code.rawValue ?? ErrorCode.runError.rawValue, error: "\(error)")
            report.retryable = (error as? AlmanacError)?.retryable == true ? true : nil
            if let e = error as? AlmanacError, !e.causeChain.isEmpty { report.cause = e.causeChain }
        }
        if report.retryable == true && !options.dryRun {
            let failures = (failuresInARow[job] ?? 0) + 1
            failuresInARow[job] = failures
            // Held creates name the moment they may be sent: the retry is then, not after the
            // backoff (which may be shorter, and find them still held, or much longer).
            let delay =
                report.retryNotBefore.map { max(1, $0.timeIntervalSinceNow.rounded(.up)) }
                ?? backoff.delay(afterFailures: failures)
            logger.warning(
                "the run failed for a passing reason; retrying",
                metadata: [
                    "job": "\(job)", "run_id": "\(runID)", "in": "\(Int(delay))s", "failures": "\(failures)",
                    "error.code": "\(report.errorCode ?? "")",
                ])
            let at = Date().addingTimeInterval(delay)
            pendingRetries[job] = at
            retryLock.withLock { retryInbox[job] = at }
        } else if !options.dryRun {
            failuresInARow[job] = nil
        }
        let connections = observe(report, job: job, profile: runner.profile, store: runner.store)
        if !options.dryRun { pruneHistory(runner) }
        setCurrent(nil)
        logQuotaRoundTrips(job: job, runID: runID)
        events.send(
            .runFinished(
                .init(
                    runID: runID,
                    job: job, trigger: options.trigger.rawValue, result: report.result.rawValue,
                    to: report.toCounts, from: report.fromCounts, started: report.started,
                    durationMS: report.durationMS, errorCode: report.errorCode, error: report.error,
                    cause: report.cause, requestIDs: ids, batchDone: last, retryAt: pendingRetries.values.min(),
                    dryRun: options.dryRun ? true : nil, connections: connections)))
        notifications?.runFinished(report)
    }

    /// Closes every descriptor above 4 but `kept` that leaked through exec: those without
    /// close-on-exec (what this process opened itself, the Swift runtime's included, is
    /// close-on-exec). (`readdir`, not `FileManager`: this runs at every worker's start.)
    private func closeInheritedDescriptors(keeping kept: Int32?) {
        guard let dir = opendir("/proc/self/fd") else { return }
        var fds: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let fd = Int32(name), fd > 4, fd != kept { fds.append(fd) }
        }
        closedir(dir)  // its own descriptor is close-on-exec, and gone now
        for fd in fds {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { close(fd) }
        }
    }
}

/// Moves a non-Sendable value to the one thread that uses it from then on.
private struct HandOff<T>: @unchecked Sendable {  // @unchecked: created before the thread starts, used only by it
    let value: T
    init(_ value: T) { self.value = value }
}
