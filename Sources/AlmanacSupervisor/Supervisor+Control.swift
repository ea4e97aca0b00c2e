import AlmanacCore
import AlmanacWire
import Foundation
import Glibc

/// The control API's routes (ARCHITECTURE.md §7). Runs on the control server's thread; takes `lock`.
extension Supervisor {
    func handle(_ r: HTTPRequest) -> HTTPResponse {
        lock.withLock {
            releaseDue = monotonicSeconds() + 2
            wakeLoop()
        }
        let parts = r.path.split(separator: "/").map(String.init)
        let route = parts.joined(separator: "/")
        switch (r.method, route) {
        case ("GET", "v1/health"):
            return lock.withLock {
                let running = slots.values.filter { $0.state.isUp }.count
                var h = Health(
                    ok: !shuttingDown, version: AlmanacVersion.current, pid: getpid(),
                    uptimeS: Int(monotonicSeconds() - startedMono), profiles: slots.count, running: running)
                h.shard = config.shard?.index
                h.shards = config.shard?.count
                return encode(shuttingDown ? 503 : 200, h)
            }
        case ("GET", "v1/me"):
            return encode(200, CallerInfo(role: r.role))
        case ("GET", "v1/openapi.json"):
            return .json(200, PackageResources.openapi_json)
        case ("GET", "v1/quota"):
            return lock.withLock { encode(200, quotaStatus()) }
        case ("GET", "metrics"):
            let text = lock.withLock { metricsText() }
            return .full(status: 200, contentType: "text/plain; version=0.0.4", body: Array(text.utf8))
        case ("GET", "v1/profiles"):
            let fleet = FleetQuery.parse(r.query)
            if case .invalid(let message) = fleet {
                return encode(400, ActionResult(ok: false, message: message, code: .apiBadRequest))
            }
            let all = lock.withLock {
                let now = monotonicSeconds()
                return slots.values.sorted { $0.name < $1.name }.map { $0.status(now: now) }
            }
            return .json(200, (try? (fleet.query?.page(all) ?? StatusList(profiles: all)).wireJSON()) ?? [])
        case ("POST", "v1/reload"):
            if let problem = StrictBody.empty(r.body) { return problem }
            lock.withLock {
                scan()
                wakeLoop()
            }
            return encode(200, ActionResult(ok: true, message: "profiles re-read: \(lock.withLock { summary() })"))
        default:
            break
        }
        if parts.count >= 3, parts[0] == "v1", parts[1] == "profiles" || parts[1] == "templates",
            let problem = badName(parts[2], template: parts[1] == "templates")
        {
            return problem
        }
        if let answer = provisioningRoute(r, parts) { return answer }
        if parts.count >= 3, parts[0] == "v1", parts[1] == "profiles" {
            let name = parts[2]
            switch (r.method, parts.count) {
            case ("GET", 3):
                return lock.withLock {
                    guard let slot = slots[name] else { return notFound(name) }
                    return .json(200, (try? slot.status(now: monotonicSeconds()).wireJSON()) ?? [])
                }
            case ("GET", 4) where parts[3] == "logs":
                return logs(name, r)
            case ("GET", 4) where parts[3] == "runs":
                guard let query = HistoryQuery(r.query) else {
                    return encode(400, ActionResult(ok: false, message: HistoryQuery.usage, code: .apiBadRequest))
                }
                return request(name, kind: "history", wait: true) { .history(query.message(id: $0)) }
            case ("GET", 4) where parts[3] == "conflicts":
                let job = r.query["job"].flatMap { $0.isEmpty ? nil : $0 }
                return request(name, kind: "conflicts", wait: true) { .conflicts(.init(id: $0, job: job)) }
            case ("POST", 4):
                return profileAction(name, parts[3], r)
            default:
                break
            }
        }
        return encode(
            404, ActionResult(ok: false, message: "no such endpoint: \(r.method) \(r.path)", code: .apiNotFound))
    }

