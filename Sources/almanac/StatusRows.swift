import AlmanacWire
import Foundation

/// What one line of `almanac status`'s table shows of a profile.
struct StatusRow {
    var name: String
    var state: String
    var since: Date
    var pid: Int32?
    var uptimeS: Int?
    var restarts: Int
    var health: String?
    var lastRun: (job: String, result: String, finished: Date)?
    var retryInS: Int?
    var nextRun: Date?
    var configError: [String]?
    var configHash: String?

    init(_ p: ProfileStatus) {
        name = p.name
        state = p.state
        since = p.since
        pid = p.pid
        uptimeS = p.uptimeS
        restarts = p.restarts
        health = p.health
        lastRun = p.lastRun.map { ($0.job, $0.result, $0.finished) }
        retryInS = p.retryInS
        nextRun = p.nextRun
        configError = p.configError
        configHash = p.configHash
    }

    fileprivate init() {
        name = ""
        state = ""
        since = Date(timeIntervalSince1970: 0)
        restarts = 0
    }

    /// The rows of a `GET /v1/profiles` body, read without `JSONDecoder`: with a thousand profiles
    /// the generic decoder was most of the command's CPU time. Reads the body the daemon writes
    /// (`Wire.encoder()`: dates as `YYYY-MM-DDTHH:MM:SSZ`) and skips the fields the table does not
    /// show; nil for anything else (another date form, a missing required field, bytes that are not
    /// JSON), which the caller then decodes as `StatusList` to get the same rows or its error.
    static func rows(fromBody body: [UInt8]) -> [StatusRow]? {
        var r = StatusReader(b: body)
        return try? r.list()
    }
}

/// A reader of the one shape `StatusRow.rows(fromBody:)` takes; throws `Unexpected` on the rest.
private struct StatusReader {
    struct Unexpected: Error {}

    let b: [UInt8]
    var i = 0

    mutating func list() throws -> [StatusRow] {
        var rows: [StatusRow]?
        var version: Int?  // required by `StatusList`
        try object { r, key in
            switch key {
            case "profiles":
                var list: [StatusRow] = []
                try r.array { list.append(try $0.row()) }
                rows = list
            case "v": version = try r.int()
            default: try r.skip()
            }
        }
        space()
        guard i == b.count, let rows, version != nil else { throw Unexpected() }
        return rows
    }

    private mutating func row() throws -> StatusRow {
        var row = StatusRow()
        var seen = 0  // name, state, since, restarts, enabled: required by `ProfileStatus`
        try object { r, key in
            switch key {
            case "name": (row.name, seen) = (try r.string(), seen | 1)
            case "state": (row.state, seen) = (try r.string(), seen | 2)
            case "since": (row.since, seen) = (try r.date(), seen | 4)
            case "restarts": (row.restarts, seen) = (try r.int(), seen | 8)
            case "enabled": (_, seen) = (try r.bool(), seen | 16)
            case "pid":
                row.pid = try r.orNull { r in
                    guard let pid = Int32(exactly: try r.int()) else { throw Unexpected() }
                    return pid
                }
            case "uptime_s": row.uptimeS = try r.orNull { try $0.int() }
            case "health": row.health = try r.orNull { try $0.string() }
            case "last_run": row.lastRun = try r.orNull { try $0.lastRun() }
            case "retry_in_s": row.retryInS = try r.orNull { try $0.int() }
            case "next_run": row.nextRun = try r.orNull { try $0.date() }
            case "config_error":
                row.configError = try r.orNull { r in
                    var list: [String] = []
                    try r.array { list.append(try $0.string()) }
                    return list
                }
            case "config_hash": row.configHash = try r.orNull { try $0.string() }
            default: try r.skip()
            }
        }
        guard seen == 31 else { throw Unexpected() }
        return row
    }

    private mutating func lastRun() throws -> (job: String, result: String, finished: Date) {
        var job: String?
        var result: String?
        var finished: Date?
        var others = 0  // run_id, duration_ms, to, from: required by `RunSummary`
        try object { r, key in
            switch key {
            case "job": job = try r.string()
            case "result": result = try r.string()
            case "finished": finished = try r.date()
            case "run_id", "duration_ms", "to", "from":
                others += 1
                try r.skip()
            default: try r.skip()
            }
        }
        guard let job, let result, let finished, others == 4 else { throw Unexpected() }
        return (job, result, finished)
    }

    // MARK: JSON

    private var peek: UInt8? { i < b.count ? b[i] : nil }

    private mutating func space() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private mutating func take(_ c: UInt8) throws {
        space()
        guard peek == c else { throw Unexpected() }
        i += 1
    }

