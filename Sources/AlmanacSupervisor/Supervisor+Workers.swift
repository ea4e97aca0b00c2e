import AlmanacCore
import AlmanacWire
import CProcessControl
import Foundation
import Glibc

/// Starting, stopping, reaping and listening to workers. Called under `lock`.
extension Supervisor {
    /// Spawns the worker of `slot` (which has a valid profile and no process).
    func start(_ slot: WorkerSlot, now: Double) {
        guard slot.process == nil, let profile = slot.profile, slot.enabled, !shuttingDown else { return }
        var args = [
            "worker", "--profile", slot.name, "--profiles", config.profilesDirectory,
            "--state", config.stateDirectory, "--log-format", log.format.rawValue,
            "--heartbeat-ms", String(Int(config.heartbeatInterval * 1000)),
            "--idle-heartbeat-ms", String(Int(config.idleHeartbeatInterval * 1000)), "--supervisor-pid",
            String(getpid()),
        ]
        if let copy = slot.lastGoodPath { args += ["--config", copy] }  // the worker runs the validated text
        do {
            var forked: SpawnedProcess?
            if let template = workerTemplate(now: now) {
                do {
                    forked = try ProcessSpawner.spawn(
                        path: config.executable, arguments: args, environment: workerEnvironment, template: template)
                } catch let error as AlmanacError {
                    templateFailed(error.message, now: now)
                }
            }
            let process =
                try forked
                ?? ProcessSpawner.spawn(path: config.executable, arguments: args, environment: workerEnvironment)
            for fd in [process.eventFD, process.stdoutFD, process.stderrFD] {
                pipeOwners[fd] = slot.name
                poller.add(fd)
            }
            slot.process = process
            slot.runningConfigHash = nil
            slot.startedAt = now
            slot.lastMessageAt = now
            slot.readyAt = nil
            slot.stopDeadline = nil
            slot.termSentAt = nil
            slot.afterExit = .crash
            slot.eventFramer = LineFramer()
            slot.stdoutFramer = LineFramer(limit: 64 * 1024)
            slot.stderrFramer = LineFramer(limit: 64 * 1024)
            slot.enter(.starting)
            record(
                slot, "info", "worker started",
                ["config_hash": String(profile.configHash.prefix(12)), "start": forked == nil ? "exec" : "fork"])
        } catch let error as AlmanacError {
            slot.lastError = error.message
            record(slot, "error", error.message, error.renderedCause.map { ["error.cause": $0] } ?? [:])
            schedule(
                slot, decision: slot.tracker.exited(at: now, upFor: 0, exitCode: nil, random: Double.random(in: 0..<1)),
                now: now)
        } catch {}
    }

    /// Asks the worker to stop (`shutdown`, then SIGTERM/SIGKILL to its group at the deadlines);
    /// `then` says what follows its exit. Without a process, `then` applies at once.
    func stop(_ slot: WorkerSlot, then: AfterExit) {
        slot.startAt = nil
        guard let process = slot.process else {
            finish(slot, after: then, now: monotonicSeconds())
            return
        }
        slot.afterExit = then
        if slot.stopDeadline != nil { return }  // already stopping; the new `then` wins
        let deadlineMS = Int(config.stopTimeout * 1000)
        send(slot, .shutdown(.init(id: makeRequestID(), deadlineMS: deadlineMS)))
        _ = process
        slot.enter(.stopping)
        slot.stopDeadline = monotonicSeconds() + config.stopTimeout
        slot.termSentAt = nil
        wakeLoop()
    }

    /// Writes one command to the worker's fd 3. False when there is no worker or the pipe failed.
    @discardableResult
    func send(_ slot: WorkerSlot, _ message: PipeMessage) -> Bool {
        guard let process = slot.process, process.commandFD >= 0, let line = try? Wire.line(message) else {
            return false
        }
        return writeAll(process.commandFD, line, timeoutMS: 1_000)
    }

