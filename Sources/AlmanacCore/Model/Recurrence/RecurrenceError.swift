/// Why an RRULE, or a recurrence set built around one, was refused.
///
/// `code` is a stable id (`recurrence.invalid_part`, …) for logs and `--json`; `part` names the
/// rule part (`BYDAY`, `UNTIL`, `DTSTART`) and `value` the text that was refused, so a connector
/// can put both in the message it reports for the row or event that carried the rule.
public struct RecurrenceError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// A part's value is malformed or out of range (`BYMONTHDAY=0`, `COUNT=x`).
        case invalidValue = "recurrence.invalid_value"
        /// A part RFC 5545 does not define, or one given twice.
        case invalidPart = "recurrence.invalid_part"
        /// A part that is valid iCalendar but that almanac does not expand (`FREQ=HOURLY`, `BYHOUR`).
        case unsupported = "recurrence.unsupported"
        /// Parts that RFC 5545 forbids together (`COUNT` with `UNTIL`, `BYWEEKNO` outside YEARLY).
        case conflict = "recurrence.conflict"
        /// A series whose parts do not fit each other (an unknown zone, an all-day RDATE on a timed series).
        case invalidSeries = "recurrence.invalid_series"
    }

    public var code: Code
    /// The rule part or series property concerned (`BYDAY`, `DTSTART`).
    public var part: String
    /// The refused text, as written.
    public var value: String
    public var message: String

    public init(_ code: Code, part: String, value: String, _ message: String) {
        self.code = code
        self.part = part
        self.value = value
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(part)=\(value): \(message)" }
}
