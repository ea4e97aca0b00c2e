/// Why an RRULE, or a recurrence set built around one, was refused.
///
/// `code` says which of the catalogue's `recurrence.*` codes it is (`errorCode`); `part` names the
/// rule part (`BYDAY`, `UNTIL`, `DTSTART`) and `value` the text that was refused, so a connector
/// can put both in the message it reports for the row or event that carried the rule.
public struct RecurrenceError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// A part's value is malformed or out of range (`BYMONTHDAY=0`, `COUNT=x`).
        case invalidValue
        /// A part RFC 5545 does not define, or one given twice.
        case invalidPart
        /// A part that is valid iCalendar but that almanac does not expand (`FREQ=HOURLY`, `BYHOUR`).
        case unsupported
        /// Parts that RFC 5545 forbids together (`COUNT` with `UNTIL`, `BYWEEKNO` outside YEARLY).
        case conflict
        /// A series whose parts do not fit each other (an unknown zone, an all-day RDATE on a timed series).
        case invalidSeries

        /// The code in the catalogue (`ErrorCode.recurrence…`).
        public var errorCode: ErrorCode {
            switch self {
            case .invalidValue: .recurrenceInvalidValue
            case .invalidPart: .recurrenceInvalidPart
            case .unsupported: .recurrenceUnsupported
            case .conflict: .recurrenceConflict
            case .invalidSeries: .recurrenceInvalidSeries
            }
        }
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

    public var description: String { "\(code.errorCode): \(part)=\(value): \(message)" }
}