    /// Reaps every exited child: workers and the orphans handed to us as sub-reaper. A child
    /// another thread of the daemon started and waits for itself (`OwnedChildren`: a notification
    /// command, a plugin asked for its settings) is left to it; the workers are then also asked by
    /// pid, in case that child's exit hid theirs from the first pass.
    func reap(now: Double) {
        while true {
            var status: Int32 = 0
            let pid = OwnedChildren.withLock { owned -> pid_t in
                let pid = almanac_peek_exited_child()
                guard pid > 0, !owned.contains(pid) else { return 0 }
                return waitpid(pid, &status, WNOHANG)
            }
            guard pid > 0 else { break }
            if pid == template?.pid {
                templateFailed("the worker template exited (status \(status))", now: now, reaped: true)
            } else if let slot = slots.values.first(where: { $0.process?.pid == pid }) {
                exited(slot, status: status, now: now)
            }
        }
        for slot in Array(slots.values) {
            guard let pid = slot.process?.pid else { continue }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { exited(slot, status: status, now: now) }
        }
    }

    /// The worker template to fork from, once it is ready: the one serving, or a new one unless
    /// the last failed less than 10 s ago; nil when this worker execs (`--no-worker-template`,
    /// another worker executable, shutting down, the template still warming up or failed).
    private func workerTemplate(now: Double) -> WorkerTemplateClient? {
        guard config.usesWorkerTemplate, !shuttingDown else { return nil }
        if template == nil {
            if let failed = templateFailedAt, now - failed < 10 { return nil }
            do {
                let t = try WorkerTemplateClient.start(executable: config.executable, environment: workerEnvironment)
                template = t
                poller.add(t.socket)  // `ready`, or EOF when it dies
                log.log("info", "worker template started", ["pid": String(t.pid)])
            } catch let error as AlmanacError {
                templateFailed(error.message, now: now)
                return nil
            } catch {
                return nil
            }
        }
        if template?.isReady == false { templateReadable(now: now) }
        return template?.isReady == true ? template : nil
    }

    /// Starts the template at the daemon's start, so that its warm-up runs while the profiles
    /// are scanned.
    func startTemplate(now: Double) { _ = workerTemplate(now: now) }

    /// The template's socket is readable outside a request: its `ready`, or its end.
    func templateReadable(now: Double) {
        guard let t = template else { return }
        do {
            if try t.readUnasked() { log.log("info", "worker template ready", ["pid": String(t.pid)]) }
        } catch let error as AlmanacError {
            templateFailed(error.message, now: now)
        } catch {}
    }

    /// Drops the template (closing its socket, so that it exits if it still runs) after `reason`;
    /// workers exec until the next is tried. `reaped`: its exit has been collected already.
    private func templateFailed(_ reason: String, now: Double, reaped: Bool = false) {
        templateFailedAt = now
        guard let t = template else { return }
        template = nil
        closeTemplateSocket(t)
        if !reaped {
            kill(t.pid, SIGKILL)
            waitpid(t.pid, nil, 0)
        }
        if !shuttingDown {
            log.log(
                "warning", "worker template: \(reason); workers are started with exec for now", ["pid": String(t.pid)])
        }
    }

    /// Stops watching the template's socket and closes it: the template reads EOF and exits.
    func closeTemplateSocket(_ t: WorkerTemplateClient) {
        if t.socket >= 0 { poller.remove(t.socket) }
        t.close()
    }

    /// At the daemon's end: waits up to 1 s for the template to exit on EOF, then kills it.
    func reapTemplate() {
        guard let t = template else { return }
        template = nil
        closeTemplateSocket(t)
        for _ in 0..<100 where waitpid(t.pid, nil, WNOHANG) == 0 { usleep(10_000) }
        if kill(t.pid, 0) == 0 {
            kill(t.pid, SIGKILL)
            waitpid(t.pid, nil, 0)
        }
    }

