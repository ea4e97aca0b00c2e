import AlmanacCore
import AlmanacTestKit
import Foundation

@testable import ODBCConnector

/// A generated appointments table for differential reads: every standard field, text of random
/// lengths (0 … 70,000 characters, and the 4,095 / 4,096 / 4,097 / 8,192 / 65,535 edges), NULLs,
/// empty and white-space-only values, CR/LF, non-BMP characters, an embedded NUL where the
/// database can store one, and rows on both sides of the window's edges.
struct DifferentialTable {
    /// One row, in the column order of `columns`.
    var rows: [[ODBCParameter]]

    static let columns =
        "id, title, notes, place, starts, ends, whole_day, state, who, mail, answer, mobile, kind, made, changed"
    /// The read query; the window is March 1 to 22, 2026 (wall clock).
    static let query = """
        SELECT id AS external_id, title, notes AS content, place AS location, starts AS start_time,
               ends AS end_time, whole_day AS all_day, state AS status, who AS participant_0_name,
               mail AS participant_0_email, answer AS participant_0_response,
               mobile AS participant_0_phone_mobile, kind AS appt_kind, made AS created, changed AS updated
        FROM diff WHERE starts >= :window_start AND starts < :window_end ORDER BY id
        """
    static let windowStart = "2026-03-01 00:00:00"
    static let windowEnd = "2026-03-22 00:00:00"

    /// Characters the random text is drawn from: ASCII, accented, CJK, non-BMP, white space, CR/LF.
    static let alphabet: [String] =
        Array("abcdefghijklmnopqrstuvwxyz0123456789 .,'\"\\%_;").map(String.init)
        + ["é", "Å", "ß", "日", "本", "€", "😀", "🎉", "𝄞", "\t", "\n", "\r\n", "\r", "  "]

    /// `length` Unicode scalars drawn from `alphabet`.
    static func text(_ length: Int, _ rng: inout SeededRandom) -> String {
        var scalars = String.UnicodeScalarView()
        var count = 0
        while count < length {
            for s in alphabet[Int(rng.next() % UInt64(alphabet.count))].unicodeScalars where count < length {
                scalars.append(s)
                count += 1
            }
        }
        return String(scalars)
    }

    /// `nul`: include a value with an embedded NUL (PostgreSQL text cannot hold one).
    init(seed: UInt64, nul: Bool) {
        var rng = SeededRandom(state: seed)
        var special: [String?] = [nil, "", "   ", " \t \r\n ", "line 1\r\nline 2\nline 3\r", "😀𝄞🎉"]
        for length in [4_095, 4_096, 4_097, 8_192, 65_535, 70_000, 2_047, 2_048, 2_049] {
            special.append(Self.text(length, &rng))
        }
        special.append(String(repeating: "😀", count: 4_097))
        special.append(String(repeating: "é", count: 8_192))
        if nul { special.append("ab\u{0}cd") }
        // Mostly short notes, a long one now and then, the special values spread among them: a
        // long value alone in a rowset of short ones is what a positioned re-read got wrong.
        var notes: [String?] = []
        for i in 0..<(special.count * 25) {
            if i % 25 == 12 {
                notes.append(special[i / 25])
            } else {
                let long = Int.random(in: 0...60, using: &rng) == 0
                notes.append(Self.text(Int.random(in: long ? 2_049...70_000 : 0...600, using: &rng), &rng))
            }
        }
        var rows: [[ODBCParameter]] = []
        for (i, note) in notes.enumerated() {
            let id = i + 1
            let day: Int
            let time: String
            switch id % 25 {
            case 0: (day, time) = (28, "10:00:00")  // February: before the window
            case 1: (day, time) = (22, "00:00:00")  // the window's (excluded) end
            case 2: (day, time) = (1, "00:00:00")  // the window's (included) start
            case 3: (day, time) = (23, "09:00:00")  // after the window
            default: (day, time) = (2 + id % 19, String(format: "%02d:%02d:00", 8 + id % 10, id % 60))
            }
            let month = id % 25 == 0 ? 2 : 3
            let allDay = id % 11 == 0 && id % 25 != 0
            let start = String(format: "2026-%02d-%02d ", month, day) + (allDay ? "00:00:00" : time)
            let end =
                allDay
                ? String(format: "2026-%02d-%02d 00:00:00", month, day + 1)
                : String(format: "2026-%02d-%02d ", month, day) + (id % 7 == 0 ? time : "23:30:00")
            let short = { (rng: inout SeededRandom) -> ODBCParameter in
                switch Int.random(in: 0...5, using: &rng) {
                case 0: return .text(nil)
                case 1: return .text("")
                case 2: return .text(" \t ")
                default: return .text(Self.text(Int.random(in: 1...300, using: &rng), &rng))
                }
            }
            rows.append([
                .integer(id), short(&rng), .text(note), short(&rng), .text(start), .text(end),
                .integer(allDay ? 1 : 0),
                .text(["confirmed", "tentative", "cancelled"][id % 3]),
                .text("Client \(id) " + Self.text(Int.random(in: 0...40, using: &rng), &rng)),
                short(&rng),
                .text(["needs_action", "accepted", "declined", "tentative"][id % 4]),
                short(&rng), id % 5 == 0 ? .integer(nil) : .integer(id % 9),
                id % 6 == 0
                    ? .text(nil)
                    : .text(String(format: "2026-01-%02d %02d:%02d:%02d", 1 + id % 28, id % 24, id % 60, id % 59)),
                id % 8 == 0
                    ? .text(nil)
                    : .text(String(format: "2026-02-%02d %02d:%02d:%02d", 1 + id % 28, id % 24, id % 60, id % 59)),
            ])
        }
        self.rows = rows
    }

    /// Creates `diff` with `create` (the column list of `columns`) and inserts every row.
    func load(into sql: SQL, create: String) throws {
        try sql.exec("DROP TABLE IF EXISTS diff", create)
        let markers = Array(repeating: "?", count: rows[0].count).joined(separator: ", ")
        try sql.exec("INSERT INTO diff (\(Self.columns)) VALUES (\(markers))", rows: rows)
    }
}
