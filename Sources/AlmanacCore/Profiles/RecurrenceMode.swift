/// How a job moves recurring appointments (`recurrence` in a `[[jobs]]` table; README "Recurring
/// appointments", docs/RECURRENCE.md "Through the engine").
public enum RecurrenceMode: String, Sendable, Hashable, CaseIterable {
    /// Each occurrence is an item of its own (a row per occurrence, with `series_id` and
    /// `original_start`); calendars are read with series expanded into their instances.
    case instances
    /// A series is one item (a row with `rrule`, `exdate`, `rdate`); calendars are read with
    /// series whole, a change to one occurrence coming back as an exception of the series.
    case series
}
