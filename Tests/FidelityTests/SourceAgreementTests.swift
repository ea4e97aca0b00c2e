import AlmanacCore
import AlmanacSync
import Foundation
import Testing

/// The source connectors agree with each other and with the engine (issue "Exact sync", defects
/// 8, 9, 11): the same rows through ODBC (SQLite3), CSV and XML reach a CSV target the same way.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SourceAgreementTests {
    /// 2026-03-10 15:00:00.5 UTC: a run starts at a fraction of a second.
    static let now = Date(timeIntervalSince1970: 1_773_154_800.5)

    static let schema = """
        CREATE TABLE appts (id TEXT PRIMARY KEY, subject TEXT, place TEXT, starts TIMESTAMP, ends TIMESTAMP,
                            all_day INTEGER NOT NULL DEFAULT 0);
        """

    /// A one-way job from `kind` (odbc, csv or xml) to the CSV file `$DIR/out.csv`.
    static func profile(_ kind: String) -> String {
        let source: String
        switch kind {
        case "odbc":
            source = """
                [connections.src]
                connector = "odbc"
                connection_string = "Driver=SQLite3;Database=$DB;"
                """
        case "csv":
            source = "[connections.src]\nconnector = \"csv\"\npath = \"$DIR/in.csv\"\nsettle = \"0s\""
        default:
            source = """
                [connections.src]
                connector = "xml"
                path = "$DIR/in.xml"
                item = "/Appointments/Appointment"
                settle = "0s"
                """
        }
        let query =
            kind == "odbc"
            ? """
            [jobs.source]
            read_query = '''
            SELECT id AS external_id, subject AS title, place AS location, starts AS start_time, ends AS end_time,
                   all_day FROM appts
            WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
            '''
            """ : ""
        return """
            timezone = "America/Chicago"
            \(source)
            [connections.out]
            connector = "csv"
            path = "$DIR/out.csv"
            settle = "0s"
            [[jobs]]
            name = "appointments"
            from = "src"
            to = "out"
            window = { past_days = 7, future_days = 30, chunk_days = 7 }
            \(query)
            """
    }

    /// Rows: id, title, location, start, end (nil: NULL), all-day. Times as wall clock in Chicago.
    typealias Row = (id: String, title: String?, location: String?, start: String, end: String?, allDay: Bool)

    /// Puts `rows` where the `kind` source reads them (replacing what was there).
    static func write(_ rows: [Row], kind: String, into h: FidelityHarness) throws {
        switch kind {
        case "odbc":
            try h.exec("DELETE FROM appts")
            for r in rows {
                try h.exec(
                    "INSERT INTO appts VALUES (?, ?, ?, ?, ?, ?)",
                    [r.id, r.title, r.location, r.start, r.end, r.allDay ? 1 : 0])
            }
        case "csv":
            var text = "external_id,title,location,start_time,end_time,all_day\r\n"
            for r in rows {
                text +=
                    [r.id, r.title ?? "", r.location ?? "", r.start, r.end ?? "", r.allDay ? "true" : "false"]
                    .joined(separator: ",") + "\r\n"
            }
            try Data(text.utf8).write(to: h.dir.appendingPathComponent("in.csv"))
        default:
            var text = "<Appointments>\n"
            for r in rows {
                text += "<Appointment><external_id>\(r.id)</external_id><title>\(r.title ?? "")</title>"
                text += "<location>\(r.location ?? "")</location><start_time>\(r.start)</start_time>"
                text += "<end_time>\(r.end ?? "")</end_time><all_day>\(r.allDay)</all_day></Appointment>\n"
            }
            try Data((text + "</Appointments>\n").utf8).write(to: h.dir.appendingPathComponent("in.xml"))
        }
    }

    /// The target file's rows (keyed by the deterministic ids of the job) by their `start_time`
    /// text: column name → value.
    static func target(_ h: FidelityHarness) throws -> [String: [String: String]] {
        let text = try String(contentsOf: h.dir.appendingPathComponent("out.csv"), encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let header = lines[0].components(separatedBy: ",")
        var out: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let values = line.components(separatedBy: ",")
            let row = Dictionary(uniqueKeysWithValues: zip(header, values))
            out[row["start_time"]!] = row
        }
        return out
    }

    func harness(_ kind: String) throws -> FidelityHarness {
        try FidelityHarness(now: Self.now, schema: Self.schema, profile: Self.profile(kind))
    }

    @Test(arguments: ["odbc", "csv", "xml"])
    func everySourceUsesTheSameHalfOpenWindow(kind: String) throws {
        let h = try harness(kind)
        let window = h.runner.profile.jobs[0].window.window(around: Self.now)
        #expect(window.start.timeIntervalSince1970 == 1_773_154_800 - 7 * 86_400)
        let rows: [Row] = [
            ("at-start", "first instant", nil, wall(window.start), nil, false),
            ("inside", "inside", nil, wall(window.start + 86_400), nil, false),
            ("at-end", "first instant after", nil, wall(window.end), nil, false),
        ]
        try Self.write(rows, kind: kind, into: h)
        let report = try h.run().report
        #expect(report.result == .success, "\(report.summary)")
        #expect(try Self.target(h).values.compactMap { $0["title"] }.sorted() == ["first instant", "inside"])
    }

    @Test(arguments: ["odbc", "csv"])
    func aChangeOfWhiteSpaceArrives(kind: String) throws {
        let h = try harness(kind)
        let t = Self.now + 86_400
        let (a, b, c) = (wall(t), wall(t + 3600), wall(t + 7200))
        try Self.write(
            [("a", "abc", "Room 1", a, nil, false), ("b", "x", " ", b, nil, false), ("c", " ", "x", c, nil, false)],
            kind: kind, into: h)
        #expect(try h.run().report.toCounts.created == 3)
        try Self.write(
            [("a", "abc  ", "Room 1", a, nil, false), ("b", " x", "", b, nil, false), ("c", "", "x ", c, nil, false)],
            kind: kind, into: h)
        let report = try h.run().report
        #expect(report.toCounts.updated == 3, "\(report.summary)")
        let out = Dictionary(
            uniqueKeysWithValues: try Self.target(h).values.map { ($0["title"]! + "|" + $0["location"]!, true) })
        #expect(out.keys.sorted() == ["abc  |Room 1", " x|", "|x "].sorted())
        #expect(try h.run().report.writes == 0)
    }

    @Test func xmlTrimsOnReadAndWriteAndStaysIdle() throws {
        let h = try harness("xml")
        let t = wall(Self.now + 86_400)
        try Self.write([("a", " padded ", nil, t, nil, false)], kind: "xml", into: h)
        #expect(try h.run().report.toCounts.created == 1)
        #expect(try Self.target(h).values.map { $0["title"] } == ["padded"])
        #expect(try h.run().report.writes == 0)
    }

    @Test(arguments: ["odbc", "csv", "xml"])
    func allDayRowsWithoutAnEndAreIdleAfterTheFirstRun(kind: String) throws {
        let h = try harness(kind)
        let d = String(wall(Self.now + 2 * 86_400).prefix(10))
        let e = String(wall(Self.now + 5 * 86_400).prefix(10))
        try Self.write(
            [
                ("one", "Holiday", nil, kind == "odbc" ? d + " 00:00:00" : d, nil, true),
                (
                    "three", "Course", nil, kind == "odbc" ? d + " 00:00:00" : d, kind == "odbc" ? e + " 00:00:00" : e,
                    true
                ),
                ("timed", "Visit", nil, wall(Self.now + 3_600), nil, false),
            ], kind: kind, into: h)
        let first = try h.run().report
        #expect(first.toCounts.created == 3, "\(first.summary)")
        let second = try h.run().report
        #expect(second.writes == 0, "\(second.summary)")
        let dry = try h.run(RunOptions(dryRun: true))
        #expect(dry.actions.isEmpty, "\(dry.actions.map(\.line))")
    }
}
