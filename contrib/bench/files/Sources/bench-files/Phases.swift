import AlmanacCore
import CLibXML2
import CSV
import CSVConnector
import Foundation
import Logging
import SwiftCSV
import XMLConnector

#if canImport(Glibc)
    import Glibc
#endif

/// What one phase measured, in its own process; printed as one JSON line (the Python peer prints
/// the same).
struct Figures: Codable {
    var rows: Int
    var bytes: Int
    /// Wall-clock time of the phase.
    var seconds: Double
    /// User + system CPU time of the phase: the rates use it, as other work shares the machine.
    var cpuSeconds: Double
    var peakRSSKB: Int
}

func cpuSeconds() -> Double {
    var ru = rusage()
    getrusage(RUSAGE_SELF.rawValue, &ru)
    return Double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + Double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6
}

func peakRSSKB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
    return 0
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
}

let zone = TimeZone(identifier: "America/Chicago")!
/// Every generated row starts in it.
let everything = TimeWindow(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 4_102_444_800))
/// One week of the generated data (2025-03-01 to 2025-03-08 UTC): what one `chunk_days = 7`
/// listing of the engine reads.
let week = TimeWindow(
    start: Date(timeIntervalSince1970: 1_740_787_200), end: Date(timeIntervalSince1970: 1_741_392_000))

func context(_ connection: [String: ConfigValue], dir: URL) -> ConnectorContext {
    ConnectorContext(
        profile: "bench", job: "files", side: .from, connectionName: "bench",
        connection: ConfigTable(connection), jobSettings: ConfigTable(), timeZone: zone,
        stateDirectory: dir, profileDirectory: dir, logger: Logger(label: "bench"))
}

/// Reads every page of `window`, keeping nothing: what a run costs the connector alone.
func drain(_ connector: any Connector, window: TimeWindow) throws -> Int {
    var request = ReadRequest(window: window)
    var rows = 0
    while true {
        let page = try connector.read(request)
        rows += page.items.count
        if !page.problems.isEmpty { fatalError("unexpected problems: \(page.problems.prefix(3))") }
        guard let next = page.continuation else { return rows }
        request.continuation = next
    }
}

func csvConnector(_ path: String, window: TimeWindow) throws -> Int {
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
    return try drain(
        try CSVModule.make(context(["path": .string(path), "settle": .string("0s")], dir: dir)), window: window)
}

func xmlConnector(_ path: String, window: TimeWindow) throws -> Int {
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
    let fields: [String: ConfigValue] = [
        "external_id": .string("@id"), "title": .string("Subject"), "start_time": .string("Start"),
        "end_time": .string("End"), "participant_0_name": .string("Client/Name"),
        "participant_0_email": .string("Client/Email"), "participant_0_phone_mobile": .string("Client/Mobile"),
    ]
    let connection: [String: ConfigValue] = [
        "path": .string(path), "settle": .string("0s"), "item": .string("/Appointments/Appointment"),
        "fields": .table(ConfigTable(fields)),
    ]
    return try drain(try XMLModule.make(context(connection, dir: dir)), window: window)
}

/// yaslab/CSV.swift: `CSVReader` over an `InputStream`, every row as `[String]`.
func csvSwiftRows(_ path: String) throws -> Int {
    guard let stream = InputStream(fileAtPath: path) else { fatalError("cannot open \(path)") }
    let reader = try CSVReader(stream: stream, hasHeaderRow: true)
    var rows = 0
    var fields = 0
    while let row = reader.next() {
        rows += 1
        fields &+= row.count
    }
    // On Linux, `InputStream.hasBytesAvailable` is still true at the end of a file, so the reader
    // reads past it and stops with `cannotReadFile` after the last row: not a failure (the driver
    // checks that every row was read).
    if let error = reader.error, !(error is CSVError && "\(error)" == "cannotReadFile") { throw error }
    precondition(fields >= rows)
    return rows
}

/// swiftcsv/SwiftCSV: the file as one `String` (its only way to read a file), the header parsed
/// by `EnumeratedCSV`, then every row as `[String]` through `enumerateAsArray` (not kept: with
/// `rowLimit` nil the initializer would hold every row of the file).
func swiftCSVRows(_ path: String) throws -> Int {
    final class Count { var rows = 0, fields = 0 }
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false, rowLimit: 0)
    let count = Count()
    try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { row in
        count.rows += 1
        count.fields &+= row.count
    }
    precondition(count.fields >= count.rows)
    return count.rows
}

/// A plain line split, for scale: 1 MiB `read`s, `memchr` for line ends, a `String` per line.
func lineSplit(_ path: String) -> Int {
    let fd = open(path, O_RDONLY)
    precondition(fd >= 0)
    defer { close(fd) }
    let size = 1 << 20
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size * 2)
    defer { buffer.deallocate() }
    var carried = 0
    var lines = 0
    var checksum = 0
    while true {
        let n = read(fd, buffer + carried, size)
        if n <= 0 { break }
        let end = carried + n
        var start = 0
        while start < end, let nl = memchr(buffer + start, 0x0A, end - start) {
            let at = UnsafeMutablePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - buffer
            let line = String(decoding: UnsafeBufferPointer(start: buffer + start, count: at - start), as: UTF8.self)
            checksum &+= line.utf8.count
            lines += 1
            start = at + 1
        }
        carried = end - start
        if carried > 0 { memmove(buffer, buffer + start, carried) }
    }
    precondition(checksum > 0)
    return lines - 1
}

/// The bare libxml2 `xmlTextReader` loop: reads every node and does nothing else but count the
/// item elements (their names are interned: one pointer comparison per element).
func libxml2Loop(_ path: String, item: String) -> Int {
    almanac_xml_silence()
    guard let reader = xmlReaderForFile(path, nil, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_COMPACT.rawValue)) else {
        fatalError("cannot open \(path)")
    }
    defer { xmlFreeTextReader(reader) }
    let name = xmlTextReaderConstString(reader, item)
    var items = 0
    while xmlTextReaderRead(reader) == 1 {
        if xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue),
            let local = xmlTextReaderConstLocalName(reader), local == name || xmlStrEqual(local, name) != 0
        {
            items += 1
        }
    }
    return items
}

/// The phases this binary runs itself (`bench-files phase NAME FILE`).
let swiftPhases = ["csv", "csv-week", "csv.swift", "swiftcsv", "lines", "xml", "xml-week", "libxml2"]

/// Runs phase `name` on `path` in this process and prints its `Figures`.
func phase(_ name: String, _ path: String) throws {
    let started = Date()
    let cpuStarted = cpuSeconds()
    let rows: Int
    switch name {
    case "csv": rows = try csvConnector(path, window: everything)
    case "csv-week": rows = try csvConnector(path, window: week)
    case "csv.swift": rows = try csvSwiftRows(path)
    case "swiftcsv": rows = try swiftCSVRows(path)
    case "lines": rows = lineSplit(path)
    case "xml": rows = try xmlConnector(path, window: everything)
    case "xml-week": rows = try xmlConnector(path, window: week)
    case "libxml2": rows = libxml2Loop(path, item: "Appointment")
    default: fatalError("unknown phase \(name)")
    }
    let f = Figures(
        rows: rows, bytes: fileSize(path), seconds: Date().timeIntervalSince(started),
        cpuSeconds: cpuSeconds() - cpuStarted, peakRSSKB: peakRSSKB())
    print(String(decoding: try JSONEncoder().encode(f), as: UTF8.self))
}
