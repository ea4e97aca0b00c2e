import AlmanacCore
import AlmanacSync
import Foundation
import GRDB
import Testing

/// One mapping (`Plugins/RowMapping`): the same cell text reads as the same value through the
/// odbc (SQLite3), csv and xml connectors — the boolean truth table, statuses, responses, phones
/// by kind and phone priority, custom fields, and times resolved in the profile's zone (a DST gap
/// included).
@Suite(.serialized, .timeLimit(.minutes(10))) struct MappingAgreementTests {
    /// 2026-03-10 15:00 UTC; the window is [2026-03-03, 2026-04-09) in Chicago.
    static let now = Date(timeIntervalSince1970: 1_773_154_800)

    static let columns = [
        "external_id", "start_time", "end_time", "all_day", "status", "participant_0_name",
        "participant_0_response", "participant_0_phone", "participant_0_phone_mobile", "participant_0_phone_home",
        "participant_0_phone_work", "room",
    ]

    /// One row per line, cells in `columns` order; nil is a NULL (an empty cell in a file).
    static let rows: [[String?]] = [
        [
            "yes", "2026-03-12 09:30:00", "2026-03-12 10:00:00", "yes", "Confirmed", "Ann", "accepted", nil, "555-1",
            nil, nil, "R1",
        ],
        ["y", "2026-03-12", nil, "Y", "tentative", "Bob", "Declined", "555-2", nil, "555-3", nil, nil],
        ["minus-one", "2026-03-13", "2026-03-13", "-1", "CANCELED", nil, nil, nil, nil, nil, "555-4", "R2"],
        [
            "x", "2026-03-14", "2026-03-16", "x", " cancelled ", "Cy", "TENTATIVE", "555-5", "555-6", "555-7", "555-8",
            nil,
        ],
        ["t", "2026-03-15 08:00:00", nil, "t", nil, "Di", "needs_action", nil, nil, nil, nil, nil],
        ["true", "2026-03-16 23:30:00", nil, " TRUE ", "", nil, nil, nil, nil, nil, nil, "R3"],
        ["no", "2026-03-17 08:15:00", "2026-03-17 09:15:00", "no", "confirmed", nil, nil, nil, nil, nil, nil, nil],
        ["zero", "2026-03-17T08:15:00-05:00", nil, "0", nil, nil, nil, nil, nil, nil, nil, nil],
        ["false", "2026-03-18 12:00:00", nil, "F", nil, nil, nil, nil, nil, nil, nil, nil],
        ["n", "2026-03-18T17:00:00Z", "2026-03-18T18:00:00Z", "N", nil, nil, nil, nil, nil, nil, nil, nil],
        ["empty", "2026-03-19 07:00:00", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],
        // 02:30 does not exist on 2026-03-08 in Chicago: read with the offset before the gap (03:30 CDT).
        ["gap", "2026-03-08 02:30:00", nil, "0", nil, nil, nil, nil, nil, nil, nil, nil],
    ]

    static func profile(_ kind: String) -> String {
        let source: String
        switch kind {
        case "odbc":
            source = """
                [connections.src]
                connector = "odbc"
                connection_string = "Driver=SQLite3;Database=$DB;"
                """
        case "csv": source = "[connections.src]\nconnector = \"csv\"\npath = \"$DIR/in.csv\"\nsettle = \"0s\""
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
            SELECT \(columns.joined(separator: ", ")) FROM appts
            WHERE datetime(start_time) >= datetime(:window_start) AND datetime(start_time) < datetime(:window_end)
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
            window = { past_days = 7, future_days = 30, chunk_days = 60 }
            \(query)
            """
    }

    /// The events the `kind` source reads from `rows`, by key.
    static func read(_ kind: String) throws -> [String: Event] {
        let schema = "CREATE TABLE appts (" + columns.map { "\($0) TEXT" }.joined(separator: ", ") + ");"
        let h = try FidelityHarness(now: now, schema: schema, profile: profile(kind))
        switch kind {
        case "odbc":
            for r in rows {
                let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
                try h.exec("INSERT INTO appts VALUES (\(marks))", .init(r))
            }
        case "csv":
            var text = columns.joined(separator: ",") + "\r\n"
            for r in rows { text += r.map { $0 ?? "" }.joined(separator: ",") + "\r\n" }
            try Data(text.utf8).write(to: h.dir.appendingPathComponent("in.csv"))
        default:
            var text = "<Appointments>\n"
            for r in rows {
                text += "<Appointment>"
                for (c, v) in zip(columns, r) { text += "<\(c)>\(v ?? "")</\(c)>" }
                text += "</Appointment>\n"
            }
            try Data((text + "</Appointments>\n").utf8).write(to: h.dir.appendingPathComponent("in.xml"))
        }
        let job = h.runner.profile.jobs[0]
        let connector = try h.runner.connector(job: job, side: .from)
        var request = ReadRequest(window: job.window.window(around: now))
        var events: [String: Event] = [:]
        while true {
            let page = try connector.read(request)
            #expect(page.problems.isEmpty, "\(kind): \(page.problems)")
            for item in page.items { events[item.key] = item.event }
            guard let next = page.continuation else { break }
            request.continuation = next
        }
        return events
    }

    /// What is compared: the standard fields as the engine sees them (a missing end is the end
    /// calendars give it), participants with their phones by kind, custom fields.
    static func comparable(_ e: Event) -> String {
        let participants = e.participants.map { p in
            let phones = PhoneKind.allCases.map { p.phones[$0] ?? "-" }.joined(separator: "/")
            return "\(p.name ?? "-") \(p.response.rawValue) \(phones) first:\(p.phone() ?? "-")"
        }
        func time(_ t: EventTime) -> String {
            if case .allDay(let d) = t { return "day \(d)" }
            return "at \(Int(t.date(in: .gmt).timeIntervalSince1970))"
        }
        let times = "\(time(e.start)) → \(time(ContentProjection.end(of: e)))"
        let custom = e.custom.sorted { $0.key < $1.key }
        return "\(times) \(e.status.rawValue) [\(participants.joined(separator: "; "))] \(custom)"
    }

    @Test func theSameCellTextIsTheSameValueThroughEverySource() throws {
        let odbc = try Self.read("odbc")
        let csv = try Self.read("csv")
        let xml = try Self.read("xml")
        #expect(odbc.count == Self.rows.count)
        for key in odbc.keys.sorted() {
            let expected = Self.comparable(odbc[key]!)
            #expect(csv[key].map(Self.comparable) == expected, "csv \(key)")
            #expect(xml[key].map(Self.comparable) == expected, "xml \(key)")
        }
        // The truth table, the statuses and the responses, as README and FieldText state them.
        let allDay = odbc.mapValues(\.start.isAllDay)
        for key in ["yes", "y", "minus-one", "x", "t", "true"] { #expect(allDay[key] == true, "\(key)") }
        for key in ["no", "zero", "false", "n", "empty", "gap"] { #expect(allDay[key] == false, "\(key)") }
        #expect(odbc["yes"]!.status == .confirmed && odbc["y"]!.status == .tentative)
        #expect(odbc["minus-one"]!.status == .cancelled && odbc["x"]!.status == .cancelled)
        #expect(odbc["y"]!.participants[0].response == .declined && odbc["x"]!.participants[0].response == .tentative)
        // Phone priority: mobile, home, work, then the plain phone.
        #expect(odbc["y"]!.participants[0].phone() == "555-3" && odbc["x"]!.participants[0].phone() == "555-6")
        #expect(odbc["minus-one"]!.participants[0].phone() == "555-4")
        // An all-day end equal to its start is one day; the DST gap moves 02:30 to 03:30 CDT (08:30 UTC).
        #expect(ContentProjection.end(of: odbc["minus-one"]!) == .allDay(CivilDate(year: 2026, month: 3, day: 14)))
        #expect(odbc["gap"]!.start.date(in: .gmt) == Date(timeIntervalSince1970: 1_772_958_600))
        #expect(odbc["zero"]!.start.date(in: .gmt) == Date(timeIntervalSince1970: 1_773_753_300))
    }
}
