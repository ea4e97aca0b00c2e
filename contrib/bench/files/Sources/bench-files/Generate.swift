import AlmanacCore
import Foundation

/// SplitMix64: the same seed makes the same files on every machine.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// One generated appointment: what a practice export carries, drawn from the seeded generator.
struct Appointment {
    var id: Int
    var start: String
    var end: String
    var room: Int
    var status: String
    var hasNotes: Bool
    var client: Int
    var mobile: Int
    var kind: String

    static let first = CivilDate(year: 2025, month: 1, day: 1)
    static let kinds = ["checkup", "cleaning", "xray", "consult"]

    /// Rows in no particular date order (exports are often sorted by id, not by time), over two
    /// years from 2025-01-01, 15-minute slots from 08:00, 15 to 90 minutes long.
    init(_ id: Int, _ random: inout SeededRandom) {
        self.id = id
        let day = Appointment.first.adding(days: random.below(730)).description
        let minute = 8 * 60 + random.below(40) * 15
        let length = 15 * (1 + random.below(6))
        start = String(format: "%@T%02d:%02d:00", day, minute / 60, minute % 60)
        end = String(format: "%@T%02d:%02d:00", day, (minute + length) / 60, (minute + length) % 60)
        room = random.below(12)
        let s = random.below(20)
        status = s == 0 ? "cancelled" : s < 3 ? "tentative" : "confirmed"
        hasNotes = random.below(4) != 0
        client = random.below(50_000)
        mobile = 1_000_000 + random.below(9_000_000)
        kind = Appointment.kinds[random.below(4)]
    }

    static let csvHeader =
        "external_id,title,content,location,start_time,end_time,status,participant_0_name,participant_0_email,participant_0_phone_mobile,appt_type\r\n"

    /// A CSV row: a quoted comma in the title and the name, doubled quotes in the notes.
    var csv: String {
        "A\(id),\"Check-up, routine\",\(hasNotes ? "\"Bring the \"\"blue\"\" card\"" : ""),Room \(room),\(start),\(end),"
            + "\(status),\"Doe, Jane \(client)\",jane\(client)@example.org,+1555\(mobile),\(kind)\r\n"
    }

    /// An XML item: an attribute, CDATA, a nested client element.
    var xml: String {
        "  <Appointment id=\"A\(id)\">\n    <Subject>Check-up, routine</Subject>\n"
            + (hasNotes ? "    <content><![CDATA[Bring the \"blue\" card & <this>]]></content>\n" : "")
            + "    <location>Room \(room)</location>\n"
            + "    <Start>\(start)</Start>\n    <End>\(end)</End>\n    <status>\(status)</status>\n"
            + "    <Client><Name>Doe, Jane \(client)</Name><Email>jane\(client)@example.org</Email>"
            + "<Mobile>+1555\(mobile)</Mobile></Client>\n"
            + "    <appt_type>\(kind)</appt_type>\n  </Appointment>\n"
    }
}

/// Writes `path` (when it is not there yet) in 1 MiB chunks until it reaches `bytes`, from
/// `record(i)`; returns the records written, or -1 when the file was kept from before.
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

/// The CSV and XML files of `sizeMB` MB from `seed` in `dir` (made once, kept for later runs).
func generateFiles(sizeMB: Int, seed: UInt64, dir: String) throws -> (csv: String, xml: String) {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    // Named by size and seed: a file generated for other settings is never mistaken for this one.
    let csv = dir + "/appointments-\(sizeMB)MB-seed\(seed).csv"
    let xml = dir + "/appointments-\(sizeMB)MB-seed\(seed).xml"
    var random = SeededRandom(seed: seed)
    _ = generate(csv, bytes: sizeMB << 20, head: Appointment.csvHeader, tail: "") { i in
        Appointment(i, &random).csv
    }
    random = SeededRandom(seed: seed)
    _ = generate(
        xml, bytes: sizeMB << 20, head: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Appointments>\n",
        tail: "</Appointments>\n"
    ) { i in Appointment(i, &random).xml }
    return (csv, xml)
}
