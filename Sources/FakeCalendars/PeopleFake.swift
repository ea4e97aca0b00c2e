import Foundation

/// A Google People API v1-compatible server for contacts, served on the Google fake's port (the
/// same OAuth tokens): `people.connections.list` (page tokens, sync tokens that expire), `people.get`,
/// `createContact`, `updateContact` (etag required, stale → 400 FAILED_PRECONDITION),
/// `deleteContact`, `getBatchGet`, `batchCreateContacts`/`batchUpdateContacts` (≤ 200), `batchDeleteContacts`
/// (≤ 500), contact groups with `members:modify`, a per-minute quota answered with 429 and
/// `Retry-After`. Errors use the People API's envelope `{"error": {"code", "message", "status"}}`.
/// Checked with Google's own client: `contrib/conformance/people_checks.py`.
public final class PeopleFake: @unchecked Sendable {
    // @unchecked: `store`, `snapshots`, the quota windows and the settings are guarded by `lock`.
    let lock = NSLock()
    var store = PeopleStore()
    var snapshots: [String: PeopleSnapshot] = [:]
    var snapshotCounter = 0
    var readTimes: [Date] = []
    var writeTimes: [Date] = []
    var quotaSettings = PeopleQuota()
    var tokenLifetime: TimeInterval = 7 * 86_400
    var propagationDelay: TimeInterval = 0
    var defaultRegion = "US"
    public let auth: FakeAuth
    /// Largest page served, whatever `pageSize` asks.
    public var pageCap = 1_000

    /// A People fake accepting the access tokens of `auth` (the Google fake's).
    public init(auth: FakeAuth) { self.auth = auth }

    // MARK: - Settings

    /// Requests allowed per window (0 = unlimited), reads (GET) and writes counted apart, as the
    /// People API's per-minute-per-user quotas are.
    public var quota: PeopleQuota {
        get { lock.withLock { quotaSettings } }
        set {
            lock.withLock {
                quotaSettings = newValue
                readTimes.removeAll()
                writeTimes.removeAll()
            }
        }
    }

    /// How long a sync token lives, counted from the full sync its chain started with (7 days).
    public var syncTokenLifetime: TimeInterval {
        get { lock.withLock { tokenLifetime } }
        set { lock.withLock { tokenLifetime = newValue } }
    }

    /// How long a change takes to reach sync deltas ("writes may have a propagation delay of
    /// several minutes for sync requests"); 0, the default: at once. Full listings see changes at once.
    public var syncDelay: TimeInterval {
        get { lock.withLock { propagationDelay } }
        set { lock.withLock { propagationDelay = newValue } }
    }

    /// The account's region: phone numbers' `canonicalForm` is computed with it.
    public var region: String {
        get { lock.withLock { defaultRegion } }
        set { lock.withLock { defaultRegion = newValue } }
    }

    /// Makes every sync token issued so far expired.
    public func expireSyncTokens() { lock.withLock { store.epoch += 1 } }

    // MARK: - Test helpers (what the Contacts UI's user does)

    /// The live contacts (or every one, tombstones too), rendered with every field.
    public func contacts(includeDeleted: Bool = false) -> [[String: Any]] {
        lock.withLock {
            store.people.values.filter { includeDeleted || !$0.deleted }.sorted { $0.seq < $1.seq }
                .map { PeoplePerson.render($0, mask: nil, region: defaultRegion) }
        }
    }

    /// A contact by resource name (`people/c…`), nil when unknown or deleted.
    public func contact(_ resourceName: String) -> [String: Any]? {
        lock.withLock {
            store.people[PeopleFake.personID(resourceName)].flatMap {
                $0.deleted ? nil : PeoplePerson.render($0, mask: nil, region: defaultRegion)
            }
        }
    }

