import Foundation

/// The error type shared by every almanac module.
///
/// `message` is written for the administrator: it names the profile, file, key or connection
/// involved and, where there is one, the next step. It never contains a secret's value.
public struct AlmanacError: Error, Sendable, CustomStringConvertible {
    /// One of the codes declared in `ErrorCode.swift`.
    public var code: ErrorCode
    public var message: String
    /// The lower-level error this one wraps (an ODBC diagnostic, a curl failure, a file system
    /// error, an `AlmanacError` of a lower layer), nil when this error is where the failure began.
    /// Rendered by `causeChain` and `description`, with secrets redacted.
    public var cause: (any Error)?
    /// The same operation may succeed later without anyone fixing anything (a file still being
    /// written, a source busy for a moment): the run fails now and a later run tries again.
    /// False for errors that need an administrator (a missing file, a malformed one).
    public var retryable: Bool

    public init(_ code: ErrorCode, _ message: String, cause: (any Error)? = nil, retryable: Bool = false) {
        self.code = code
        self.message = message
        self.cause = cause
        self.retryable = retryable
    }

    /// The errors under this one, outermost first, one line each with secrets redacted
    /// (`SecretRedaction`): an `AlmanacError` as `code: message`, any other error as its text.
    /// A lower `AlmanacError` that this one only puts in context (same code, its message quoted
    /// whole) is not a link of its own. What logs (`error.cause`) and `--json` (`cause`) show.
    public var causeChain: [String] {
        var out: [String] = []
        var next = cause
        var outer = self
        var depth = 0
        while let link = next, depth < 16 {
            depth += 1
            if let e = link as? AlmanacError {
                if e.code != outer.code || !outer.message.contains(e.message) {
                    out.append(SecretRedaction.redact("\(e.code): \(e.message)"))
                }
                (outer, next) = (e, e.cause)
            } else {
                out.append(SecretRedaction.redact("\(link)"))
                next = nil
            }
        }
        return out
    }

    /// `causeChain` on one line, links joined by ` <- ` (the `error.cause` log field); nil without a cause.
    public var renderedCause: String? {
        let chain = causeChain
        return chain.isEmpty ? nil : chain.joined(separator: " <- ")
    }

    /// The message, then in parentheses what the causes add to it: a cause whose text the
    /// message already quotes is not repeated. Secrets in causes are redacted.
    public var description: String {
        var added: [String] = []
        var next = cause
        var depth = 0
        while let link = next, depth < 16 {
            depth += 1
            let text: String
            var alias = ""
            if let e = link as? AlmanacError {
                (text, next) = (e.message, e.cause)
            } else {
                (text, alias, next) = ("\(link)", link.localizedDescription, nil)
            }
            let quoted =
                message.contains(text) || (!alias.isEmpty && message.contains(alias))
                || added.contains { $0.contains(text) }
            if !quoted && !text.isEmpty { added.append(SecretRedaction.redact(text)) }
        }
        return added.isEmpty ? message : "\(message) (\(added.joined(separator: ": ")))"
    }
}
