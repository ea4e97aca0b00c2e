import AlmanacCore
import AlmanacWire
import Foundation
import Glibc

/// The provisioning routes (README "Provisioning API"): templates, creating a profile from one,
/// its schedule, disconnecting and deleting it. Rendering, validating and writing are
/// `Provisioner`'s, the code path `almanac new` takes too. Runs on the control server's thread.
extension Supervisor {
    var provisioner: Provisioner {
        Provisioner(
            profilesDirectory: config.profilesDirectory, templatesDirectory: config.templatesDirectory,
            stateDirectory: config.stateDirectory, loader: loader)
    }

    /// Answers a provisioning route; nil when `parts` (`v1/…`) names none.
    func provisioningRoute(_ r: HTTPRequest, _ parts: [String]) -> HTTPResponse? {
        guard parts.count >= 2, parts[0] == "v1" else { return nil }
        switch (r.method, parts.count, parts[1]) {
        case ("GET", 2, "templates"): return templateList()
        case ("GET", 3, "templates"): return templateInfo(parts[2])
        case ("POST", 2, "profiles"): return createProfile(r)
        case ("PUT", 4, "profiles") where parts[3] == "schedule":
            return otherShard(parts[2]) ?? putSchedule(parts[2], r)
        case ("POST", 4, "profiles") where parts[3] == "disconnect":
            return otherShard(parts[2]) ?? disconnect(parts[2], r)
        case ("DELETE", 3, "profiles"): return otherShard(parts[2]) ?? deleteProfile(parts[2], r)
        default: return nil
        }
    }

    private func templateList() -> HTTPResponse {
        var infos: [TemplateInfo] = []
        var problems: [ProblemResult.Problem] = []
        for entry in provisioner.templates() {
            switch entry {
            case .success(let t): infos.append(Self.info(t))
            case .failure(let e): problems += e.issues.map(Self.problem)
            }
        }
        return provisionJSON(200, TemplateList(templates: infos, problems: problems))
    }

    private func templateInfo(_ name: String) -> HTTPResponse {
        do {
            return provisionJSON(200, Self.info(try provisioner.template(name)))
        } catch {
            return failure(error)
        }
    }

    private func createProfile(_ r: HTTPRequest) -> HTTPResponse {
        let request: ProvisionRequest
        do throws(JSONValue.BodyError) {
            let body = try JSONValue.object(
                r.body, allowed: ["name", "template", "values", "secrets", "schedule", "enabled"])
            guard case .string(let name)? = body["name"] else { throw JSONValue.BodyError(Self.need("name", body)) }
            guard case .string(let template)? = body["template"] else {
                throw JSONValue.BodyError(Self.need("template", body))
            }
            var req = ProvisionRequest(name: name, template: template)
            if let values = body["values"] {
                guard case .object(let o) = values else { throw JSONValue.BodyError("values: expected an object") }
                for (k, v) in o {
                    switch v {
                    case .string(let s): req.values[k] = .string(s)
                    case .integer(let i): req.values[k] = .integer(i)
                    case .bool(let b): req.values[k] = .bool(b)
                    default:
                        throw JSONValue.BodyError(
                            "values.\(JSONValue.quoted(k)): expected a string, an integer or a boolean, got \(v.typeName)"
                        )
                    }
                }
            }
            if let secrets = body["secrets"] {
                guard case .object(let o) = secrets else { throw JSONValue.BodyError("secrets: expected an object") }
                for (k, v) in o {
                    guard case .string(let s) = v else {
                        throw JSONValue.BodyError(
                            "secrets.\(JSONValue.quoted(k)): expected a string, got \(v.typeName)")
                    }
                    req.secrets[k] = Array(s.utf8)
                }
            }
            if let schedule = body["schedule"] {
                guard case .object(let o) = schedule else { throw JSONValue.BodyError("schedule: expected an object") }
                req.schedule = try Self.schedule(o, prefix: "schedule.")
            }
            if let enabled = body["enabled"] {
                guard case .bool(let b) = enabled else {
                    throw JSONValue.BodyError("enabled: expected a boolean, got \(enabled.typeName)")
                }
                req.enabled = b
            }
            request = req
        } catch {
            return badRequest(error.description)
        }
        if let refused = otherShard(request.name) { return refused }
        do {
            _ = try provisioner.create(request)
        } catch {
            return failure(error)
        }
        return lock.withLock {
            scan()
            wakeLoop()
            guard let slot = slots[request.name] else {
                return provisionJSON(201, ActionResult(ok: true, message: "created"))
            }
            record(slot, "info", "created from template \(request.template)")
            return provisionJSON(201, slot.status(now: monotonicSeconds()))
        }
    }