    /// Stores a contact as if the user made it in Google Contacts; `groups` are names of user
    /// groups, created when missing. Returns the resource name, or throws the reason the fields
    /// were refused.
    @discardableResult
    public func seed(_ person: [String: Any], groups: [String] = []) throws -> String {
        let fields = try PeoplePerson.fields(from: person).get()
        return lock.withLock {
            let id = store.create(fields)
            for name in groups { store.setMembership(id, group: groupID(named: name), member: true) }
            return "people/\(id)"
        }
    }

    /// Replaces fields of a contact as the user would (bumps its etag and sync position).
    public func edit(_ resourceName: String, _ person: [String: Any]) throws {
        let fields = try PeoplePerson.fields(from: person, only: Array(person.keys)).get()
        lock.withLock { store.update(PeopleFake.personID(resourceName), fields: fields, mask: Array(person.keys)) }
    }

    /// Deletes a contact as the user would (a tombstone for sync deltas).
    public func userDelete(_ resourceName: String) { lock.withLock { store.delete(PeopleFake.personID(resourceName)) } }

    /// Adds a contact to the user group named `group` (made when missing), or takes it out.
    public func setMembership(_ resourceName: String, group: String, member: Bool) {
        lock.withLock {
            store.setMembership(PeopleFake.personID(resourceName), group: groupID(named: group), member: member)
        }
    }

    /// The live user groups: name → resource name.
    public func groups() -> [String: String] {
        lock.withLock {
            Dictionary(
                store.groups.values.filter { !$0.system && !$0.deleted }.map { ($0.name, $0.resourceName) },
                uniquingKeysWith: { a, _ in a })
        }
    }

    /// The id of the live user group `name`, made when missing (caller holds the lock).
    func groupID(named name: String) -> String {
        if let g = store.groups.values.first(where: { !$0.system && !$0.deleted && $0.name == name }) { return g.id }
        let id = store.newGroupID()
        store.groups[id] = GroupRecord(
            id: id, name: name, system: false, clientData: [], seq: store.seq, deleted: false,
            updateTime: ISOTime.string(from: Date()))
        return id
    }

    static func personID(_ resourceName: String) -> String {
        resourceName.hasPrefix("people/") ? String(resourceName.dropFirst(7)) : resourceName
    }

    // MARK: - Routing

    /// Whether `path` is a People API call.
    static func serves(_ path: String) -> Bool {
        path.hasPrefix("/v1/people") || path.hasPrefix("/v1/contactGroups")
    }