    private func profileAction(_ name: String, _ action: String, _ r: HTTPRequest) -> HTTPResponse {
        if action != "sync", let problem = StrictBody.empty(r.body) { return problem }
        switch action {
        case "restart", "enable", "disable":
            return lock.withLock {
                guard let slot = slots[name] else { return notFound(name) }
                let result = lifecycle(slot, action)
                wakeLoop()
                return encode(result.ok ? 200 : 409, result)
            }
        case "sync":
            let body: SyncRequest
            switch StrictBody.sync(r.body) {
            case .success(let b): body = b
            case .failure(let e):
                return encode(400, ActionResult(ok: false, message: e.description, code: .apiBadRequest))
            }
            return request(name, kind: "sync", wait: body.wait) { id in
                .sync(.init(id: id, job: body.job, options: body.options))
            }
        case "test-connection":
            let connection = r.query["connection"]
            return request(name, kind: "test_connection", wait: true) { id in
                .testConnection(.init(id: id, connection: connection))
            }
        default:
            return encode(404, ActionResult(ok: false, message: "no such action: \(action)", code: .apiNotFound))
        }
    }

    func lifecycle(_ slot: WorkerSlot, _ action: String) -> ActionResult {
        let marker = markerPath(slot.name)
        switch action {
        case "disable":
            _ = FileManager.default.createFile(atPath: marker, contents: Data("disabled by almanac disable\n".utf8))
            slot.disabledByMarker = true
            stop(slot, then: .stay(.disabled))
            record(slot, "info", "disabled (marker \(marker))")
            return ActionResult(ok: true, message: "\(slot.name) disabled; it stays disabled across daemon restarts")
        case "enable":
            unlink(marker)
            slot.disabledByMarker = false
            guard let profile = slot.profile else {
                return ActionResult(
                    ok: false, message: "\(slot.name) has no valid configuration to run", code: .profileInvalid)
            }
            guard profile.enabled else {
                return ActionResult(
                    ok: false, message: "\(slot.name): the file says enabled = false", code: .profileDisabledInFile)
            }
            if slot.process == nil {
                slot.tracker.reset()
                slot.invalidHash = nil
                slot.enter(.starting)
                slot.startAt = monotonicSeconds()
            } else if slot.afterExit == .stay(.disabled) {
                slot.afterExit = .restart  // a disable still stopping the worker: start it again when it has exited
            }
            record(slot, "info", "enabled")
            return ActionResult(ok: true, message: "\(slot.name) enabled")
        default:
            guard slot.enabled else {
                return ActionResult(
                    ok: false, message: "\(slot.name) is disabled: enable it first", code: .profileDisabled)
            }
            guard slot.profile != nil else {
                return ActionResult(
                    ok: false, message: "\(slot.name) has no valid configuration to run", code: .profileInvalid)
            }
            if slot.process != nil {
                stop(slot, then: .restart)
            } else {
                slot.tracker.reset()
                slot.enter(.starting)
                slot.startAt = monotonicSeconds()
            }
            record(slot, "info", "restart requested")
            return ActionResult(ok: true, message: "\(slot.name) restarting")
        }
    }

