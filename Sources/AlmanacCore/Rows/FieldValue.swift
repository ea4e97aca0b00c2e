import Foundation

/// One column's value in a row read from a database, CSV or XML source, typed as well as the
/// source allows. Text that holds dates is parsed by `RowMapper`.
public enum FieldValue: Hashable, Sendable {
    case null
    case text(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case date(CivilDate)
    case time(LocalTime)
    /// A timestamp without zone (SQL `TIMESTAMP`, `DATETIME`): in the profile's zone.
    case naive(NaiveDateTime)
    /// A timestamp that names its instant (SQL `TIMESTAMPTZ`, ISO 8601 text with an offset).
    case instant(Date)

    /// The value as text for custom fields, templates and write statements; nil for null.
    public var text: String? {
        switch self {
        case .null: return nil
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .date(let d): return d.description
        case .time(let t): return t.description
        case .naive(let n): return n.description
        case .instant(let d): return d.formatted(.iso8601)
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        if case .text(let s) = self { return s.isEmpty }
        return false
    }
}