    private func exited(_ slot: WorkerSlot, status: Int32, now: Double) {
        guard let process = slot.process else { return }
        quotaDrop(slot)
        timersDirty = true
        let open = [process.eventFD, process.stdoutFD, process.stderrFD].filter { $0 >= 0 }
        readPipes(open, now: now, draining: true)
        for fd in open { closePipe(fd) }
        close(process.commandFD)
        close(process.grantFD)
        slot.process = nil
        kill(-process.pid, SIGKILL)  // whatever the worker spawned dies with it
        let termSignal = status & 0x7f
        let exitCode: Int32? = termSignal == 0 ? (status >> 8) & 0xff : nil
        let how = exitCode.map { "exit code \($0)" } ?? "signal \(termSignal)"
        for (_, w) in slot.waiters { w.close(error: "the worker exited (\(how))") }
        slot.waiters.removeAll()
        slot.stopDeadline = nil
        slot.termSentAt = nil
        slot.job = nil
        slot.progress = nil
        let after = slot.afterExit
        slot.afterExit = .crash
        if after != .crash || shuttingDown {
            record(slot, "info", "worker exited", ["pid": String(process.pid), "status": how])
            finish(slot, after: shuttingDown ? .stay(.stopped) : after, now: now)
            return
        }
        slot.lastError =
            exitCode == config.policy.lockedExitCode
            ? "another process holds the profile's lock (\(slot.name).lock in the state directory; "
                + "`almanac logs \(slot.name)` names it)"
            : "worker exited unexpectedly (\(how))"
        record(
            slot, exitCode == 0 ? "warning" : "error", "worker exited unexpectedly",
            ["pid": String(process.pid), "status": how])
        let upFor = slot.readyAt.map { now - $0 } ?? 0
        if upFor >= config.policy.resetAfter { slot.notified = nil }  // it had been healthy: a new fatal is news
        let decision = slot.tracker.exited(at: now, upFor: upFor, exitCode: exitCode, random: Double.random(in: 0..<1))
        schedule(slot, decision: decision, now: now)
    }

    /// Applies a restart decision.
    func schedule(_ slot: WorkerSlot, decision: RestartPolicy.Decision, now: Double) {
        switch decision {
        case .restart(let delay):
            slot.restarts += 1
            slot.enter(.backoff)
            slot.startAt = now + delay
            record(slot, "info", delay == 0 ? "restarting at once" : String(format: "restarting in %.1fs", delay))
        case .fatal(let retry):
            slot.restarts += 1
            slot.enter(.fatal)
            slot.startAt = now + retry
            let message =
                "more than \(config.policy.fatalRestarts) restarts in \(Int(config.policy.fatalWindow))s: "
                + "fatal, next try in \(Int(retry))s"
            record(slot, "error", message)
            notifyTrouble(slot, .fatal, code: .supervisorRestartLimit, message + "; last: \(slot.lastError ?? "")")
        case .invalid:
            slot.enter(.invalid)
            slot.invalidHash = slot.profile?.configHash
            slot.lastError =
                "the worker exited 78 (invalid configuration): fix the file; it restarts when the file changes"
            record(slot, "error", slot.lastError!)
            notifyTrouble(slot, .invalid, code: .profileInvalid, slot.lastError!)
        }
    }

    /// The state after a requested stop.
    func finish(_ slot: WorkerSlot, after: AfterExit, now: Double) {
        switch after {
        case .remove:
            for f in slot.followers { f.close() }
            slots[slot.name] = nil
            logFiles.close(profile: slot.name)
            log.log("info", "profile removed", ["profile": slot.name])
        case .restart:
            slot.tracker.reset()
            slot.enter(.starting)
            start(slot, now: now)
        case .stay(let state):
            slot.enter(state)
        case .crash:
            slot.enter(.stopped)
        }
    }

