import AlmanacCore

/// One cell of a typed row (an odbc result row) that outlives the reader's buffer (the odbc
/// connector's `SingleRowReader` reads values so); `cell` is how `RowMapper` reads it.
public enum CellValue: Sendable {
    case null
    case text(String)
    /// Bytes or code units that are not valid UTF-8 / UTF-16.
    case invalidText
    /// A value the block cursor's buffer could not hold; never mapped: the reader reports
    /// `overflowed` and reads the rows again value by value.
    case truncated
    /// A value longer than `max_value_bytes` (the limit, in bytes).
    case tooLong(Int)
    case timestamp(WallClock)
    case date(CivilDate)
    case time(LocalTime)
}

extension CellValue {
    /// The cell as the mapper reads it.
    public var cell: Cell {
        switch self {
        case .null: return .absent
        case .text(let s): return .string(s)
        case .invalidText: return .invalidText
        case .truncated: return .truncated
        case .tooLong(let limit): return .tooLong(limit)
        case .timestamp(let t): return .timestamp(t)
        case .date(let d): return .date(d)
        case .time(let t): return .time(t)
        }
    }

    /// A mapper's cell as a value that outlives the reader's buffer (text made a `String`).
    public init(_ cell: Cell) {
        switch cell {
        case .absent: self = .null
        case .text(let b): self = .text(String(decoding: b, as: UTF8.self))
        case .string(let s): self = .text(s)
        case .invalidText: self = .invalidText
        case .truncated: self = .truncated
        case .tooLong(let limit): self = .tooLong(limit)
        case .timestamp(let t): self = .timestamp(t)
        case .date(let d): self = .date(d)
        case .time(let t): self = .time(t)
        }
    }
}