    private mutating func object(_ member: (inout StatusReader, String) throws -> Void) throws {
        try take(UInt8(ascii: "{"))
        space()
        if peek == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            space()
            let key = try string()
            try take(UInt8(ascii: ":"))
            try member(&self, key)
            space()
            guard let c = peek else { throw Unexpected() }
            i += 1
            if c == UInt8(ascii: "}") { return }
            guard c == UInt8(ascii: ",") else { throw Unexpected() }
        }
    }

    private mutating func array(_ element: (inout StatusReader) throws -> Void) throws {
        try take(UInt8(ascii: "["))
        space()
        if peek == UInt8(ascii: "]") {
            i += 1
            return
        }
        while true {
            try element(&self)
            space()
            guard let c = peek else { throw Unexpected() }
            i += 1
            if c == UInt8(ascii: "]") { return }
            guard c == UInt8(ascii: ",") else { throw Unexpected() }
        }
    }

    private mutating func orNull<T>(_ value: (inout StatusReader) throws -> T) throws -> T? {
        space()
        if b[i...].starts(with: [0x6E, 0x75, 0x6C, 0x6C]) {  // null
            i += 4
            return nil
        }
        return try value(&self)
    }

    private mutating func string() throws -> String {
        try take(UInt8(ascii: "\""))
        let start = i
        while i < b.count, b[i] != 0x22, b[i] != 0x5C, b[i] >= 0x20 { i += 1 }
        guard i < b.count else { throw Unexpected() }
        if b[i] == 0x22 {  // no escapes: the common case
            i += 1
            let text = b[start..<i - 1]
            if text.contains(where: { $0 >= 0x80 }), String(validating: text, as: UTF8.self) == nil {
                throw Unexpected()
            }
            return String(decoding: text, as: UTF8.self)
        }
        var out = Array(b[start..<i])
        while true {
            guard i < b.count, b[i] >= 0x20 else { throw Unexpected() }
            let c = b[i]
            i += 1
            if c == 0x22 { break }
            guard c == 0x5C else {
                out.append(c)
                continue
            }
            guard i < b.count else { throw Unexpected() }
            let e = b[i]
            i += 1
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {  // a surrogate pair
                    guard b[i...].starts(with: [0x5C, UInt8(ascii: "u")]) else { throw Unexpected() }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Unexpected() }
                    scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw Unexpected() }
                out += Array(String(Character(u)).utf8)
            default: throw Unexpected()
            }
        }
        guard String(validating: out, as: UTF8.self) != nil else { throw Unexpected() }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count else { throw Unexpected() }
        var v: UInt32 = 0
        for c in b[i..<i + 4] {
            switch c {
            case 0x30...0x39: v = v << 4 | UInt32(c - 0x30)
            case 0x41...0x46: v = v << 4 | UInt32(c - 0x41 + 10)
            case 0x61...0x66: v = v << 4 | UInt32(c - 0x61 + 10)
            default: throw Unexpected()
            }
        }
        i += 4
        return v
    }

    /// An integer without fraction or exponent (what `JSONEncoder` writes for an `Int`).
    private mutating func int() throws -> Int {
        space()
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        let start = i
        var v = 0
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int(b[i] - 0x30))
            guard !o1, !o2 else { throw Unexpected() }
            v = s
            i += 1
        }
        guard i > start, i - start == 1 || b[start] != 0x30 else { throw Unexpected() }
        if let c = peek, c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            throw Unexpected()
        }
        return negative ? -v : v
    }

    private mutating func bool() throws -> Bool {
        space()
        if b[i...].starts(with: Array("true".utf8)) {
            i += 4
            return true
        }
        if b[i...].starts(with: Array("false".utf8)) {
            i += 5
            return false
        }
        throw Unexpected()
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as `Wire.encoder()` writes a date.
    private mutating func date() throws -> Date {
        try take(UInt8(ascii: "\""))
        guard i + 21 <= b.count, b[i + 20] == 0x22, let d = IdleHeartbeat.parseISO8601(b[i..<i + 20]) else {
            throw Unexpected()
        }
        i += 21
        return d
    }

    /// Skips one value of any kind (strings checked for their escapes, numbers as JSON numbers).
    private mutating func skip() throws {
        space()
        guard let c = peek else { throw Unexpected() }
        switch c {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"): try object { r, _ in try r.skip() }
        case UInt8(ascii: "["): try array { try $0.skip() }
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"):
            guard try orNull({ _ in 0 }) == nil else { throw Unexpected() }
        default:
            let start = i
            while i < b.count,
                b[i] == 0x2D || b[i] == 0x2B || b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45
                    || (b[i] >= 0x30 && b[i] <= 0x39)
            {
                i += 1
            }
            guard i > start, Double(String(decoding: b[start..<i], as: UTF8.self)) != nil else { throw Unexpected() }
        }
    }
}
