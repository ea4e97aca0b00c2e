import AlmanacCore

extension MailText {
    /// The body lines of a `conflict` notice: each pair listed, then how many more and where to
    /// see them all.
    static func conflictLines(_ n: Notification) -> [String] {
        guard let c = n.conflicts else { return [] }
        var lines = ["", "Schedule conflicts: \(c.count)"]
        for p in c.pairs {
            lines.append("  \(p.field) = \(p.value): \(appointment(p.first)) overlaps \(appointment(p.second))")
        }
        if c.more > 0 { lines.append("  and \(c.more) more") }
        lines += ["", "All of them: almanac conflicts \(n.profile)\(n.job.map { " --job \($0)" } ?? "")"]
        return lines
    }

    private static func appointment(_ a: ConflictAppointment) -> String {
        let key = a.keyFrom ?? a.keyTo ?? "?"
        return "\(a.title.map { "\"\($0)\" " } ?? "")[\(key)] \(a.start)–\(a.end ?? "?")"
    }
}
