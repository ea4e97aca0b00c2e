// Reads an appointment-shaped table through the odbc connector, exactly as a sync run does
// (window in chunk_days chunks, rows mapped to events), and prints rows/s.
//
//   odbc-bench CONNECTION_STRING WINDOW_START WINDOW_END CHUNK_DAYS ROUNDS
//
// WINDOW_START / WINDOW_END are ISO instants (2026-01-01T00:00:00Z); the profile zone is UTC, so
// the bound wall-clock times equal them (the Python peer binds the same values).
import AlmanacCore
import Foundation
import Logging
import ODBCConnector

let args = CommandLine.arguments
guard args.count == 6, let chunkDays = Int(args[4]), let rounds = Int(args[5]) else {
    FileHandle.standardError.write(
        "usage: odbc-bench CONNECTION_STRING WINDOW_START WINDOW_END CHUNK_DAYS ROUNDS\n".data(using: .utf8)!)
    exit(64)
}
let iso = ISO8601DateFormatter()
guard let start = iso.date(from: args[2]), let end = iso.date(from: args[3]) else {
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
    connection: ConfigTable(["connection_string": .string(args[1])]),
    jobSettings: ConfigTable(["read_query": .string(query)]),
    timeZone: TimeZone(identifier: "UTC")!, stateDirectory: URL(fileURLWithPath: "/tmp"),
    profileDirectory: URL(fileURLWithPath: "/tmp"), logger: Logger(label: "odbc-bench"))
context.chunkDays = chunkDays
let connector = try ODBCModule.make(context)
let window = TimeWindow(start: start, end: end)

/// CPU seconds used by this process so far (every thread: the connector's fetch thread too).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

var best = 0.0
for round in 1...rounds {
    let cpuBefore = cpuSeconds()
    let clock = ContinuousClock()
    var rows = 0
    var problems = 0
    var checksum = 0
    let elapsed = try clock.measure {
        var continuation: String?
        repeat {
            let page = try connector.read(ReadRequest(window: window, continuation: continuation))
            rows += page.items.count
            problems += page.problems.count
            for item in page.items { checksum &+= item.event.title?.utf8.count ?? 0 }
            continuation = page.continuation
        } while continuation != nil
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let cpu = cpuSeconds() - cpuBefore
    let rate = Double(rows) / seconds
    best = max(best, rate)
    print(
        String(
            format:
                "almanac round %d: %d rows (%d problems) in %.2f s = %.0f rows/s, %.2f CPU s = %.0f rows/CPU-s (checksum %d)",
            round, rows, problems, seconds, rate, cpu, Double(rows) / cpu, checksum))
}
print(String(format: "almanac best: %.0f rows/s", best))
