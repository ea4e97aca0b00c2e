import Mustache

/// A mustache template for event titles (`title_template = "Appt with {{participant_0_name}}"`).
///
/// Rendered as plain text: values are not HTML-escaped. A variable the item lacks renders empty.
public struct TitleTemplate: Sendable {
    private static let pragma = "{{% CONTENT_TYPE: TEXT}}"
    private let template: MustacheTemplate

    /// Parses `text`; throws `config.invalid_value` with the line and column of a syntax error.
    public init(_ text: String) throws {
        do {
            template = try MustacheTemplate(string: Self.pragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let ctx = error.context
            let column = ctx.lineNumber == 1 ? max(1, ctx.columnNumber - Self.pragma.count) : ctx.columnNumber
            throw AlmanacError(
                .configInvalidValue,
                "template error at line \(ctx.lineNumber), column \(column): \(error.error)", cause: error.error)
        }
    }

    /// The problem with `text` as a template, or nil when it parses.
    public static func problem(in text: String) -> String? {
        do {
            _ = try TitleTemplate(text)
            return nil
        } catch let e as AlmanacError {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    /// Renders with `fields` (`title`, `participant_0_name`, `custom.appt_type` as `appt_type`, …).
    public func render(_ fields: [String: String]) -> String {
        template.render(fields)
    }
}
