import AlmanacWire

/// The optional query of `GET /v1/profiles` that the web console pages the fleet with: `q` (part
/// of the name, any case), `state` (a state, several separated by commas, or `failing`), `offset`
/// (from 0) and `limit` (1 to `maxLimit`, default `defaultLimit`). With any of them the answer
/// is one page of the matching profiles, failing ones first (then by name), with `total`,
/// `failing`, `offset` and `limit`; without any, it is every profile by name, as it always was.
struct FleetQuery: Sendable, Hashable {
    static let defaultLimit = 100
    static let maxLimit = 1_000
    static let parameters: Set<String> = ["q", "state", "offset", "limit"]

    var text: String?
    /// Nil: every state. `failing` stands for every failing profile (`isFailing`).
    var states: Set<String>?
    var offset: Int
    var limit: Int

    /// What a query asks for.
    enum Parsed: Sendable, Hashable {
        /// No paging parameter: the full list by name.
        case everything
        case page(FleetQuery)
        /// A bad value, with the message to answer 400 with.
        case invalid(String)

        var query: FleetQuery? { if case .page(let q) = self { q } else { nil } }
    }

    static func parse(_ query: [String: String]) -> Parsed {
        guard query.keys.contains(where: parameters.contains) else { return .everything }
        var q = FleetQuery(text: nil, states: nil, offset: 0, limit: defaultLimit)
        if let text = query["q"], !text.isEmpty { q.text = text.lowercased() }
        if let text = query["state"], !text.isEmpty {
            let names = Set(text.split(separator: ",").map(String.init))
            let known = Set(WorkerState.allCases.map(\.rawValue)).union(["failing"])
            if let bad = names.subtracting(known).sorted().first {
                let list = (WorkerState.allCases.map(\.rawValue) + ["failing"]).joined(separator: ", ")
                return .invalid("state takes one or more of \(list) (separated by commas), got \"\(bad.prefix(40))\"")
            }
            q.states = names
        }
        if let text = query["offset"] {
            guard let n = Int(text), n >= 0 else { return .invalid("offset must be a whole number from 0") }
            q.offset = n
        }
        if let text = query["limit"] {
            guard let n = Int(text), (1...maxLimit).contains(n) else {
                return .invalid("limit must be a whole number from 1 to \(maxLimit)")
            }
            q.limit = n
        }
        return .page(q)
    }

    /// A profile that needs someone: a job's latest run failed or was blocked (or a connection
    /// fails), or the worker cannot run (`fatal`, `invalid`, `backoff`), or the file on disk is
    /// invalid.
    static func isFailing(_ s: ProfileStatus) -> Bool {
        s.health == "failing" || s.state == "fatal" || s.state == "invalid" || s.state == "backoff"
            || s.configError != nil
    }

    func matches(_ s: ProfileStatus) -> Bool {
        if let text, !s.name.lowercased().contains(text) { return false }
        guard let states else { return true }
        return states.contains(s.state) || (states.contains("failing") && Self.isFailing(s))
    }

    /// The page of `all` this query asks for, failing profiles first, then by name.
    func page(_ all: [ProfileStatus]) -> StatusList {
        let matching = all.filter(matches).map { (failing: Self.isFailing($0), status: $0) }
            .sorted { $0.failing != $1.failing ? $0.failing : $0.status.name < $1.status.name }
        var list = StatusList(profiles: matching.dropFirst(offset).prefix(limit).map(\.status))
        list.total = matching.count
        list.failing = matching.prefix { $0.failing }.count
        list.offset = offset
        list.limit = limit
        return list
    }
}