    /// Sends a request to the worker and answers from its replies, on a thread of its own.
    private func request(_ name: String, kind: String, wait: Bool, _ make: (String) -> PipeMessage) -> HTTPResponse {
        let box = MailBox<PipeMessage>(kind: kind)
        let problem: HTTPResponse? = lock.withLock {
            guard let slot = slots[name] else { return notFound(name) }
            guard slot.process != nil, slot.state.isUp else {
                return encode(
                    409,
                    ActionResult(
                        ok: false, message: "\(name) is not running (state \(slot.state.rawValue))",
                        code: .profileNotRunning))
            }
            let id = makeRequestID()
            slot.waiters[id] = box
            guard send(slot, make(id)) else {
                slot.waiters[id] = nil
                return encode(
                    409,
                    ActionResult(ok: false, message: "\(name): cannot reach its worker", code: .profileNotRunning))
            }
            return nil
        }
        if let problem { return problem }
        let line = Supervisor.ndjson
        if kind == "history" { return historyAnswer(name, box) }
        if kind == "conflicts" { return conflictsAnswer(name, box) }
        if kind == "test_connection" {
            return .deferred {
                var results: [ConnectionResult] = []
                var failure: String?
                loop: while true {
                    switch box.next(timeout: 120) {
                    case .item(.connection(let m)):
                        results.append(ConnectionResult(name: m.name, ok: m.ok, detail: m.detail))
                    case .item: continue
                    case .closed(let e): failure = e; break loop
                    case .timedOut: failure = "no answer from the worker within 120s"; break loop
                    }
                }
                let ok = failure == nil && !results.isEmpty && results.allSatisfy(\.ok)
                let body = ActionResult(
                    ok: ok, message: failure ?? (ok ? "every connection works" : "a connection failed"),
                    code: failure == nil ? nil : .profileRequestFailed, connections: results)
                return (200, "application/json", { write in _ = write(line(body)) })
            }
        }
        if !wait {
            return .deferred {
                let body: ActionResult
                switch box.next(timeout: 10) {
                case .item(let m):
                    let queued = if case .reply(let r) = m { r.queued == true } else { false }
                    body = ActionResult(
                        ok: true, message: queued ? "queued behind the running sync" : "sync started")
                case .closed(let e):
                    body = ActionResult(ok: false, message: e ?? "no answer", code: .profileRequestFailed)
                case .timedOut: body = ActionResult(ok: true, message: "sync requested")
                }
                return (body.ok ? 202 : 409, "application/json", { write in _ = write(line(body)) })
            }
        }
        return .deferred {
            (
                200, "application/x-ndjson",
                { write in
                    while true {
                        switch box.next(timeout: 3_600) {
                        case .item(let m):
                            let event: SyncEvent
                            switch m {
                            case .reply(let r): event = SyncEvent(event: r.queued == true ? "queued" : "accepted")
                            case .runStarted(let r): event = SyncEvent(event: "started", job: r.job)
                            case .status(let s): event = SyncEvent(event: "progress", progress: s.progress, job: s.job)
                            case .runFinished(let r):
                                event = SyncEvent(event: "run", job: r.job, run: RunSummary(r, finished: Date()))
                            default: continue
                            }
                            if !write(line(event)) { return }
                        case .closed(let e):
                            _ = write(line(SyncEvent(event: e == nil ? "done" : "error", ok: e == nil, error: e)))
                            return
                        case .timedOut:
                            _ = write(line(SyncEvent(event: "error", ok: false, error: "no result within an hour")))
                            return
                        }
                    }
                }
            )
        }
    }

    private func logs(_ name: String, _ r: HTTPRequest) -> HTTPResponse {
        let tail = r.query["tail"].map { Int($0) ?? -1 } ?? 100
        guard tail >= 0 else {
            return encode(
                400,
                ActionResult(
                    ok: false, message: "tail takes a whole number ≥ 0, got \"\(r.query["tail"] ?? "")\"",
                    code: .apiBadRequest))
        }
        let follow = r.query["follow"] == "1" || r.query["follow"] == "true"
        var since: Date?
        if let text = r.query["since"] {
            guard let d = try? Date(text, strategy: .iso8601) else {
                return encode(
                    400,
                    ActionResult(
                        ok: false, message: "since takes an RFC 3339 time like 2026-12-03T05:00:00Z, got \"\(text)\"",
                        code: .apiBadRequest))
            }
            since = d
        }
        if !follow { return logHistory(name, tail: tail, since: since) ?? notFound(name) }
        let box = MailBox<String>(kind: "logs")
        let lines: [String]? = lock.withLock {
            guard let slot = slots[name] else { return nil }
            slot.followers.append(box)
            return LogHistory.recent(slot.logs.elements, tail: tail, since: since)
        }
        guard let lines else { return notFound(name) }
        let events = r.headers["accept"]?.contains("text/event-stream") == true
        let frame: @Sendable (String) -> String = { events ? Supervisor.serverSentEvent($0) : $0 + "\n" }
        return .deferred {
            (
                200, events ? "text/event-stream" : "text/plain; charset=utf-8",
                { write in
                    for l in lines { if !write(frame(l)) { box.close(); return } }
                    while true {
                        switch box.next(timeout: 5) {
                        case .item(let l): if !write(frame(l)) { box.close(); return }
                        case .closed: return
                        case .timedOut: if events && !write(": idle\n\n") { box.close(); return }
                        }
                    }
                }
            )
        }
    }

    /// One NDJSON line of a streamed answer.
    @Sendable static func ndjson(_ value: any Encodable) -> String {
        ((try? Wire.encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }

    private func notFound(_ name: String) -> HTTPResponse {
        encode(404, ActionResult(ok: false, message: "no profile named \"\(name)\"", code: .profileNotFound))
    }

    /// `value` as `Wire.encoder()` writes it; statuses are written by their own `wireJSON()`, which
    /// gives the same bytes in a fraction of the time.
    private func encode(_ status: Int, _ value: some Encodable) -> HTTPResponse {
        .json(status, (try? Array(Wire.encoder().encode(value))) ?? [])
    }
}
