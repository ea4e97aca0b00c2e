import AlmanacCore

/// How the CLI writes schedule conflicts (`almanac run`'s summary, `almanac conflicts`).
enum ConflictText {
    /// `"Checkup" 2027-03-01T09:00:00Z–2027-03-01T10:00:00Z (from a1, to e7)`.
    static func appointment(_ a: ConflictAppointment) -> String {
        var keys: [String] = []
        if let k = a.keyFrom { keys.append("from \(k)") }
        if let k = a.keyTo { keys.append("to \(k)") }
        let title = a.title.map { "\"\($0)\" " } ?? ""
        return "\(title)\(a.start)–\(a.end ?? "?") (\(keys.joined(separator: ", ")))"
    }

    /// The lines of a run's summary: the count, each pair listed in the report, how many more.
    static func summary(_ c: ConflictSummary?) -> String {
        guard let c else { return "" }
        var out = "  schedule conflicts: \(c.count)\n"
        for p in c.pairs {
            out += "    \(p.field) = \(p.value): \(appointment(p.first)) overlaps \(appointment(p.second))\n"
        }
        if c.more > 0 { out += "    and \(c.more) more (almanac conflicts)\n" }
        return out
    }
}
