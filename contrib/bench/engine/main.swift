import AlmanacCore
import AlmanacSync
import Foundation

// Engine benchmark: plans a 100,000-item no-change run (both sides read, every item in the
// state, nothing changed) and prints items/s, beside peers measured in the same run:
// JSON-encoding the same events with Foundation, and loading the item map from the state file.
// Target (issue 4): the plan in ≤ 1 s in a release build.

let count = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 100_000
let zone = TimeZone(identifier: "America/Chicago")!
let base = Date(timeIntervalSince1970: 1_899_158_400)

func event(_ i: Int) -> Event {
    let start = base.addingTimeInterval(Double(i % 2_000) * 1_800)
    return Event(
        title: "Appointment \(i)", description: "Check-up, bring the forms", location: "Room \(i % 12)",
        start: .instant(start, timeZone: zone.identifier),
        end: .instant(start.addingTimeInterval(1_800), timeZone: zone.identifier),
        participants: [
            Participant(
                name: "Client \(i)", email: "client\(i)@example.org",
                phones: [.mobile: "+1555\(1_000_000 + i)"])
        ],
        custom: ["appt_type": "checkup"])
}

/// CPU seconds of this thread (the machine may be shared: wall time is printed too).
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Wall and CPU seconds of `body`.
func time(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    let c0 = cpuNow()
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, cpuNow() - c0)
}

/// A connector that is never called: the benchmark plans from prepared reads.
final class Idle: Connector {
    var capabilities: ConnectorCapabilities { [.read, .write, .delete, .changeFeed] }
    func read(_ request: ReadRequest) throws -> ReadPage { ReadPage(items: [], coverage: .delta) }
    func write(_ changes: [Change]) throws -> [WriteOutcome] { [] }
    func testConnection() -> ConnectionReport { ConnectionReport(steps: []) }
}

let profileText = """
    timezone = "America/Chicago"
    [connections.a]
    connector = "x"
    [connections.b]
    connector = "x"
    [[jobs]]
    name = "j"
    from = "a"
    to = "b"
    direction = "two-way"
    """
enum X: ConnectorModule {
    static let kind = "x"
    static let summary = "benchmark"
    static let connectionSettings: [SettingSpec] = []
    static let sourceSettings: [SettingSpec] = []
    static let targetSettings: [SettingSpec] = []
    static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed]
    }
    static func make(_ context: ConnectorContext) throws -> any Connector { Idle() }
}

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let profilePath = dir.appendingPathComponent("bench.toml")
try Data(profileText.utf8).write(to: profilePath)
guard case .success(let profile) = ProfileLoader(connectors: [X.self]).load(path: profilePath.path).result else {
    fatalError("benchmark profile does not load")
}
let job = try SyncJob(profile: "bench", config: profile.jobs[0], timeZone: zone, from: Idle(), to: Idle())

// Prepared inputs: the same events on both sides, the state that a previous run left.
let events = (0..<count).map(event)
var fromRead = SideRead()
var toRead = SideRead()
var states: [ItemState] = []
states.reserveCapacity(count)
for (i, e) in events.enumerated() {
    let toKey = DeterministicID.make(profile: "bench", job: "j", direction: .to, sourceKey: "A\(i)", generation: 0)
    fromRead.items["A\(i)"] = SourceItem(key: "A\(i)", version: "1", event: e)
    toRead.items[toKey] = SourceItem(key: toKey, version: "1", event: e)
    let h = job.projection.hash(e)
    var s = ItemState(
        id: Int64(i + 1), keyFrom: "A\(i)", keyTo: toKey, hashFrom: h, hashTo: h, versionFrom: "1",
        versionTo: "1")
    s.setBase(e, zone: zone)
    states.append(s)
}
fromRead.covered = [TimeWindow(start: base.addingTimeInterval(-86_400), end: base.addingTimeInterval(90 * 86_400))]
toRead.covered = fromRead.covered

var plan: Plan?
let (planSeconds, planCPU) = time { plan = job.plan(states: states, from: fromRead, to: toRead) }
if ProcessInfo.processInfo.environment["BENCH_PLAN_ONLY"] != nil {
    for _ in 0..<5 { _ = job.plan(states: states, from: fromRead, to: toRead) }
    print(planSeconds, planCPU)
    exit(0)
}
precondition(plan!.unchanged == count && plan!.actions.isEmpty, "the no-change plan is not empty")

let store = try StateStore(path: dir.appendingPathComponent("bench.sqlite").path)
_ = try time {
    try store.commit(
        job: "j",
        upserts: states.map {
            var s = $0
            s.id = nil
            return s
        })
}
var loaded: [ItemState] = []
let (loadSeconds, loadCPU) = try time { loaded = try store.items(job: "j") }
precondition(loaded.count == count)
let encoder = JSONEncoder()
let (jsonSeconds, jsonCPU) = try time { _ = try encoder.encode(events) }

func rate(_ s: Double) -> String { String(format: "%9.0f items/s", Double(count) / s) }
print("engine benchmark, \(count) items, no changes (wall and CPU time of this thread; the machine may be shared)")
print(
    String(
        format: "  plan (hash both sides, compare to state)  wall %7.3f s %@   cpu %7.3f s %@", planSeconds,
        rate(planSeconds), planCPU, rate(planCPU)))
print(
    String(
        format: "  state: load item map (GRDB)              wall %7.3f s %@   cpu %7.3f s %@", loadSeconds,
        rate(loadSeconds), loadCPU, rate(loadCPU)))
print(
    String(
        format: "  peer: JSONEncoder over the same events   wall %7.3f s %@   cpu %7.3f s %@", jsonSeconds,
        rate(jsonSeconds), jsonCPU, rate(jsonCPU)))
print(
    String(
        format: "  ratio plan / JSON encode (cpu): %.2f   target plan <= 1 s: %@ (cpu), %@ (wall)", planCPU / jsonCPU,
        planCPU <= 1 ? "met" : "NOT met", planSeconds <= 1 ? "met" : "NOT met"))
