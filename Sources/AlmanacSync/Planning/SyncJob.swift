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
    /// Items per write batch (and per state transaction); every item of a run when a side
    /// rewrites its whole store per write (`Connector.writesWholeStore`).
    public var batchSize: Int

    /// - Throws: `config.invalid_value` when the title template does not parse.
    public init(
        profile: String, config: JobConfig, timeZone: TimeZone, from: any Connector, to: any Connector,
        batchSize: Int = 500
    ) throws {
        self.profile = profile
        self.config = config
        self.timeZone = timeZone
        self.fromCapabilities = from.capabilities
        self.toCapabilities = to.capabilities
        self.projection = ContentProjection(
            between: from, and: to, phonePriority: config.phonePriority, zone: timeZone)
        self.titleTemplate = try config.titleTemplate.map(TitleTemplate.init)
        self.batchSize = from.writesWholeStore || to.writesWholeStore ? Int.max : max(1, batchSize)
    }

    var twoWay: Bool { config.direction == .twoWay }
    /// Fields the `to` side keeps: `to_owns`, and participants' responses (they are answers
    /// given on the calendar, which write-back carries home).
    var owned: Set<EventField> { config.toOwns.union([.responses]) }
    /// Whether confirmations and cancellations go back to `from` (ARCHITECTURE.md §5): the state then keeps
    /// the first participant's response on `to`, whether or not the projection has responses.
    var tracksResponses: Bool { twoWay && fromCapabilities.contains(.writeBack) }

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

    /// Whether `fromView(event)` fills the title in (the job has a title template and the title
    /// is empty); else it is `event` as it is.
    func fillsTitle(_ event: Event) -> Bool { titleTemplate != nil && (event.title ?? "").isEmpty }

    /// The `from` item as the job sees it: the title template filled in where the title is empty.
    func fromView(_ event: Event) -> Event {
        guard let titleTemplate, (event.title ?? "").isEmpty else { return event }
        var e = event
        e.title = titleTemplate.render(Self.templateFields(event))
        return e
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

    /// Whether a `from` item is out of the job's scope (cancelled, or tentative when not included).
    func excluded(_ event: Event) -> String? {
        if event.status == .cancelled { return "cancelled in from" }
        if event.status == .tentative && !config.includeTentative { return "tentative (include_tentative = false)" }
        return nil
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
