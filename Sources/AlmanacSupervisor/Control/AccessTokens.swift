import AlmanacCore
import AlmanacWire
import Foundation

/// The bearer tokens the TCP listener accepts, each with its role, read from `--token-file`.
///
/// The file holds one `ROLE TOKEN` per line (ROLE `read`, `operate` or `admin`; blanks between;
/// empty lines and lines starting with `#` are skipped). A file whose only line is one bare token
/// (the format before roles) gives that token `admin`. Only SHA-256 digests of the tokens are
/// kept; a presented token is compared with every one of them in constant time.
struct AccessTokens: Sendable {
    private struct Entry {
        var digest: [UInt8]
        var role: AccessRole
    }

    private let entries: [Entry]

    /// How many tokens each role has, for the daemon's start-up line (`admin 1, operate 0, read 2`).
    var summary: String {
        AccessRole.allCases.reversed().map { role in "\(role) \(entries.filter { $0.role == role }.count)" }
            .joined(separator: ", ")
    }

    /// Reads and parses the tokens file `path`.
    /// - Throws: `AlmanacError` `api.token_missing` when the file cannot be read, holds no token,
    ///   or has a malformed line; the message names the file and the line, never a token.
    static func load(path: String) throws -> AccessTokens {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AlmanacError(
                .apiTokenMissing,
                "--listen needs --token-file with a readable tokens file (a file only the daemon's user can read), "
                    + "cannot read \(path)")
        }
        return try parse(text, file: path)
    }

    /// Parses the text of a tokens file named `file` (for messages).
    /// - Throws: `AlmanacError` `api.token_missing` as `load(path:)` does.
    static func parse(_ text: String, file: String) throws -> AccessTokens {
        var lines: [(number: Int, fields: [Substring])] = []
        for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let fields = raw.split(whereSeparator: \.isWhitespace)
            if fields.isEmpty || fields[0].hasPrefix("#") { continue }
            lines.append((i + 1, fields))
        }
        guard !lines.isEmpty else {
            throw AlmanacError(.apiTokenMissing, "\(file) holds no token: write one ROLE TOKEN line (README)")
        }
        if lines.count == 1, lines[0].fields.count == 1 {
            return AccessTokens(entries: [Entry(digest: digest(lines[0].fields[0]), role: .admin)])
        }
        var entries: [Entry] = []
        var seen: [[UInt8]: Int] = [:]
        for line in lines {
            let at = "\(file) line \(line.number)"
            guard line.fields.count == 2 else {
                throw AlmanacError(
                    .apiTokenMissing,
                    line.fields.count == 1
                        ? "\(at): a token without a role: write ROLE TOKEN (a bare token is allowed only alone in "
                            + "the file)"
                        : "\(at): expected ROLE TOKEN, found \(line.fields.count) words (a token has no blanks)")
            }
            guard let role = AccessRole(rawValue: String(line.fields[0])) else {
                throw AlmanacError(.apiTokenMissing, "\(at): the role must be read, operate or admin")
            }
            let d = digest(line.fields[1])
            if let earlier = seen[d] {
                throw AlmanacError(.apiTokenMissing, "\(at): the same token as line \(earlier)")
            }
            seen[d] = line.number
            entries.append(Entry(digest: d, role: role))
        }
        return AccessTokens(entries: entries)
    }

    /// The role of the request's `Authorization: Bearer TOKEN`, nil when it carries none or an
    /// unknown one. Every configured token is compared, all 32 digest bytes each, whichever
    /// matches: the time taken does not tell which one did, or how much of one.
    func role(of request: HTTPRequest) -> AccessRole? {
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { return nil }
        let given = Self.digest(header.dropFirst(7))
        var found: AccessRole?
        for e in entries {
            var diff: UInt8 = 0
            for i in 0..<given.count { diff |= e.digest[i] ^ given[i] }
            if diff == 0 { found = e.role }
        }
        return found
    }

    private static func digest(_ token: Substring) -> [UInt8] {
        var h = SHA256()
        h.update(token.utf8)
        return h.finalize()
    }
}