    private func putSchedule(_ name: String, _ r: HTTPRequest) -> HTTPResponse {
        let spec: ScheduleSpec
        do {
            spec = try Self.schedule(
                try JSONValue.object(r.body, allowed: ["every", "at", "manual", "jitter"]), prefix: "")
            try provisioner.setSchedule(name, spec)
        } catch let e as JSONValue.BodyError {
            return badRequest(e.description)
        } catch let e as ProvisionError {
            return failure(e)
        } catch {
            return badRequest("\(error)")
        }
        return lock.withLock {
            scan()
            wakeLoop()
            guard let slot = slots[name] else {
                return provisionJSON(200, ActionResult(ok: true, message: "schedule changed"))
            }
            record(slot, "info", "schedule changed through the API")
            return provisionJSON(200, slot.status(now: monotonicSeconds()))
        }
    }

    /// `{"every":"15m"}`, `{"at":"06:30"}` or `{"at":["06:30","18:00"]}`, `{"manual":true}`; `jitter` optional.
    static func schedule(_ o: [String: JSONValue], prefix: String) throws(JSONValue.BodyError) -> ScheduleSpec {
        for key in o.keys.sorted() where !["every", "at", "manual", "jitter"].contains(key) {
            throw JSONValue.BodyError(
                "unknown field \(prefix)\(JSONValue.quoted(key)); known: at, every, jitter, manual")
        }
        var jitter: String?
        if let j = o["jitter"] {
            guard case .string(let s) = j else {
                throw JSONValue.BodyError("\(prefix)jitter: expected a string like \"5m\"")
            }
            jitter = s
        }
        let given = ["every", "at", "manual"].filter { o[$0] != nil }
        guard given.count == 1 else {
            throw JSONValue.BodyError(
                "\(prefix.isEmpty ? "the schedule" : String(prefix.dropLast())): give exactly one of every, at and manual"
            )
        }
        switch given[0] {
        case "every":
            guard case .string(let s)? = o["every"] else {
                throw JSONValue.BodyError("\(prefix)every: expected a duration string like \"15m\", \"1h\" or \"1d\"")
            }
            return ScheduleSpec(trigger: .every(s), jitter: jitter)
        case "at":
            switch o["at"]! {
            case .string(let s): return ScheduleSpec(trigger: .at([s]), jitter: jitter)
            case .array(let a):
                var times: [String] = []
                for v in a {
                    guard case .string(let s) = v else {
                        throw JSONValue.BodyError("\(prefix)at: expected times like \"06:30\"")
                    }
                    times.append(s)
                }
                return ScheduleSpec(trigger: .at(times), jitter: jitter)
            default: throw JSONValue.BodyError("\(prefix)at: expected a time like \"06:30\" or an array of them")
            }
        default:
            guard case .bool(true)? = o["manual"] else { throw JSONValue.BodyError("\(prefix)manual: expected true") }
            return ScheduleSpec(trigger: .manual, jitter: jitter)
        }
    }

    private func disconnect(_ name: String, _ r: HTTPRequest) -> HTTPResponse {
        do {
            _ = try JSONValue.object(r.body, allowed: [])
        } catch {
            return badRequest(error.description)
        }
        let found: Bool = lock.withLock {
            guard let slot = slots[name] else { return false }
            _ = lifecycle(slot, "disable")
            record(slot, "info", "disconnect requested: deleting its stored tokens and provisioned secrets")
            wakeLoop()
            return true
        }
        guard found else { return profileNotFound(name) }
        let wait = config.stopTimeout + 5
        return .deferred { [self] in
            let stopped = waitFor(seconds: wait) { slots[name]?.process == nil }
            let tokens = provisioner.removeTokens(name)
            let secrets = provisioner.removeSecrets(name)
            let body = ActionResult(
                ok: stopped,
                message:
                    "\(name) disconnected: \(stopped ? "stopped and disabled" : "disabled (its worker is still stopping)"); "
                    + "\(tokens.count) stored token\(tokens.count == 1 ? "" : "s")\(secrets ? " and its provisioned secrets" : "") deleted; "
                    + "its sync state is kept")
            return (200, "application/json", { write in _ = write(Supervisor.ndjson(body)) })
        }
    }

