// Benchmark of the csv and xml connectors against their floors, on generated ~200 MB files.
//
//   bench-files [--size-mb N] [--dir DIR]     generate (once) and measure; prints a table
//   bench-files phase NAME FILE               one measurement in this process (used by the above)
//
// Every phase runs in its own process so that its peak RSS (VmHWM) is its own. Floors:
// `csv-floor` splits the CSV into lines (a String per line) with the same 1 MiB reads;
// `xml-floor` is the bare xmlTextReader loop over the XML, counting item elements.
// `csv-tokenize` and `csv-decode` are the connector's own first stages alone (RFC 4180 split;
// split + a String per field), to show where the time of a full read goes.
import AlmanacCore
import CLibXML2
import CSVConnector
import FileConnectorSupport
import Foundation
import Logging
import XMLConnector

#if canImport(Glibc)
    import Glibc
#endif

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
let window = TimeWindow(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 4_102_444_800))

func context(_ connection: [String: ConfigValue], dir: URL) -> ConnectorContext {
    ConnectorContext(
        profile: "bench", job: "files", side: .from, connectionName: "bench",
        connection: ConfigTable(connection), jobSettings: ConfigTable(), timeZone: zone,
        stateDirectory: dir, profileDirectory: dir, logger: Logger(label: "bench"))
}

/// One week of the generated data: what one `chunk_days = 7` listing reads.
let week = TimeWindow(
    start: Date(timeIntervalSince1970: 1_740_787_200), end: Date(timeIntervalSince1970: 1_741_392_000))

