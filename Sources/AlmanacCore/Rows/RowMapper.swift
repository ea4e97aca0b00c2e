import Foundation

/// Maps a source row (column name → value) to a `SourceItem` by the standard field names of
/// DESIGN §3, shared by the SQL, CSV and XML connectors.
///
/// - `external_id` (required), `title`, `content`, `location`, `start_time` (required),
///   `end_time`, `all_day`, `status`, `created`, `updated`, and for N = 0…9
///   `participant_N_name`, `participant_N_email`, `participant_N_phone`,
///   `participant_N_phone_mobile|home|work`, `participant_N_response`.
/// - Every other column becomes `event.custom[column]` (as text; nulls are left out).
/// - Column names match case-insensitively.
/// - Times: typed values as they are; text as ISO 8601 (`2024-03-10`, `2024-03-10 14:30[:00]`,
///   `2024-03-10T14:30:00-05:00`, `…Z`) or by a per-column pattern (`formats`). Naive times are
///   in `timeZone` (gaps and overlaps per `NaiveDateTime.resolve(in:)`).
/// - A date-only `start_time`, or `all_day` true, makes an all-day event: its end is the
///   `end_time` date, exclusive; an end on the start day, or none, means a one-day event.
/// - `status` accepts confirmed/tentative/cancelled (and "canceled"); empty means confirmed.
/// - The item's version is a 64-bit FNV-1a hash of the row's values, so any change in the
///   row is a new version.
public struct RowMapper: Sendable {
    public var timeZone: TimeZone
    /// Column (lowercased) → date pattern (`DateFormatter` syntax, e.g. `dd/MM/yyyy HH:mm`).
    public var formats: [String: String]