    private func deleteProfile(_ name: String, _ r: HTTPRequest) -> HTTPResponse {
        for key in r.query.keys.sorted() where key != "purge" {
            return badRequest("unknown query parameter \(JSONValue.quoted(key)); known: purge")
        }
        if let purge = r.query["purge"], purge != "state" {
            return badRequest("purge takes state, got \(JSONValue.quoted(purge))")
        }
        guard r.body.isEmpty else { return badRequest("DELETE takes no body") }
        let purge = r.query["purge"] == "state"
        do {
            try provisioner.remove(name)
        } catch {
            return failure(error)
        }
        lock.withLock {
            scan()
            wakeLoop()
        }
        let wait = config.stopTimeout + 5
        return .deferred { [self] in
            let gone = waitFor(seconds: wait) { slots[name] == nil }
            provisioner.removeTokens(name)
            unlink(markerPath(name))
            if purge && gone { provisioner.purgeState(name) }
            let body = ActionResult(
                ok: true,
                message: "\(name) removed"
                    + (purge
                        ? (gone ? "; its state deleted" : "; its worker is still stopping: state kept")
                        : "; its state is kept"))
            return (200, "application/json", { write in _ = write(Supervisor.ndjson(body)) })
        }
    }

    /// Polls `condition` under the lock every 50 ms until it holds or `seconds` pass.
    private func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = monotonicSeconds() + seconds
        while true {
            if lock.withLock(condition) { return true }
            if monotonicSeconds() > end { return false }
            usleep(50_000)
        }
    }

    private func failure(_ e: ProvisionError) -> HTTPResponse {
        switch e.kind {
        case .badRequest: return provisionJSON(400, ActionResult(ok: false, message: e.message, code: e.code))
        case .notFound: return provisionJSON(404, ActionResult(ok: false, message: e.message, code: e.code))
        case .exists, .notManaged: return provisionJSON(409, ActionResult(ok: false, message: e.message, code: e.code))
        case .invalid:
            return provisionJSON(
                422, ProblemResult(message: e.message, code: e.code, problems: e.problems.map(Self.problem)))
        case .failed: return provisionJSON(500, ActionResult(ok: false, message: e.message, code: e.code))
        }
    }

    /// 409 `profile.other_shard` when this daemon runs one shard (`--shard K/N`) and `name` falls
    /// on another: that shard's daemon writes its file, secrets and state, and runs it.
    private func otherShard(_ name: String) -> HTTPResponse? {
        guard let shard = config.shard, ProfileFile.isValidName(name), !shard.owns(name) else { return nil }
        let owner = Shard.of(name, count: shard.count)
        return provisionJSON(
            409,
            ActionResult(
                ok: false,
                message: "profile \"\(name)\" falls on shard \(owner)/\(shard.count), not on this daemon's "
                    + "\(shard): send the request to the daemon of shard \(owner)",
                code: .profileOtherShard))
    }

    private func badRequest(_ message: String) -> HTTPResponse {
        provisionJSON(400, ActionResult(ok: false, message: message, code: .apiBadRequest))
    }

    func profileNotFound(_ name: String) -> HTTPResponse {
        provisionJSON(404, ActionResult(ok: false, message: "no profile named \"\(name)\"", code: .profileNotFound))
    }

    private func provisionJSON(_ status: Int, _ value: some Encodable) -> HTTPResponse {
        .json(status, (try? Array(Wire.encoder().encode(value))) ?? [])
    }

    private static func need(_ key: String, _ body: [String: JSONValue]) -> String {
        body[key].map { "\(key): expected a string, got \($0.typeName)" } ?? "\(key): missing (a string)"
    }

    static func problem(_ issue: ConfigIssue) -> ProblemResult.Problem {
        ProblemResult.Problem(code: issue.code, message: issue.message, key: issue.path)
    }

    static func info(_ t: ProfileTemplate) -> TemplateInfo {
        TemplateInfo(
            name: t.name, description: t.description,
            parameters: t.parameters.map { p in
                let d: WireScalar? =
                    switch p.defaultValue {
                    case .string(let s)?: .string(s)
                    case .integer(let i)?: .integer(i)
                    case .bool(let b)?: .bool(b)
                    default: nil
                    }
                return TemplateInfo.Parameter(
                    name: p.name, description: p.description, type: p.kind.rawValue, required: p.required,
                    secret: p.secret, default: d, pattern: p.pattern)
            })
    }
}
