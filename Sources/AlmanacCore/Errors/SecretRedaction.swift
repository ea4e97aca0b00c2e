import Foundation

/// Removes what looks like a secret from text that came from outside almanac (a driver's
/// diagnostic, a server's answer, a system error) before it is shown as an error's cause:
/// `PWD=`/`PASSWORD=` values of connection strings, `Authorization` headers, bearer and basic
/// credentials, OAuth tokens, client secrets and API keys, in `key=value` and JSON form. Each
/// value becomes `***`; the key stays, so the text still says what was there.
public enum SecretRedaction {
    private static let rules: [(NSRegularExpression, String)] = [
        // `Authorization: Bearer abc` — the whole header value, to the end of the line.
        (#"(?i)\b((?:proxy-)?authorization)(\s*[:=]\s*)[^\r\n]*"#, "$1$2***"),
        // `Bearer abc`, `Basic dXNlcjpwdw==` outside a header.
        (#"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}"#, "$1 ***"),
        // JSON: `"access_token": "abc"`.
        (
            #"(?i)("(?:[a-z_]*token|[a-z_]*secret|password|passwd|pwd|api_?key|code_verifier)"\s*:\s*")(?:[^"\\]|\\.)*""#,
            "$1***\""
        ),
        // Connection strings and forms: `PWD={a;b}`, `password=abc`, `refresh_token=abc&…`.
        (
            #"(?i)\b([a-z_]*token|[a-z_]*secret|password|passwd|pwd|api_?key|code_verifier)(\s*=\s*)(?:\{[^}]*\}?|[^;&\s,"'}]*)"#,
            "$1$2***"
        ),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// What every rule needs in the text, in any case: the words of their alternatives.
    private static let keywords = [
        "authorization", "bearer", "basic", "token", "secret", "password", "passwd", "pwd", "apikey", "api_key",
        "code_verifier",
    ].map { Array($0.utf8) }

    /// `text` with every secret-looking value replaced by `***`.
    public static func redact(_ text: String) -> String {
        mayHoldASecret(text) ? redactByRules(text) : text
    }

    /// False when no rule can match: the text is ASCII and holds none of `keywords` in any case.
    /// Text with a byte over 127 always goes to the rules, whose case-insensitive matching folds
    /// some other letters onto ASCII ones (U+017F onto `s`, U+212A onto `k`). Spares compiling the
    /// expressions where nothing could be found: a worker's start redacts its own command line
    /// (`ProfileLock`), and compiling them was 7% of the CPU of starting 1,000 workers.
    static func mayHoldASecret(_ text: String) -> Bool {
        var lower: [UInt8] = []
        lower.reserveCapacity(text.utf8.count)
        for c in text.utf8 {
            if c > 0x7F { return true }
            lower.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c)
        }
        return keywords.contains { word in
            guard lower.count >= word.count else { return false }
            return (0...(lower.count - word.count)).contains { at in lower[at..<(at + word.count)].elementsEqual(word) }
        }
    }

    /// `text` through every rule.
    static func redactByRules(_ text: String) -> String {
        var out = text
        for (rule, template) in rules {
            out = rule.stringByReplacingMatches(
                in: out, range: NSRange(out.startIndex..., in: out), withTemplate: template)
        }
        return out
    }
}
