import Foundation

/// RFC 3339 timestamps, formatted and parsed with Sendable format styles.
enum ISOTime {
    static let plain = Date.ISO8601FormatStyle()
    static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `2026-03-01T09:00:00.000Z`.
    static func string(from d: Date) -> String { d.formatted(fractional) }

    /// `2026-03-01T09:00:00Z`.
    static func plainString(from d: Date) -> String { d.formatted(plain) }

    /// Accepts with or without fractional seconds, `Z` or an offset.
    static func date(from s: String) -> Date? {
        if let d = try? fractional.parse(s) { return d }
        return try? plain.parse(s)
    }
}
