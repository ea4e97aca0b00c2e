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

    /// `text` with every secret-looking value replaced by `***`.
    public static func redact(_ text: String) -> String {
        var out = text
        for (rule, template) in rules {
            out = rule.stringByReplacingMatches(
                in: out, range: NSRange(out.startIndex..., in: out), withTemplate: template)
        }
        return out
    }
}
