import AlmanacCore

extension RowMapper {
    /// How a source's rows read where the sources differ (the rules themselves — fields, truth
    /// tables, phones, zones, all-day ends — are the same for all). By what the sources are:
    /// SQL text is data as written, a file's is typed by hand; a SQL column is there in every row,
    /// a file's value may be missing; SQL reports problems to the one who wrote `read_query`, a
    /// file's to the one who exports it.
    struct Dialect {
        /// Files: the key without surrounding spaces and tabs; sql: as written.
        var trimsKey: Bool
        /// Files: a field named twice takes its last value present (an empty one is absent);
        /// sql: its last column whatever it holds, and the key its first, NULL or empty text
        /// read as such (`''` is an empty title, a custom value "").
        var lastPresentWins: Bool
        /// `all_day` when the row has none: files false; sql unknown (nil: a DATE start is
        /// all-day, a timestamp timed — `EventRules.time`).
        var allDayWithoutFlag: Bool?
        /// Files: a date start is all-day even with `all_day` false; sql: timed, at midnight.
        var dateStartIsAllDay: Bool
        /// Files: an all-day row without an end lasts its day; sql: it has none (the engine
        /// compares it as ending the next day).
        var allDayWithoutEndIsOneDay: Bool
        /// Files: a time with an offset or `Z` keeps the profile's zone; sql: an instant of no zone.
        var offsetKeepsZone: Bool
        /// sql: date text read by `TemporalText` (fractions dropped); files: by the field's
        /// `TimeFormat` (`formats`, fractions kept).
        var temporalText: Bool
        /// Files: a problem's reason starts with the file and line, and names the standard field;
        /// sql: it names the column and what to change in `read_query` (`RowFailure`).
        var locatorInReason: Bool
        /// The order in which a row's failures are reported: the rank of each `RowFailure.Stage`,
        /// 4 bits each (a plain value: nothing to retain per row).
        var ranks: UInt64

        /// The rank of a participant cell's failure among the others: sql by participant number,
        /// then column; files by column.
        func participantOrder(_ n: Int, _ column: Int) -> Int { lastPresentWins ? column : n << 10 | column }

        private static func ranks(_ order: [RowFailure.Stage]) -> UInt64 {
            var r: UInt64 = 0
            for (rank, stage) in order.enumerated() { r |= UInt64(rank) << UInt64(stage.rawValue * 4) }
            return r
        }

        /// odbc: failures in the standard-field order of docs/ARCHITECTURE.md §3, the key first.
        static let sql = Dialect(
            trimsKey: false, lastPresentWins: false, allDayWithoutFlag: nil, dateStartIsAllDay: false,
            allDayWithoutEndIsOneDay: false, offsetKeepsZone: false, temporalText: true, locatorInReason: false,
            ranks: ranks([
                .key, .text, .allDay, .status, .participants, .custom, .startMissing, .start, .end, .endOrder,
                .created, .updated,
            ]))

        /// csv and xml: the key and the start first, participants last.
        static let file = Dialect(
            trimsKey: true, lastPresentWins: true, allDayWithoutFlag: false, dateStartIsAllDay: true,
            allDayWithoutEndIsOneDay: true, offsetKeepsZone: true, temporalText: false, locatorInReason: true,
            ranks: ranks([
                .key, .startMissing, .allDay, .start, .end, .endOrder, .status, .created, .updated, .participants,
                .text, .custom,
            ]))
    }
}
