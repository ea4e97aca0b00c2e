import AlmanacCore

/// Why a row could not be mapped — the one failure type of `RowMapper`, made an `ItemProblem`
/// in the words of its source (`RowMapper.Dialect`): sql names the column and what to change in
/// `read_query`; files name the standard field, the file and the line.
struct RowFailure {
    /// The check that failed. Each source reports the first failing check in its own order
    /// (`Dialect.ranks`): sql in the standard-field order of docs/ARCHITECTURE.md §3, files the key and the start first.
    enum Stage: Int, CaseIterable {
        case key, text, allDay, status, participants, custom, startMissing, start, end, endOrder, created, updated
    }

    enum Reason: Error {
        case missing
        case invalidText, truncated
        case tooLong(Int)
        /// The flag's text; nil when the cell is no text at all.
        case notBoolean(String?)
        case notStatus(String)
        case notResponse(String)
        case notTime(String)
        case timeOfDay
        case beforeStart(end: String, start: String)
        /// A value of a contact column that is not one of its kind (the reason, worded).
        case invalid(String)
    }

    var stage: Stage
    var field: StandardField
    /// The cell at fault, -1 for none (a required column the row lacks).
    var column: Int
    var reason: Reason

    /// sql: the column at fault (as the query names it, or the standard field) and the reason.
    func sqlMessage(names: [String]) -> (column: String, reason: String) {
        let named = column >= 0 && column < names.count ? names[column] : field.name
        switch (stage, reason) {
        case (.key, .invalidText): return ("external_id", "is not valid UTF-8")
        case (.key, .tooLong(let limit)): return ("external_id", "is longer than max_value_bytes (\(limit) bytes)")
        case (.key, _): return ("external_id", "is missing (NULL or empty)")
        case (_, .invalidText): return (named, "is not valid UTF-8 (check the column's encoding)")
        case (_, .truncated): return (named, "was not read whole (the driver cut it)")
        case (_, .tooLong(let limit)):
            return (
                named,
                "is longer than max_value_bytes (\(limit) bytes): raise max_value_bytes or shorten it in read_query"
            )
        case (_, .notBoolean(nil)): return (named, "is not a boolean")
        case (_, .notBoolean(let t?)): return (named, "\"\(t)\" is not a boolean (\(FieldText.flagSpellings))")
        case (_, .notStatus(let t)):
            return (named, "\"\(t)\" is not confirmed, tentative or cancelled: map it with CASE in read_query")
        case (_, .notResponse(let t)): return (named, "\"\(t)\" is not one of \(FieldText.responseSpellings)")
        case (_, .missing): return (field.name, "is missing (NULL)")
        case (_, .notTime(let s)):
            return (field.name, "\"\(s)\" is not a date or timestamp (YYYY-MM-DD[ HH:MM[:SS]][offset])")
        case (_, .timeOfDay):
            return (field.name, "is a time of day without a date; combine it with the date column in read_query")
        case (_, .beforeStart): return ("end_time", "is before start_time")
        case (_, .invalid(let reason)): return (named, reason)
        }
    }

    /// Files: the reason, for a value read with `formats`.
    func fileMessage(formats: [StandardField: TimeFormat]) -> String {
        switch reason {
        case .missing: return "missing (every row needs \(stage == .key ? "an external_id" : "a start_time"))"
        case .notBoolean(let t): return "\"\(t ?? "")\" is not a boolean (\(FieldText.flagSpellings))"
        case .notStatus(let t): return "\"\(t)\" is not a status (confirmed, tentative, cancelled)"
        case .notResponse(let t): return "\"\(t)\" is not one of \(FieldText.responseSpellings)"
        case .notTime(let t):
            let format = formats[field] ?? .iso8601
            let expected =
                format == .iso8601 ? "ISO 8601 like 2026-03-02T09:30 or 2026-03-02" : "the format \"\(format)\""
            return "\"\(t)\" does not match \(expected) (set formats.\(field.name) to the file's format)"
        case .beforeStart(let end, let start): return "\"\(end)\" is before start_time \"\(start)\""
        case .invalid(let reason): return reason
        // Cells of files are text: none of these happen; worded for completeness.
        case .invalidText: return "is not valid UTF-8"
        case .truncated: return "was not read whole"
        case .tooLong(let limit): return "is longer than \(limit) bytes"
        case .timeOfDay: return "is a time of day without a date"
        }
    }
}

/// The first failure of a row in its source's order: each check that fails offers its failure
/// with its rank, and the lowest rank is kept (checks run in one order for every source).
struct FirstFailure {
    /// The rank of each stage, 4 bits each by `Stage.rawValue` (`Dialect.ranks`).
    let ranks: UInt64
    private(set) var rank = Int.max
    private(set) var failure: RowFailure?

    init(ranks: UInt64) { self.ranks = ranks }

    /// `sub` orders failures of one stage (the cell's place among the participants' columns).
    mutating func note(
        _ stage: RowFailure.Stage, _ field: StandardField, column: Int, _ reason: RowFailure.Reason, sub: Int = 0
    ) {
        let r = Int((ranks >> UInt64(stage.rawValue * 4)) & 0xF) << 20 | sub
        guard r < rank else { return }
        rank = r
        failure = RowFailure(stage: stage, field: field, column: column, reason: reason)
    }
}

extension Cell {
    /// Why the cell cannot be read at all, nil when it can.
    var unreadable: RowFailure.Reason? {
        switch self {
        case .invalidText: return .invalidText
        case .truncated: return .truncated
        case .tooLong(let limit): return .tooLong(limit)
        default: return nil
        }
    }
}
