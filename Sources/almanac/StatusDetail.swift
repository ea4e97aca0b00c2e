import AlmanacCore
import AlmanacWire
import Foundation

/// `clinic-appointments success at 2026-…Z in 812 ms; to: +3 ~1 -0; from: ~0 confirmed 0`.
func runLine(_ r: AlmanacWire.RunSummary) -> String {
    "\(r.result) at \(r.finished.formatted(.iso8601)) in \(r.durationMS) ms; "
        + "to: +\(r.to.created) ~\(r.to.updated) -\(r.to.deleted); "
        + "from: ~\(r.from.updated) confirmed \(r.from.confirmed)"
}

/// Each job's latest real run (and its error), then its latest dry run (shown, not counted).
func printJobs(_ jobs: [JobStatus]) {
    for j in jobs {
        print("  job \(j.name): last run " + (j.lastRun.map(runLine) ?? "none yet"))
        if let r = j.lastRun, let e = r.error { print("    \(r.errorCode ?? "error"): \(e)") }
        if let d = j.lastDryRun { print("    last dry run (not counted): \(runLine(d))") }
    }
}

/// `connection db: ok (checked 2026-…Z)`, `connection cal: failing since 2026-…Z: odbc.…: …`.
func printConnections(_ connections: [ConnectionHealth]) {
    for c in connections {
        let error = ([c.errorCode, c.error] as [String?]).compactMap { $0 }.joined(separator: ": ")
        switch c.state {
        case .ok:
            print("  connection \(c.name): ok (checked \(c.checked.formatted(.iso8601)))")
        case .failing, .reconnectRequired:
            let state = c.state == .failing ? "failing" : "reconnect required"
            print("  connection \(c.name): \(state) since \(c.since.formatted(.iso8601)): \(error)")
        }
    }
}

/// Rows as left-aligned columns two spaces apart (the first row is the header).
func printColumns(_ rows: [[String]]) {
    if let text = asciiColumns(rows) {  // the same bytes, without Foundation's padding and trimming
        print(String(decoding: text, as: UTF8.self), terminator: "")
        return
    }
    let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
    for row in rows {
        let cells = row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
        print(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
    }
}

/// `printColumns`'s output when every cell is printable ASCII (one byte, one character, one
/// column), else nil.
private func asciiColumns(_ rows: [[String]]) -> [UInt8]? {
    var widths = [Int](repeating: 0, count: rows[0].count)
    for row in rows {
        for (i, cell) in row.enumerated() {
            guard cell.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
            widths[i] = max(widths[i], cell.utf8.count)
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(rows.count * (widths.reduce(0, +) + 2 * widths.count + 1))
    for row in rows {
        let start = out.count
        for (i, cell) in row.enumerated() {
            if i > 0 { out.append(contentsOf: repeatElement(0x20, count: 2)) }
            out += cell.utf8
            out += repeatElement(0x20, count: widths[i] - cell.utf8.count)
        }
        // `trimmingCharacters(in: .whitespaces)`: the cells hold no tabs
        while out.count > start, out.last == 0x20 { out.removeLast() }
        let lead = out[start...].prefix(while: { $0 == 0x20 }).count
        if lead > 0 { out.removeSubrange(start..<start + lead) }
        out.append(0x0A)
    }
    return out
}