    public init(timeZone: TimeZone, formats: [String: String] = [:]) {
        self.timeZone = timeZone
        self.formats = Dictionary(formats.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Maps one row. `locator` names the row for problems when it has no key (`row 17`, `line 42`).
    public func map(_ row: [(String, FieldValue)], locator: String) -> Result<SourceItem, ItemProblem> {
        var fields: [String: FieldValue] = [:]
        var custom: [String: String] = [:]
        var hasher = FNV1a()
        for (column, value) in row {
            let name = column.lowercased()
            hasher.add(name)
            hasher.add(value.text ?? "\u{0}")
            if StandardField.isStandard(name) { fields[name] = value } else if let text = value.text {
                custom[column] = text
            }
        }
        guard let keyValue = fields["external_id"], let key = keyValue.text?.trimmingCharacters(in: .whitespaces),
            !key.isEmpty
        else {
            return .failure(ItemProblem(key: locator, field: "external_id", reason: "missing (every row needs an external_id)"))
        }
        func problem(_ field: String, _ reason: String) -> Result<SourceItem, ItemProblem> {
            .failure(ItemProblem(key: key, field: field, reason: reason))
        }
        guard let startValue = fields["start_time"], !startValue.isNull else { return problem("start_time", "missing") }
        let allDayFlag: Bool
        switch parseBool(fields["all_day"]) {
        case .success(let b): allDayFlag = b
        case .failure: return problem("all_day", "expected true/false, 1/0 or yes/no, got \(fields["all_day"]?.text ?? "")")
        }
        guard let start = time(startValue, column: "start_time") else {
            return problem("start_time", "cannot read \"\(startValue.text ?? "")\" as a date or date-time")
        }
        var end: Moment?
        if let v = fields["end_time"], !v.isNull {
            guard let e = time(v, column: "end_time") else {
                return problem("end_time", "cannot read \"\(v.text ?? "")\" as a date or date-time")
            }
            end = e
        }
        let allDay = allDayFlag || start.isDateOnly
        var event: Event
        if allDay {
            let first = start.civilDate(in: timeZone)
            var last = end.map { $0.civilDate(in: timeZone) } ?? first.adding(days: 1)
            if last == first { last = first.adding(days: 1) }
            guard last > first else {
                return problem("end_time", "ends (\(last)) before it starts (\(first))")
            }
            event = Event(start: .allDay(first), end: .allDay(last))
        } else {
            let s = start.instant(in: timeZone)
            let e = end.map { $0.instant(in: timeZone) }
            if let e, e < s {
                return problem("end_time", "ends (\(e.formatted(.iso8601))) before it starts (\(s.formatted(.iso8601)))")
            }
            event = Event(start: .instant(s, timeZone: timeZone.identifier), end: e.map { .instant($0, timeZone: timeZone.identifier) })
        }
        event.title = fields["title"]?.text
        event.description = fields["content"]?.text
        event.location = fields["location"]?.text
        if let s = fields["status"]?.text?.trimmingCharacters(in: .whitespaces).lowercased(), !s.isEmpty {
            guard let status = EventStatus(rawValue: s == "canceled" ? "cancelled" : s) else {
                return problem("status", "must be confirmed, tentative or cancelled, got \"\(s)\"")
            }
            event.status = status
        }
        for column in ["created", "updated"] {
            guard let v = fields[column], !v.isNull else { continue }
            guard let m = time(v, column: column) else {
                return problem(column, "cannot read \"\(v.text ?? "")\" as a date-time")
            }
            if column == "created" { event.created = m.instant(in: timeZone) } else { event.updated = m.instant(in: timeZone) }
        }
        switch participants(fields) {
        case .success(let list): event.participants = list
        case .failure(let p): return .failure(ItemProblem(key: key, field: p.field, reason: p.reason))
        }
        event.custom = custom
        return .success(SourceItem(key: key, version: hasher.hex, event: event))
    }

    private func participants(_ fields: [String: FieldValue]) -> Result<[Participant], ItemProblem> {
        var out: [Participant] = []
        for n in 0...9 {
            let p = "participant_\(n)_"
            var person = Participant()
            person.name = fields[p + "name"]?.text
            person.email = fields[p + "email"]?.text
            for (suffix, kind) in [("phone_mobile", PhoneKind.mobile), ("phone_home", .home), ("phone_work", .work),
                                   ("phone", .other)] {
                if let v = fields[p + suffix]?.text, !v.isEmpty { person.phones[kind] = v }
            }
            if let r = fields[p + "response"]?.text?.lowercased(), !r.isEmpty {
                guard let response = ResponseStatus(rawValue: r == "needsaction" ? "needs_action" : r) else {
                    return .failure(ItemProblem(key: "", field: p + "response",
                                                reason: "must be needs_action, accepted, declined or tentative, got \"\(r)\""))
                }
                person.response = response
            }
            if person != Participant() { out.append(person) }
        }
        return .success(out)
    }

    private func parseBool(_ value: FieldValue?) -> Result<Bool, ItemProblem> {
        switch value {
        case nil, .null?: return .success(false)
        case .bool(let b)?: return .success(b)
        case .integer(let i)?: return .success(i != 0)
        case .text(let s)?:
            switch s.trimmingCharacters(in: .whitespaces).lowercased() {
            case "", "0", "false", "no", "n", "f": return .success(false)
            case "1", "true", "yes", "y", "t": return .success(true)
            default: return .failure(ItemProblem(key: "", reason: ""))
            }
        default: return .failure(ItemProblem(key: "", reason: ""))
        }
    }

    /// A point in time as a source gave it.
    enum Moment {
        case date(CivilDate)
        case naive(NaiveDateTime)
        case instant(Date)

        var isDateOnly: Bool {
            if case .date = self { return true }
            return false
        }

        func instant(in zone: TimeZone) -> Date {
            switch self {
            case .date(let d): return NaiveDateTime(date: d, time: LocalTime(hour: 0, minute: 0)).resolve(in: zone)
            case .naive(let n): return n.resolve(in: zone)
            case .instant(let d): return d
            }
        }

        func civilDate(in zone: TimeZone) -> CivilDate {
            switch self {
            case .date(let d): return d
            case .naive(let n): return n.date
            case .instant(let d):
                var cal = Calendar(identifier: .gregorian)
                cal.timeZone = zone
                let c = cal.dateComponents([.year, .month, .day], from: d)
                return CivilDate(year: c.year!, month: c.month!, day: c.day!)
            }
        }
    }

    func time(_ value: FieldValue, column: String) -> Moment? {
        switch value {
        case .date(let d): return .date(d)
        case .naive(let n): return .naive(n)
        case .instant(let d): return .instant(d)
        case .text(let raw):
            let s = raw.trimmingCharacters(in: .whitespaces)
            if let pattern = formats[column] { return parse(s, pattern: pattern) }
            return Self.parseISO(s)
        default: return nil
        }
    }

    /// ISO 8601 forms: date, naive date-time, date-time with `Z` or `±HH:MM`.
    static func parseISO(_ s: String) -> Moment? {
        if s.count == 10, let d = CivilDate(iso: s) { return .date(d) }
        if let n = NaiveDateTime(iso: s) { return .naive(n) }
        var body = s
        var offset = 0
        if body.hasSuffix("Z") || body.hasSuffix("z") {
            body.removeLast()
        } else if body.count > 6 {
            let tail = body.suffix(6)
            let sign = tail.first
            let parts = tail.dropFirst().split(separator: ":")
            guard sign == "+" || sign == "-", parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
                parts[0].count == 2, parts[1].count == 2
            else { return nil }
            offset = (h * 3_600 + m * 60) * (sign == "-" ? -1 : 1)
            body.removeLast(6)
        } else {
            return nil
        }
        guard let n = NaiveDateTime(iso: body) else { return nil }
        return .instant(Date(timeIntervalSince1970: n.secondsAsUTC - Double(offset)))
    }

    private func parse(_ s: String, pattern: String) -> Moment? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = pattern
        f.isLenient = false
        guard let d = f.date(from: s) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        let date = CivilDate(year: c.year!, month: c.month!, day: c.day!)
        let hasTime = pattern.contains { "Hhkm".contains($0) }
        if !hasTime { return .date(date) }
        return .naive(NaiveDateTime(date: date, time: LocalTime(hour: c.hour!, minute: c.minute!, second: c.second!)))
    }
}

/// The standard column names of DESIGN §3.
public enum StandardField {
    static let fixed: Set<String> = [
        "external_id", "title", "content", "location", "start_time", "end_time", "all_day", "status", "created",
        "updated",
    ]
    static let participantSuffixes: Set<String> = [
        "name", "email", "phone", "phone_mobile", "phone_home", "phone_work", "response",
    ]

    /// True for a standard field name (lowercase).
    public static func isStandard(_ name: String) -> Bool {
        if fixed.contains(name) { return true }
        guard name.hasPrefix("participant_"), name.count > 14 else { return false }
        let rest = name.dropFirst(12)
        guard let digit = rest.first, digit.isASCII, digit.isNumber, rest.dropFirst().first == "_" else { return false }
        return participantSuffixes.contains(String(rest.dropFirst(2)))
    }
}

/// 64-bit FNV-1a, for cheap row versions (change detection, not security).
struct FNV1a {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ s: String) {
        for b in s.utf8 {
            state ^= UInt64(b)
            state &*= 0x0000_0100_0000_01b3
        }
        state ^= 0x1f
        state &*= 0x0000_0100_0000_01b3
    }

    var hex: String {
        let h = String(state, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h
    }
}