/// Reads every page of `window`, keeping nothing: what a run costs the connector alone.
func drain(_ connector: any Connector, window: TimeWindow = window) throws -> Int {
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

func csvFloor(_ path: String) -> Int {
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

func xmlFloor(_ path: String, item: String) -> Int {
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

func phase(_ name: String, _ path: String) throws {
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
    let started = Date()
    let cpuStarted = cpuSeconds()
    let rows: Int
    switch name {
    case "csv-floor": rows = csvFloor(path)
    case "csv-tokenize": rows = try CSVBenchmarkProbe.records(path, decode: false)
    case "csv-decode": rows = try CSVBenchmarkProbe.records(path, decode: true)
    case "xml-floor": rows = xmlFloor(path, item: "Appointment")
    case "csv", "csv-week":
        rows = try drain(
            try CSVModule.make(context(["path": .string(path), "settle": .string("0s")], dir: dir)),
            window: name == "csv" ? window : week)
    case "xml", "xml-week":
        rows = try drain(
            try XMLModule.make(
                context(
                    [
                        "path": .string(path), "settle": .string("0s"), "item": .string("/Appointments/Appointment"),
                        "fields": .table(
                            ConfigTable([
                                "external_id": .string("@id"), "title": .string("Subject"),
                                "start_time": .string("Start"),
                                "end_time": .string("End"), "participant_0_name": .string("Client/Name"),
                                "participant_0_email": .string("Client/Email"),
                                "participant_0_phone_mobile": .string("Client/Mobile"),
                            ])),
                    ], dir: dir)), window: name == "xml" ? window : week)
    default: fatalError("unknown phase \(name)")
    }
    let f = Figures(
        rows: rows, bytes: fileSize(path), seconds: Date().timeIntervalSince(started),
        cpuSeconds: cpuSeconds() - cpuStarted, peakRSSKB: peakRSSKB())
    print(String(decoding: try JSONEncoder().encode(f), as: UTF8.self))
}

/// Writes `path` in 1 MiB chunks until it reaches `bytes`, from `record(i)`.
func generate(_ path: String, bytes: Int, head: String, tail: String, record: (Int) -> String) -> Int {
    guard fileSize(path) == 0 else { return -1 }
    _ = FileManager.default.createFile(atPath: path + ".gen", contents: nil)
    let h = FileHandle(forWritingAtPath: path + ".gen")!
    var chunk = head
    var written = 0
    var i = 0
    while written + chunk.utf8.count < bytes {
        chunk += record(i)
        i += 1
        if chunk.utf8.count > 1 << 20 {
            h.write(Data(chunk.utf8))
            written += chunk.utf8.count
            chunk = ""
        }
    }
    h.write(Data((chunk + tail).utf8))
    try? h.close()
    rename(path + ".gen", path)
    return i
}

func stamp(_ i: Int) -> (String, String) {
    let day = i / 40 % 700
    let date = CivilDate(year: 2025, month: 1, day: 1).adding(days: day)
    let minute = 8 * 60 + (i % 40) * 15
    let s = String(format: "%@T%02d:%02d:00", date.description, minute / 60, minute % 60)
    let e = String(format: "%@T%02d:%02d:00", date.description, (minute + 15) / 60, (minute + 15) % 60)
    return (s, e)
}

func driver(sizeMB: Int, dir: String) throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    // Named by size: a file generated for another --size-mb is never mistaken for this one.
    let csv = dir + "/appointments-\(sizeMB)MB.csv", xml = dir + "/appointments-\(sizeMB)MB.xml"
    let bytes = sizeMB << 20
    let t0 = Date()
    _ = generate(
        csv, bytes: bytes,
        head:
            "external_id,title,content,location,start_time,end_time,status,participant_0_name,participant_0_email,participant_0_phone_mobile,appt_type\r\n",
        tail: ""
    ) { i in
        let (s, e) = stamp(i)
        return "A\(i),\"Check-up, routine\",\"Bring the \"\"blue\"\" card\",Room \(i % 9),\(s),\(e),confirmed,"
            + "\"Doe, Jane \(i)\",jane\(i)@example.org,+1555\(1_000_000 + i % 9_000_000),checkup\r\n"
    }
    _ = generate(
        xml, bytes: bytes, head: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Appointments>\n",
        tail: "</Appointments>\n"
    ) { i in
        let (s, e) = stamp(i)
        return "  <Appointment id=\"A\(i)\">\n    <Subject>Check-up, routine</Subject>\n"
            + "    <content><![CDATA[Bring the \"blue\" card & <this>]]></content>\n    <location>Room \(i % 9)</location>\n"
            + "    <Start>\(s)</Start>\n    <End>\(e)</End>\n    <status>confirmed</status>\n"
            + "    <Client><Name>Doe, Jane \(i)</Name><Email>jane\(i)@example.org</Email><Mobile>+1555\(1_000_000 + i % 9_000_000)</Mobile></Client>\n"
            + "    <appt_type>checkup</appt_type>\n  </Appointment>\n"
    }
    print(
        String(
            format: "files in %@ (generated or reused in %.1f s): csv %d MB, xml %d MB", dir,
            Date().timeIntervalSince(t0), fileSize(csv) >> 20, fileSize(xml) >> 20))

    func run(_ name: String, _ path: String) throws -> Figures {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["phase", name, path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { fatalError("phase \(name) failed") }
        return try JSONDecoder().decode(Figures.self, from: data)
    }
    print("")
    print("rates use CPU time (user + system) of each phase, which runs alone in its own process")
    print("phase        rows        wall s   cpu s    rows/s       MB/s    peak RSS   vs floor (floor cpu / cpu)")
    func show(_ name: String, _ f: Figures, floor: Figures?) {
        let rowsPerSecond = Double(f.rows) / f.cpuSeconds
        let mbPerSecond = Double(f.bytes) / 1_048_576 / f.cpuSeconds
        let ratio = floor.map { String(format: "%.2f×", $0.cpuSeconds / f.cpuSeconds) } ?? "—"
        let cells = [
            name, String(f.rows), String(format: "%.2f", f.seconds), String(format: "%.2f", f.cpuSeconds),
            String(format: "%.0f", rowsPerSecond), String(format: "%.1f", mbPerSecond),
            String(format: "%.1f MB", Double(f.peakRSSKB) / 1024), ratio,
        ]
        let widths = [13, 12, 9, 9, 13, 8, 11, 8]
        print(
            zip(cells, widths).map { c, w in c.padding(toLength: max(w, c.count), withPad: " ", startingAt: 0) }
                .joined())
    }
    let csvFloor = try run("csv-floor", csv)
    let csvTokenize = try run("csv-tokenize", csv)
    let csvDecode = try run("csv-decode", csv)
    let csvConnector = try run("csv", csv)
    let xmlFloor = try run("xml-floor", xml)
    let xmlConnector = try run("xml", xml)
    let csvWeek = try run("csv-week", csv)
    let xmlWeek = try run("xml-week", xml)
    show("csv-floor", csvFloor, floor: nil)
    show("csv-tokenize", csvTokenize, floor: csvFloor)
    show("csv-decode", csvDecode, floor: csvFloor)
    show("csv", csvConnector, floor: csvFloor)
    show("xml-floor", xmlFloor, floor: nil)
    show("xml", xmlConnector, floor: xmlFloor)
    print("")
    print("one week's chunk (rows = items listed; rows outside it are skipped before mapping):")
    show("csv-week", csvWeek, floor: csvFloor)
    show("xml-week", xmlWeek, floor: xmlFloor)
    precondition(csvConnector.rows == csvFloor.rows, "csv rows \(csvConnector.rows) ≠ lines \(csvFloor.rows)")
    precondition(xmlConnector.rows == xmlFloor.rows, "xml items \(xmlConnector.rows) ≠ elements \(xmlFloor.rows)")
    print("")
    print(
        String(
            format: "target ≥ 0.50× the floor: csv %.2f×, xml %.2f×", csvFloor.cpuSeconds / csvConnector.cpuSeconds,
            xmlFloor.cpuSeconds / xmlConnector.cpuSeconds))
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "phase", args.count == 3 {
    try phase(args[1], args[2])
} else {
    var sizeMB = 200
    var dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-files").path
    while !args.isEmpty {
        let a = args.removeFirst()
        if a == "--size-mb", let v = args.first.flatMap(Int.init) {
            sizeMB = v; args.removeFirst()
        } else if a == "--dir", let v = args.first {
            dir = v; args.removeFirst()
        } else {
            print("usage: bench-files [--size-mb N] [--dir DIR]"); exit(64)
        }
    }
    try driver(sizeMB: sizeMB, dir: dir)
}
