import AlmanacCore
import Foundation

/// A job as the engine sees it: the profile's settings for it plus what both connectors can do.
public struct SyncJob: Sendable {
    public var profile: String
    public var config: JobConfig
    public var timeZone: TimeZone
    public var fromCapabilities: ConnectorCapabilities
    public var toCapabilities: ConnectorCapabilities
    /// The fields both sides represent.
    public var projection: ContentProjection
    public var titleTemplate: TitleTemplate?
    /// `privacy`, `include`, `exclude` of the `from` → `to` direction.
    var outbound: OutboundPolicy
    /// Items per write batch (and per state transaction); every item of a run when a side
    /// rewrites its whole store per write (`Connector.writesWholeStore`).
    public var batchSize: Int
    /// The profile's `default_region`: contacts' phones are compared in E.164 with it on a first link.
    public var defaultRegion: String?

    /// - Throws: `config.invalid_value` when the title template or `redacted_title` does not parse.
    public init(
        profile: String, config: JobConfig, timeZone: TimeZone, from: any Connector, to: any Connector,
        batchSize: Int = 500, defaultRegion: String? = nil
    ) throws {
        self.profile = profile
        self.config = config
        self.timeZone = timeZone
        self.fromCapabilities = from.capabilities
        self.toCapabilities = to.capabilities
        self.projection = ContentProjection(
            between: from, and: to, phonePriority: config.phonePriority, zone: timeZone, kind: config.kind)
        self.titleTemplate = try config.titleTemplate.map(TitleTemplate.init)
        self.outbound = try OutboundPolicy(config.outbound, phonePriority: config.phonePriority)
        self.batchSize = from.writesWholeStore || to.writesWholeStore ? Int.max : max(1, batchSize)
        self.defaultRegion = defaultRegion
        try Self.checkGroups(config, from: from, to: to)
    }

    var twoWay: Bool { config.direction == .twoWay }
    /// Whether `from` is listed in full on every run, never as a delta: with `privacy` or
    /// filters, `to` holds (and the state's base is) less than the row, so a write-back must start
    /// from the row as read, and a change of the settings reaches every item on the next run
    /// (the engine keeps no cursor of `from` meanwhile, so the run after they are removed lists it
    /// in full too).
    var readsFromInFull: Bool { !config.outbound.isFull || !config.groups.isEmpty }
    /// Fields the `to` side keeps: `to_owns`, and participants' responses (they are answers
    /// given on the calendar, which write-back carries home).
    var owned: Set<EventField> { config.toOwns.union([.responses]) }
    /// Whether confirmations and cancellations go back to `from` (ARCHITECTURE.md §5): the state then keeps
    /// the first participant's response on `to`, whether or not the projection has responses.
    var tracksResponses: Bool { twoWay && writesBackResponses }
    /// Whether answers given on `to` are written back to `from` (`.writeBack`): never for contacts.
    var writesBackResponses: Bool { !contacts && fromCapabilities.contains(.writeBack) }

    /// What the state keeps as `responseTo` for the `to` event `e`: its first participant's
    /// response (empty without participants), or nil when the job does not track responses.
    func responseSignal(_ e: Event) -> String? {
        guard tracksResponses else { return nil }
        return e.participants.first?.response.rawValue ?? ""
    }

    func id(_ direction: ConnectorContext.Side, sourceKey: String, generation: Int) -> String {
        DeterministicID.make(
            profile: profile, job: config.name, direction: direction, sourceKey: sourceKey,
            generation: generation)
    }

    /// Whether `fromView(event)` changes `event` (the job has a title template and the title
    /// is empty, or a `privacy` other than full); else it is `event` as it is.
    func fillsTitle(_ event: Event) -> Bool {
        outbound.strips || (titleTemplate != nil && (event.title ?? "").isEmpty)
    }

    /// The `from` item as mapped: the title template filled in where the title is empty.
    func mapped(_ event: Event) -> Event {
        guard let titleTemplate, (event.title ?? "").isEmpty else { return event }
        var e = event
        e.title = titleTemplate.render(Self.templateFields(event))
        return e
    }

    /// The `from` item as the job sees it, hashes it and writes it to `to`: mapped, then stripped
    /// to what `privacy` lets leave (`OutboundPolicy.apply`, the one place that does).
    func fromView(_ event: Event) -> Event {
        outbound.strips ? outbound.apply(mapped(event)) : mapped(event)
    }

    /// The fields of `fromView(raw)` the job computed rather than read from `raw` (the title,
    /// when `title_template` fills it in). Kept in the state, so that a base standing in for a
    /// `from` item not read this run is not mistaken for stored values.
    func derived(_ raw: Event) -> Set<EventField> {
        titleTemplate != nil && (raw.title ?? "").isEmpty ? [.title] : []
    }

    /// Clears the derived `fields` of `event`: the `from` item as stored.
    static func clear(_ fields: Set<EventField>, of event: inout Event) {
        if fields.contains(.title) { event.title = nil }
    }

    /// Whether a `from` item, as read (`raw`), is out of the job's scope: cancelled, tentative
    /// when not included, or filtered out by `include`/`exclude` (`filteredOut`).
    func excluded(_ raw: Event) -> String? {
        if raw.status == .cancelled { return "cancelled in from" }
        if raw.status == .tentative && !config.includeTentative { return "tentative (include_tentative = false)" }
        return filteredOut(raw)
    }

    /// Why `include`/`exclude` keep the `from` item `raw` (evaluated on the mapped item) from
    /// `to`, or nil.
    func filteredOut(_ raw: Event) -> String? {
        if contacts { return outOfGroups(raw) }
        return outbound.policy.include.isEmpty && outbound.policy.exclude.isEmpty
            ? nil : outbound.filteredOut(mapped(raw))
    }

    /// Template variables: `title`, `description`, `location`, `participant_N_name|email|phone`,
    /// and each custom field by its name.
    static func templateFields(_ e: Event) -> [String: String] {
        var out = e.custom
        out["title"] = e.title
        out["description"] = e.description
        out["location"] = e.location
        for (i, p) in e.participants.enumerated() {
            out["participant_\(i)_name"] = p.name
            out["participant_\(i)_email"] = p.email
            out["participant_\(i)_phone"] = p.phone()
        }
        return out
    }

    /// Why an item cannot be synced (end before start…), or nil.
    func problem(_ e: Event) -> String? {
        switch (e.start, e.end) {
        case (.instant(let s, _), .instant(let t, _)?) where t < s:
            return "end \(t.formatted(.iso8601)) is before start \(s.formatted(.iso8601))"
        case (.allDay(let s), .allDay(let t)?) where t < s:
            return "end date \(t) is before start date \(s)"
        default:
            return nil
        }
    }
}

extension SyncJob {
    /// Plans a run from two reads and the state, without I/O (benchmarks, tools).
    public func plan(states: [ItemState], from: SideRead, to: SideRead) -> Plan {
        Planner(job: self).plan(states: states, from: from, to: to)
    }
}