    /// Reads what is available on the given worker pipe ends; `draining`: read to the end.
    func readPipes(_ ready: [Int32], now: Double, draining: Bool = false) {
        // Not zero-filled, and on the stack when it fits: every quota ask wakes this loop, and a
        // fresh 64 KiB array was the largest cost of its user-space work (memset, per profile).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 * 1024) { buf in
            for fd in ready {
                guard let name = pipeOwners[fd], let slot = slots[name], var process = slot.process else { continue }
                var rounds = 0
                while true {
                    let n = read(fd, buf.baseAddress, buf.count)
                    if n > 0 {
                        consume(
                            slot, fd: fd, process: process,
                            bytes: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buf[0..<n])), now: now)
                        rounds += 1
                        if !draining && rounds >= 16 { break }
                        continue
                    }
                    if n < 0 && errno == EINTR { continue }
                    if !draining && (n == 0 || errno != EAGAIN) {  // EOF: the worker closed its end
                        closePipe(fd)
                        if fd == process.eventFD { process.eventFD = -1 }
                        if fd == process.stdoutFD { process.stdoutFD = -1 }
                        if fd == process.stderrFD { process.stderrFD = -1 }
                        slot.process = process
                    }
                    break
                }
            }
        }
    }

    private func closePipe(_ fd: Int32) {
        poller.remove(fd)
        pipeOwners[fd] = nil
        close(fd)
    }

    private func consume(
        _ slot: WorkerSlot, fd: Int32, process: SpawnedProcess, bytes: UnsafeRawBufferPointer, now: Double
    ) {
        if fd == process.eventFD {
            for frame in slot.eventFramer.feed(bytes) {
                switch frame {
                case .oversized(let n):
                    record(slot, "warning", "dropped an oversized pipe message (\(n) bytes > 1 MiB)")
                case .line(let line):
                    if let ask = QuotaLine.parseAsk(line[...]),  // the governor's hot path: no JSONDecoder
                        quotaAsk(slot, id: ask.id, keysJSON: ask.keysJSON, tokens: ask.tokens, now: now)
                    {
                        slot.lastMessageAt = now
                        continue
                    }
                    if let nextRun = IdleHeartbeat.nextRun(ofIdleHeartbeat: line) {  // the idle path: no JSONDecoder
                        slot.lastMessageAt = now
                        handle(.status(.init(state: "idle", nextRun: nextRun)), from: slot, now: now)
                        continue
                    }
                    // Another `v`, an unknown `type` or a missing field does not decode.
                    guard let message = try? eventDecoder.decode(PipeMessage.self, from: Data(line)) else {
                        record(
                            slot, "warning", "dropped a malformed pipe message",
                            ["text": String(decoding: line.prefix(200), as: UTF8.self)])
                        continue
                    }
                    slot.lastMessageAt = now
                    handle(message, from: slot, now: now)
                }
            }
            return
        }
        let stream = fd == process.stdoutFD ? "stdout" : "stderr"
        let frames = fd == process.stdoutFD ? slot.stdoutFramer.feed(bytes) : slot.stderrFramer.feed(bytes)
        for frame in frames {
            let text: String
            switch frame {
            case .line(let l): text = String(decoding: l, as: UTF8.self)
            case .oversized(let n): text = "(a log line of \(n) bytes was dropped)"
            }
            slot.record(log.forward(profile: slot.name, pid: process.pid, stream: stream, line: text))
        }
    }

    /// Logs a line of the daemon's about `slot`, and keeps it in the profile's ring.
    func record(_ slot: WorkerSlot, _ level: String, _ message: String, _ extra: [String: String] = [:]) {
        var fields: [(String, String)] = [("profile", slot.name)]
        if let pid = slot.process?.pid { fields.append(("pid", String(pid))) }
        fields += extra.sorted { $0.key < $1.key }
        let line = log.render(level: level, message: message, fields: fields)
        log.emit(line)
        slot.record(line)
    }
}
