import AlmanacCore

/// One cell of a typed row (an odbc result row), decoded by the connector that read it, for
/// `CellRowMapper`.
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
