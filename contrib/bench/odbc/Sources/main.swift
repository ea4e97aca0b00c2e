// Reads an appointment-shaped table through the odbc connector, exactly as a sync run does
// (window in chunk_days chunks, rows mapped to events), and prints rows/s.
//
//   odbc-bench PHASE CONNECTION_STRING WINDOW_START WINDOW_END CHUNK_DAYS ROUNDS
//
// PHASE `connector` reads through the connector (lines "almanac round N: …"); `floor`,
// `floor-utf16` and `floor-text` read with the bare bound row-array loop of DriverFloor.swift
// ("floor round N: …"): `floor` binds every column as the connector does in this process,
// `floor-utf16` as the connector does outside a UTF-8 locale (text as UTF-16).
// Env ODBC_BENCH_FETCH_ROWS sets the row-array size of both (default: the connector's default).
//
// WINDOW_START / WINDOW_END are ISO instants (2026-01-01T00:00:00Z); the profile zone is UTC, so
// the bound wall-clock times equal them (the Python peer binds the same values).
import AlmanacCore
import Foundation
import Logging
import ODBCConnector

// As the almanac executable does: a UTF-8 LC_CTYPE, which lets text travel as UTF-8 (ODBCTextTransfer).
setlocale(LC_CTYPE, "C.UTF-8")

let args = CommandLine.arguments
let phases: [String: FloorBinding?] = [
    "connector": nil, "floor": .connector(.forCurrentLocale()), "floor-utf16": .connector(.utf16),
    "floor-text": .text,
]
guard args.count == 7, let phase = phases[args[1]], let chunkDays = Int(args[5]), let rounds = Int(args[6]) else {
    FileHandle.standardError.write(
        "usage: odbc-bench connector|floor|floor-utf16|floor-text CONNECTION_STRING WINDOW_START WINDOW_END CHUNK_DAYS ROUNDS\n"
            .data(using: .utf8)!)
    exit(64)
}
let fetchRows = ProcessInfo.processInfo.environment["ODBC_BENCH_FETCH_ROWS"].flatMap { Int($0) }
let iso = ISO8601DateFormatter()
guard let start = iso.date(from: args[3]), let end = iso.date(from: args[4]) else {
    FileHandle.standardError.write("bad window\n".data(using: .utf8)!)
    exit(64)
}

let query = """
    SELECT id AS external_id, subject AS title, notes AS content, room AS location,
           starts AS start_time, ends AS end_time, status, client_name AS participant_0_name,
           client_mobile AS participant_0_phone_mobile, client_email AS participant_0_email,
           kind AS appt_type, updated
    FROM bench_appointments
    WHERE starts >= :window_start AND starts < :window_end
    """
var context = ConnectorContext(
    profile: "bench", job: "appointments", side: .from, connectionName: "db",
    connection: ConfigTable(["connection_string": .string(args[2])]),
    jobSettings: ConfigTable(["read_query": .string(query)]),
    timeZone: TimeZone(identifier: "UTC")!, stateDirectory: URL(fileURLWithPath: "/tmp"),
    profileDirectory: URL(fileURLWithPath: "/tmp"), logger: Logger(label: "odbc-bench"))
if let fetchRows { context.connection["fetch_rows"] = .integer(fetchRows) }
let connector = try ODBCModule.make(context)
let window = TimeWindow(start: start, end: end)
/// The read query with `?` for the two window parameters (the floor binds them itself).
let floorQuery = query.replacingOccurrences(of: ":window_start", with: "?").replacingOccurrences(
    of: ":window_end", with: "?")

/// CPU seconds used so far by this process (every thread: the connector's fetch thread too), or
/// with `thread`, by the calling thread alone.
func cpuSeconds(thread: Bool = false) -> Double {
    var usage = rusage()
    getrusage(thread ? 1 /* RUSAGE_THREAD */ : RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

var best = 0.0
for round in 1...rounds {
    let cpuBefore = cpuSeconds()
    let mainBefore = cpuSeconds(thread: true)
    let clock = ContinuousClock()
    var rows = 0
    var problems = 0
    var checksum = 0
    let elapsed = try clock.measure {
        if let phase {
            let floor = driverFloor(
                connectionString: args[2], query: floorQuery, start: start, end: end, chunkDays: chunkDays,
                rowArraySize: fetchRows ?? 256, binding: phase)
            rows = floor.rows
            checksum = floor.checksum
            return
        }
        // The window in the engine's chunks (`SideReader`), each read whole by the connector.
        for chunk in window.chunks(days: chunkDays) {
            let page = try connector.read(ReadRequest(window: chunk))
            rows += page.items.count
            problems += page.problems.count
            // Touches each title in place (a `for item in` loop would copy every item).
            for i in page.items.indices { checksum &+= page.items[i].event.title?.utf8.count ?? 0 }
        }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let cpu = cpuSeconds() - cpuBefore
    let mainCPU = cpuSeconds(thread: true) - mainBefore
    let rate = Double(rows) / seconds
    best = max(best, rate)
    print(
        (phase == nil ? "almanac" : args[1])
            + String(
                format:
                    " round %d: %d rows (%d problems) in %.2f s = %.0f rows/s, %.2f CPU s = %.0f rows/CPU-s (checksum %d; %.2f CPU s on the calling thread)",
                round, rows, problems, seconds, rate, cpu, Double(rows) / cpu, checksum, mainCPU))
}
print((phase == nil ? "almanac" : args[1]) + String(format: " best: %.0f rows/s", best))
print(
    "bindings: "
        + (phase?.description
            ?? "text as \(ODBCTextTransfer.forCurrentLocale() == .utf8 ? "UTF-8 (SQL_C_CHAR)" : "UTF-16 (SQL_C_WCHAR)")")
)
