import AlmanacCore
import Foundation

/// Three-way, field-by-field merge of the two sides of a linked item against their base
/// (ARCHITECTURE.md §5), as a value: which side each projected field comes from. Start and end count as
/// one field, the appointment's time.
public struct FieldMerge: Sendable {
    public enum Source: Sendable, Hashable { case from, to }

    /// Per projected field, the side its merged value comes from.
    public var choice: [EventField: Source] = [:]
    /// Fields both sides changed to different values (resolved by the policy).
    public var conflicts: [EventField] = []
    /// As `choice` and `conflicts`, for the contact fields of a contacts job (no field is owned).
    public var contactChoice: [ContactField: Source] = [:]
    public var contactConflicts: [ContactField] = []
    /// The contact parts both sides store: a merge writes only these into a side's contact.
    public var contactShape = ContactShape.full

    /// Merges `from` and `to` against `base` (nil base: every field counts as changed on both).
    /// - `owned`: fields the `to` side owns (`to_owns`, plus responses): `to` keeps its value.
    /// - One-way jobs restore `from`'s value where only `to` changed, unless the policy is `to-wins`.
    /// Start and end are merged as one value, the appointment's time: a move on one side and a
    /// new end on the other must not give an event that ends before it starts.
    static let span: Set<EventField> = [.start, .end]

    public init(
        base: Event?, from: Event, to: Event, projection: ContentProjection, policy: ConflictPolicy,
        owned: Set<EventField>, twoWay: Bool
    ) {
        for field in projection.fields where choice[field] == nil {
            let unit = Self.span.contains(field) ? projection.fields.filter(Self.span.contains) : [field]
            let f = unit.map { projection.value($0, of: from) }
            let t = unit.map { projection.value($0, of: to) }
            if f == t {
                for u in unit { choice[u] = .to }
                continue
            }
            let b = base.map { e in unit.map { projection.value($0, of: e) } }
            let fromChanged = b == nil || f != b
            let toChanged = b == nil || t != b
            let source: Source
            if unit.contains(where: owned.contains) {
                source = .to
            } else if fromChanged && !toChanged {
                source = .from
            } else if toChanged && !fromChanged {
                source = twoWay || policy == .toWins ? .to : .from
            } else {
                if b != nil {
                    conflicts += unit.filter { projection.value($0, of: from) != projection.value($0, of: to) }
                }
                switch policy {
                case .fromWins: source = .from
                case .toWins: source = .to
                case .newestWins:
                    let fu = from.updated ?? .distantPast
                    let tu = to.updated ?? .distantPast
                    source = tu > fu ? .to : .from
                }
            }
            for u in unit { choice[u] = source }
        }
        contactShape = projection.contactShape
        for field in projection.contactFields {
            let f = projection.contactValue(field, of: from)
            let t = projection.contactValue(field, of: to)
            if f == t {
                contactChoice[field] = .to
                continue
            }
            let b = base.map { projection.contactValue(field, of: $0) }
            let fromChanged = b == nil || f != b
            let toChanged = b == nil || t != b
            if fromChanged && !toChanged {
                contactChoice[field] = .from
            } else if toChanged && !fromChanged {
                contactChoice[field] = twoWay || policy == .toWins ? .to : .from
            } else {
                if b != nil { contactConflicts.append(field) }
                let newer = (to.updated ?? .distantPast) > (from.updated ?? .distantPast)
                let toWins = policy == .toWins || (policy == .newestWins && newer)
                contactChoice[field] = toWins ? .to : .from
            }
        }
    }

    /// `to` with the fields taken from `from` copied in: what the `to` side should hold.
    public func toSide(from: Event, to: Event) -> Event {
        var out = to
        for (field, source) in choice where source == .from { out.copy(field, from: from) }
        for (field, source) in contactChoice where source == .from {
            out.copyContact(field, from: from, shape: contactShape)
        }
        return out
    }

    /// `from` with the fields taken from `to` copied in: what the `from` side should hold.
    public func fromSide(from: Event, to: Event) -> Event {
        var out = from
        for (field, source) in choice where source == .to { out.copy(field, from: to) }
        for (field, source) in contactChoice where source == .to {
            out.copyContact(field, from: to, shape: contactShape)
        }
        return out
    }

    /// What to write to the `from` side: its item as stored (`raw`, before the job derived any
    /// field from it) with only the fields taken from `to` whose value differs from what the job
    /// sees on `from` (`view`). A derived value (a title made by `title_template`) is therefore
    /// written back only when `to` changed that field itself: a time-only edit writes back the
    /// time and leaves every other field as the row holds it.
    public func fromWrite(raw: Event, view: Event, to: Event, projection: ContentProjection) -> Event {
        var out = raw
        for (field, source) in choice
        where source == .to && projection.value(field, of: view) != projection.value(field, of: to) {
            out.copy(field, from: to)
        }
        for (field, source) in contactChoice
        where source == .to && projection.contactValue(field, of: view) != projection.contactValue(field, of: to) {
            out.copyContact(field, from: to, shape: contactShape)
        }
        return out
    }
}
