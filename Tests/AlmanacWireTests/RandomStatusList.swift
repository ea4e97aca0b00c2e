import AlmanacCore
import AlmanacTestKit
import AlmanacWire
import Foundation

/// Random `StatusList`s from a seed, reaching for what a JSON writer gets wrong: every optional
/// present or absent, strings with quotes, backslashes, every control character, `/`, DEL,
/// U+2028/U+2029, non-ASCII and emoji, dates with fractions, before 1970, before 1583 and past 9999,
/// integers at their extremes.
struct RandomStatusList {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(state: seed) }

    mutating func list() -> StatusList {
        var list = StatusList(profiles: (0..<random.below(4)).map { _ in profile() })
        list.v = chance(8) ? int() : Wire.version
        list.total = maybe { $0.int() }
        list.failing = maybe { $0.int() }
        list.offset = maybe { $0.int() }
        list.limit = maybe { $0.int() }
        return list
    }

    mutating func profile() -> ProfileStatus {
        var p = ProfileStatus(name: string(), state: string(), since: date(), restarts: int(), enabled: chance(2))
        p.pid = maybe { Int32(truncatingIfNeeded: $0.int()) }
        p.uptimeS = maybe { $0.int() }
        p.file = maybe { $0.string() }
        p.job = maybe { $0.string() }
        p.progress = maybe { r in RunProgress(phase: r.string(), done: r.int(), total: r.maybe { $0.int() }) }
        p.nextRun = maybe { $0.date() }
        p.retryAt = maybe { $0.date() }
        p.retryInS = maybe { $0.int() }
        p.lastRun = maybe { $0.run() }
        p.lastError = maybe { $0.string() }
        p.health = maybe { $0.string() }
        p.jobs = maybe { $0.some { $0.job() } }
        p.connections = maybe { $0.some { $0.connection() } }
        p.configError = maybe { $0.some { $0.string() } }
        p.configHash = maybe { $0.string() }
        return p
    }

    mutating func run() -> RunSummary {
        RunSummary(
            PipeMessage.RunFinished(
                runID: string(), job: string(), trigger: maybe { $0.string() }, result: string(), to: counts(),
                from: counts(), started: maybe { $0.date() }, durationMS: int(), errorCode: maybe { $0.string() },
                error: maybe { $0.string() }, cause: maybe { $0.some { $0.string() } }, requestIDs: [],
                batchDone: true, dryRun: maybe { $0.chance(2) }),
            finished: date())
    }

    mutating func job() -> JobStatus {
        JobStatus(name: string(), lastRun: maybe { $0.run() }, lastDryRun: maybe { $0.run() })
    }

    mutating func connection() -> ConnectionHealth {
        let states: [ConnectionHealth.State] = [.ok, .failing, .reconnectRequired]
        return ConnectionHealth(
            name: string(), state: states[random.below(states.count)], since: date(), checked: date(),
            errorCode: maybe { $0.string() }, error: maybe { $0.string() })
    }

    mutating func counts() -> ActionCounts {
        var c = ActionCounts()
        c.created = int()
        c.updated = int()
        c.deleted = int()
        c.confirmed = int()
        c.cancelled = int()
        c.conflicts = int()
        c.skipped = int()
        c.failed = int()
        c.unchanged = int()
        return c
    }

    /// The characters a string is made of: every control character and the other ASCII that
    /// escaping touches, plus some that it must leave alone.
    static let alphabet: [Unicode.Scalar] =
        (0..<0x20).map { Unicode.Scalar(UInt8($0)) }
        + ["\"", "\\", "/", "\u{7F}", "\u{80}", "\u{9F}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFF}"]
        + ["é", "ß", "中", "😀", "\u{1F1EB}", "\u{301}", " ", "'", "<", "&", "a", "Z", "0", "_", "-", "~"]

    mutating func string() -> String {
        if chance(6) { return "" }
        if chance(3) {
            return ["clinic", "idle", "appointments", "success", "a/b.toml", "2026-11-21"][random.below(6)]
        }
        var s = String.UnicodeScalarView()
        for _ in 0..<(1 + random.below(12)) {
            s.append(Self.alphabet[random.below(Self.alphabet.count)])
        }
        return String(s)
    }

    mutating func int() -> Int {
        switch random.below(6) {
        case 0: return [0, -1, 1, Int.max, Int.min, Int.max - 1, Int.min + 1, 9, 10, -10][random.below(10)]
        case 1: return Int(truncatingIfNeeded: random.next())
        case 2: return -random.below(1_000_000)
        default: return random.below(100_000)
        }
    }

    /// Seconds since 1970 of 1583-01-01 and of the end of 9999, where `WireJSONWriter` stops.
    static let first = -12_212_553_600.0
    static let last = 253_402_300_799.0

    mutating func date() -> Date {
        let whole = Double(Int(truncatingIfNeeded: random.next() % 2_000_000_000))
        switch random.below(20) {
        case 0: return Date(timeIntervalSince1970: [0, -1, -0.5, 0.5, 1e-9, -1e-9][random.below(6)])
        case 1: return Date(timeIntervalSince1970: whole + Double(random.below(1000)) / 1000)
        case 2: return Date(timeIntervalSince1970: -whole - Double(random.below(1000)) / 1000)
        case 3: return Date(timeIntervalSinceReferenceDate: Double(random.below(2_000_000_000)).nextDown)
        case 4:
            let span = Self.last - Self.first
            return Date(timeIntervalSince1970: Self.first + span * Double(random.below(1 << 20)) / Double(1 << 20))
        case 5:
            let edges = [Self.first, Self.first - 1, Self.first - 0.5, Self.last, Self.last + 1, Self.last + 0.999]
            return Date(timeIntervalSince1970: edges[random.below(edges.count)])
        case 6: return [Date.distantPast, Date.distantFuture, Date(timeIntervalSince1970: 1e13)][random.below(3)]
        default: return Date(timeIntervalSince1970: 1_700_000_000 + whole / 10)
        }
    }

    mutating func chance(_ oneIn: Int) -> Bool { random.below(oneIn) == 0 }

    mutating func maybe<Value>(_ make: (inout Self) -> Value) -> Value? { chance(2) ? make(&self) : nil }

    /// Zero to three values.
    mutating func some<Value>(_ make: (inout Self) -> Value) -> [Value] {
        (0..<random.below(4)).map { _ in make(&self) }
    }
}