    /// Answers one People API request (faults are applied by `FakeServer` around this).
    func handle(_ r: FakeRequest) -> FakeResponse {
        guard auth.isValid(accessToken: r.bearer) else {
            return PeopleFake.error(
                401, "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                    + "other valid authentication credential.")
        }
        if let refused = lock.withLock({ spendQuota(write: r.method != "GET") }) { return refused }
        return route(r)
    }

    func route(_ r: FakeRequest) -> FakeResponse {
        let path = FakeRequest.decode(String(r.path.dropFirst(4)))
        switch (r.method, path) {
        case ("GET", "people/me/connections"): return listConnections(r)
        case ("GET", "people:batchGet"): return batchGet(r)
        case ("POST", "people:createContact"): return createContact(r)
        case ("POST", "people:batchCreateContacts"): return batchCreate(r)
        case ("POST", "people:batchUpdateContacts"): return batchUpdate(r)
        case ("POST", "people:batchDeleteContacts"): return batchDelete(r)
        case ("GET", "contactGroups"): return listGroups(r)
        case ("POST", "contactGroups"): return createGroup(r)
        case ("GET", "contactGroups:batchGet"): return batchGetGroups(r)
        default: break
        }
        if path.hasPrefix("contactGroups/") {
            let rest = String(path.dropFirst("contactGroups/".count))
            if r.method == "POST", rest.hasSuffix("/members:modify") {
                return modifyMembers(r, id: String(rest.dropLast("/members:modify".count)))
            }
            guard !rest.contains("/") else { return PeopleFake.notFound() }
            switch r.method {
            case "GET": return getGroup(r, id: rest)
            case "PUT": return updateGroup(r, id: rest)
            case "DELETE": return deleteGroup(r, id: rest)
            default: return PeopleFake.notFound()
            }
        }
        if path.hasPrefix("people/") {
            let rest = String(path.dropFirst("people/".count))
            switch r.method {
            case "PATCH" where rest.hasSuffix(":updateContact"):
                return updateContact(r, id: String(rest.dropLast(":updateContact".count)))
            case "DELETE" where rest.hasSuffix(":deleteContact"):
                return deleteContact(id: String(rest.dropLast(":deleteContact".count)))
            case "GET" where !rest.contains("/") && !rest.contains(":"):
                return getPerson(r, id: rest)
            default: break
            }
        }
        return PeopleFake.notFound()
    }

    // MARK: - Quota

    /// Counts a request against its window; the 429 to answer when the window is full (caller
    /// holds the lock).
    func spendQuota(write: Bool) -> FakeResponse? {
        let limit = write ? quotaSettings.writesPerWindow : quotaSettings.readsPerWindow
        guard limit > 0 else { return nil }
        let now = Date()
        let window = quotaSettings.window
        var times = write ? writeTimes : readTimes
        times.removeAll { now.timeIntervalSince($0) >= window }
        defer { if write { writeTimes = times } else { readTimes = times } }
        guard times.count >= limit else {
            times.append(now)
            return nil
        }
        let wait = max(1, Int((times[0].addingTimeInterval(window).timeIntervalSince(now)).rounded(.up)))
        let metric = write ? "Critical write requests" : "Critical read requests (Contact and Profile Reads)"
        var response = PeopleFake.error(
            429, "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric '\(metric)' and limit '\(metric) per minute per user' of service "
                + "'people.googleapis.com'.",
            reason: "RATE_LIMIT_EXCEEDED", domain: "googleapis.com")
        response.headers.append(("Retry-After", "\(wait)"))
        return response
    }

    // MARK: - Errors

    /// The People API's error envelope; `reason` adds a `google.rpc.ErrorInfo` detail.
    static func error(
        _ code: Int, _ status: String, _ message: String, reason: String? = nil,
        domain: String = "people.googleapis.com"
    ) -> FakeResponse {
        var error: [String: Any] = ["code": code, "message": message, "status": status]
        if let reason {
            error["details"] = [
                ["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": domain]
            ]
        }
        return .json(code, ["error": error])
    }

    /// The answer of an injected HTTP-status fault, in the People API's words (rate limits are 429).
    static func fault(_ kind: FaultKind) -> FakeResponse {
        switch kind {
        case .tooManyRequests, .rateLimited:
            return error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
        case .internalError: return error(500, "INTERNAL", "Internal error encountered.")
        default: return error(503, "UNAVAILABLE", "The service is currently unavailable.")
        }
    }

    static func invalid(_ message: String) -> FakeResponse { error(400, "INVALID_ARGUMENT", message) }

    static func notFound() -> FakeResponse { error(404, "NOT_FOUND", "Requested entity was not found.") }

    /// A field mask's error as the People API words it (`personFields`, `updatePersonFields`, …).
    static func maskError(_ e: PeoplePerson.MaskError, name: String, method: String) -> FakeResponse {
        let doc = "Valid paths are documented at https://developers.google.com/people/api/rest/v1/\(method)."
        switch e {
        case .missing: return invalid("\(name) mask is required. Please specify one or more valid paths. \(doc)")
        case .invalid(let p): return invalid("Invalid \(name) mask path: \"\(p)\". \(doc)")
        }
    }
}

/// The People fake's per-window quota: requests allowed per window, reads and writes apart.
public struct PeopleQuota: Sendable, Hashable {
    public var readsPerWindow: Int
    public var writesPerWindow: Int
    /// Seconds (60: per minute, as the People API counts).
    public var window: TimeInterval

    public init(readsPerWindow: Int = 0, writesPerWindow: Int = 0, window: TimeInterval = 60) {
        self.readsPerWindow = readsPerWindow
        self.writesPerWindow = writesPerWindow
        self.window = window
    }
}
