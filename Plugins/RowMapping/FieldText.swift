import AlmanacCore

/// How the text of a flag, a status or a response reads — the truth tables every source
/// connector (odbc, csv, xml) applies to a cell, so the same text means the same value whatever
/// it came from. Each reads the text without surrounding spaces and tabs, case-insensitively; nil
/// when the text is none of the accepted spellings.
public enum FieldText {
    /// `all_day`: true for `1`, `true`, `t`, `yes`, `y`, `-1` (Access and SQL Server's true),
    /// `x` (a ticked cell); false for `0`, `false`, `f`, `no`, `n` and the empty text.
    public static func flag(_ text: String) -> Bool? {
        switch text {  // the common spellings first, without trimming and case folding
        case "1", "true", "t": return true
        case "0", "false", "f", "": return false
        default: break
        }
        switch trimmed(text).lowercased() {
        case "1", "true", "t", "yes", "y", "-1", "x": return true
        case "0", "false", "f", "no", "n", "": return false
        default: return nil
        }
    }

    /// The accepted spellings of `flag`, for messages.
    public static let flagSpellings = "1/0, true/false, t/f, yes/no, y/n"

    /// `status`: `confirmed` (or empty), `tentative`, `cancelled` / `canceled`.
    public static func status(_ text: String) -> EventStatus? {
        switch text {  // the common spellings first, without trimming and case folding
        case "confirmed", "": return .confirmed
        case "tentative": return .tentative
        case "cancelled": return .cancelled
        default: break
        }
        switch trimmed(text).lowercased() {
        case "confirmed", "": return .confirmed
        case "tentative": return .tentative
        case "cancelled", "canceled": return .cancelled
        default: return nil
        }
    }

    /// `participant_N_response`: `needs_action`, `accepted`, `declined`, `tentative`.
    public static func response(_ text: String) -> ResponseStatus? {
        ResponseStatus(rawValue: text) ?? ResponseStatus(rawValue: trimmed(text).lowercased())
    }

    /// The accepted spellings of `response`, for messages.
    public static let responseSpellings = "needs_action, accepted, declined, tentative"

    /// `text` without leading and trailing spaces and tabs (no Foundation bridging: hot path).
    public static func trimmed(_ text: String) -> String {
        let u = text.utf8
        guard let f = u.first, let l = u.last, f == 0x20 || f == 0x09 || l == 0x20 || l == 0x09 else { return text }
        var lo = u.startIndex
        var hi = u.endIndex
        while lo < hi && (u[lo] == 0x20 || u[lo] == 0x09) { lo = u.index(after: lo) }
        while hi > lo && (u[u.index(before: hi)] == 0x20 || u[u.index(before: hi)] == 0x09) { hi = u.index(before: hi) }
        return String(text[lo..<hi])
    }
}
