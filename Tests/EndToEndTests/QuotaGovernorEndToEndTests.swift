import AlmanacWire
import FakeCalendars
import Foundation
import Testing

/// The quota governor with the built binary and the fake Google (README "Quota governor"):
/// profiles of one OAuth client share one bucket, measured on the fake's request log.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct QuotaGovernorEndToEndTests {
    static let clientID = "almanac-quota"

    /// A daemon over `profiles` (name, calendar, rows, batch size) writing SQLite rows to the fake
    /// Google, with `quota` as its `almanac.toml`.
    final class Setup {
        let dir = TempDirectory("quota")
        let account: FakeGoogleAccount
        let daemon: DaemonHarness

        init(
            quota: String, profiles: [(name: String, calendar: String, rows: Int, batch: Int)],
            calendarSettings: String = ""
        ) throws {
            account = try FakeGoogleAccount(in: dir, clientID: QuotaGovernorEndToEndTests.clientID)
            let day = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
            for p in profiles {
                let db = dir.path + "/\(p.name).db"
                // Rows made by SQLite itself: 10,000 of them do not fit on a command line.
                let t = "\(Int(day)) + 86400 * (1 + i % 20) + (i / 20) * 60"
                let sql = """
                    CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, starts TEXT, ends TEXT);
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < \(p.rows))
                    INSERT INTO appointments SELECT i + 1, 'Visit ' || i, datetime(\(t), 'unixepoch'),
                    datetime(\(t) + 60, 'unixepoch') FROM n;
                    """
                _ = try DemoWriteBackTests.sqlite(db, sql)
                let calendar = account.connection("calendar").replacingOccurrences(
                    of: "calendar_id = \"primary\"",
                    with: "calendar_id = \"\(p.calendar)\"\nbatch_size = \(p.batch)\n\(calendarSettings)")
                try account.writeProfile(
                    p.name, in: dir,
                    """
                    timezone = "UTC"
                    [schedule]
                    manual = true
                    [connections.db]
                    connector = "odbc"
                    connection_string = "Driver=SQLite3;Database=\(db);"
                    \(calendar)
                    [[jobs]]
                    name = "appointments"
                    from = "db"
                    to = "calendar"
                    window = { past_days = 1, future_days = 30, chunk_days = 31 }
                    [jobs.source]
                    read_query = '''
                    SELECT id AS external_id, subject AS title, starts AS start_time, ends AS end_time
                    FROM appointments
                    WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
                    '''
                    """)
            }
            try dir.write("almanac.toml", quota)
            daemon = try DaemonHarness()
            daemon.sharedProfiles = dir.path + "/profiles"
            try daemon.start(
                arguments: ["--config", dir.path + "/almanac.toml"],
                environment: [FakeGoogleAccount.tokenVariable: account.refreshToken])
            for p in profiles { _ = try daemon.waitReady(p.name, timeout: 60) }
        }

        deinit { account.server.stop() }

        /// `almanac sync NAME --wait` for each name at once; their outputs by name.
        func syncAll(_ names: [String], stagger: Double = 0, head: Double = 0) -> [String: (code: Int32, out: String)] {
            let results = Locked<[String: (code: Int32, out: String)]>([:])
            let threads = names.enumerated().map { i, name in
                Thread { [daemon] in
                    Thread.sleep(forTimeInterval: stagger * Double(i) + (i == 0 ? 0 : head))
                    let r = (try? daemon.cli(["sync", name, "--wait"])).map { ($0.code, $0.out + $0.err) }
                    results.withLock { $0[name] = r ?? (-1, "cli failed") }
                }
            }
            threads.forEach { $0.start() }
            while results.withLock({ $0.count }) < names.count { Thread.sleep(forTimeInterval: 0.1) }
            return results.withLock { $0 }
        }

        /// The API requests the fake saw (the token endpoint left out), in order.
        var apiRequests: [LoggedRequest] { account.server.log.all.filter { $0.path != "/token" } }

        /// `GET /v1/quota`.
        func quota() throws -> QuotaStatus {
            let r = try daemon.client().request("GET", "/v1/quota")
            try #require(r.status == 200)
            return try Wire.decoder().decode(QuotaStatus.self, from: Data(r.body))
        }
    }

    /// Tokens a request took: a batch its calls.
    static func tokens(_ r: LoggedRequest) -> Int { max(1, r.batchParts) }

    /// The calendar a request was for.
    static func calendar(_ r: LoggedRequest) -> String? {
        let path = r.parts.first?.path ?? r.path
        let segments = path.split(separator: "/")
        guard let i = segments.firstIndex(of: "calendars"), i + 1 < segments.count else { return nil }
        return String(segments[i + 1])
    }

    /// The most tokens any window of the log took beyond what the bucket allows for it:
    /// `burst + rate × (length + jitter)`; ≤ 0 when the log kept within the bucket.
    static func excess(_ log: [LoggedRequest], perSecond: Double, burst: Int, jitter: Double) -> Double {
        var worst = -Double.infinity
        for i in log.indices {
            var sum = 0
            for j in i..<log.count {
                sum += tokens(log[j])
                let allowed = Double(burst) + perSecond * (log[j].time.timeIntervalSince(log[i].time) + jitter)
                worst = max(worst, Double(sum) - allowed)
            }
        }
        return worst
    }

    @Test func twoWorkersOfOneKeyNeverExceedTheBucket() throws {
        let setup = try Setup(
            quota: "[quota.google]\nrate = 120\nburst = 3\n",
            profiles: [("alpha", "cal-a", 10, 1), ("beta", "cal-b", 10, 1)])
        let results = setup.syncAll(["alpha", "beta"])
        for (name, r) in results { #expect(r.code == 0 && r.out.contains("to: 10 created"), "\(name): \(r.out)") }
        let log = setup.apiRequests
        let total = log.map(Self.tokens).reduce(0, +)
        #expect(Set(log.compactMap(Self.calendar)) == ["cal-a", "cal-b"])
        #expect(total >= 20)
        // 2 requests a second, 3 at once; 0.5 s allowed for the jitter between grant and arrival.
        let excess = Self.excess(log, perSecond: 2, burst: 3, jitter: 0.5)
        #expect(excess <= 0, "the log went \(excess) tokens over the bucket")
        let span = log.last!.time.timeIntervalSince(log.first!.time)
        #expect(span >= Double(total - 3) / 2 - 1, "\(total) tokens in \(span) s")
        let bucket = try #require(try setup.quota().buckets.first { $0.key == "google:\(Self.clientID)" })
        #expect(bucket.granted == total && bucket.ratePerMinute == 120 && bucket.burst == 3)
        #expect(bucket.waits > 0 && bucket.rateLimited == 0)
        let metrics = String(decoding: try setup.daemon.client().request("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("almanac_quota_granted_total{key=\"google:\(Self.clientID)\"} \(total)\n"))
        print("quota e2e: \(total) tokens over \(String(format: "%.1f", span)) s, worst window \(excess) vs bucket")
        #expect(setup.daemon.stop() == 0)
    }

    @Test func oneWorkers429SlowsTheOther() throws {
        let setup = try Setup(
            quota: "[quota.google]\nrate = 600\nburst = 5\n",
            profiles: [("alpha", "cal-a", 5, 1), ("beta", "cal-b", 60, 1)])
        setup.account.server.setFaults(FaultPolicy(rate: 0, retryAfter: 2))
        setup.account.server.injectOnce(.tooManyRequests, pathPrefix: "/calendar/v3/calendars/cal-a")
        // beta first: it is well under way when alpha's first request is refused.
        let results = setup.syncAll(["beta", "alpha"], stagger: 1.5)
        #expect(results["alpha"]?.code == 0 && results["beta"]?.code == 0, "\(results)")
        let log = setup.apiRequests
        let refused = try #require(log.first { $0.status == 429 }, "the fault was injected")
        #expect(Self.calendar(refused) == "cal-a")
        let t = refused.time
        let during = log.filter { $0.time > t.addingTimeInterval(0.3) && $0.time < t.addingTimeInterval(1.7) }
        #expect(during.isEmpty, "\(during.count) requests during alpha's Retry-After: \(during.map(\.target))")
        let afterwards = log.filter { Self.calendar($0) == "cal-b" && $0.time > t.addingTimeInterval(1.7) }
        #expect(!afterwards.isEmpty, "beta went on after the Retry-After")
        let bucket = try #require(try setup.quota().buckets.first { $0.key == "google:\(Self.clientID)" })
        #expect(bucket.rateLimited == 1 && bucket.currentPerMinute < 600)
        #expect(setup.daemon.stop() == 0)
    }

    @Test func smallProfilesFinishWhileABigOneRunsAndTheGrantRoundTripIsMeasured() throws {
        let big = Int(ProcessInfo.processInfo.environment["ALMANAC_QUOTA_BIG_EVENTS"] ?? "") ?? 10_000
        let smallCount = 20
        let small = (0..<smallCount).map { ("small\($0)", "cal-s\($0)", 3, 50) }
        let setup = try Setup(
            quota: "[quota.google]\nrate = 30000\nburst = 200\n[quota.google_user]\nrate = 30000\nburst = 200\n",
            profiles: [("big", "cal-big", big, 50)] + small)
        // The small ones start once the big one is writing, its batches of 50 keeping the bucket empty.
        let results = setup.syncAll(["big"] + small.map(\.0), stagger: 0.05, head: 4)
        for (name, r) in results { #expect(r.code == 0, "\(name): \(r.out)") }
        let log = setup.apiRequests
        let bigEnd = try #require(log.last { Self.calendar($0) == "cal-big" }).time
        for (name, calendar, _, _) in small {
            let end = try #require(log.last { Self.calendar($0) == calendar }, "\(name) sent requests").time
            #expect(end < bigEnd, "\(name) finished \(end.timeIntervalSince(bigEnd)) s after the big one")
        }
        let bucket = try #require(try setup.quota().buckets.first { $0.key == "google:\(Self.clientID)" })
        #expect(bucket.waits > 0, "the big profile waited for tokens")
        // The round trip of the asks granted at once, as the workers logged it.
        var p99s: [Int] = []
        for name in ["big"] + small.map(\.0) {
            let text = (try? String(contentsOfFile: setup.daemon.state + "/logs/\(name).log", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.contains("quota grants") {
                if let v = line.split(separator: " ").first(where: { $0.hasPrefix("p99_us=") }) {
                    p99s.append(Int(v.dropFirst("p99_us=".count)) ?? -1)
                }
            }
        }
        try #require(!p99s.isEmpty, "the workers logged their grant round trips")
        print(
            "quota e2e: big (\(big) events) ended \(String(format: "%.1f", bigEnd.timeIntervalSince(log.first!.time))) s"
                + " in; grant round trip p99 per run (µs): \(p99s.sorted()); load \(Self.loadAverage())")
        #expect(setup.daemon.stop() == 0)
    }

    /// One worker's asks granted at once, one request after another: the round trip on the
    /// pipes as the worker measured it (`quota grants … p99_us=…` in its log).
    @Test func theGrantRoundTripIsPrinted() throws {
        let roomy = "rate = 1000000\nburst = 100000\n"
        let setup = try Setup(
            quota: "[quota.google]\n\(roomy)[quota.google_user]\n\(roomy)",
            profiles: [("solo", "cal-solo", 300, 1)])
        let r = try setup.daemon.cli(["sync", "solo", "--wait"])
        #expect(r.code == 0 && r.out.contains("to: 300 created"), "\(r.out)")
        let text = try String(contentsOfFile: setup.daemon.state + "/logs/solo.log", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").last { $0.contains("quota grants") })
        func field(_ name: String) -> Int? {
            line.split(separator: " ").first { $0.hasPrefix(name + "=") }.flatMap { Int($0.dropFirst(name.count + 1)) }
        }
        let grants = try #require(field("grants"))
        let p50 = try #require(field("p50_us"))
        let p99 = try #require(field("p99_us"))
        print(
            "quota e2e: grant round trip over \(grants) asks: p50 \(p50) µs, p99 \(p99) µs;"
                + " load \(Self.loadAverage())")
        #expect(grants >= 300)
        #expect(setup.daemon.stop() == 0)
    }

    /// `almanac status` after grants and a 429: a line per bucket, as `GET /v1/quota` has it, below
    /// the profiles; `--json` carries the buckets as `quota`. The connection's `quota_user` names
    /// its per-user bucket.
    @Test func statusShowsEachBucketsUseWaitsAnd429s() throws {
        let setup = try Setup(
            quota: "[quota.google]\nrate = 600\nburst = 4\n", profiles: [("alpha", "cal-a", 6, 1)],
            calendarSettings: "quota_user = \"ana@example.com\"")
        setup.account.server.setFaults(FaultPolicy(rate: 0, retryAfter: 1))
        setup.account.server.injectOnce(.tooManyRequests, pathPrefix: "/calendar/v3/calendars/cal-a")
        let r = try setup.daemon.cli(["sync", "alpha", "--wait"])
        #expect(r.code == 0 && r.out.contains("to: 6 created"), "\(r.out)")
        let tokens = setup.apiRequests.map(Self.tokens).reduce(0, +)
        #expect(setup.apiRequests.filter { $0.status == 429 }.count == 1)
        // The rate grows back from the 429's cut and the buckets fill: then the lines stay still.
        var status = try setup.quota()
        let deadline = Date().addingTimeInterval(120)
        func settled(_ b: QuotaStatus.Bucket) -> Bool {
            b.currentPerMinute == b.ratePerMinute && b.tokens == Double(b.burst)
        }
        while !status.buckets.allSatisfy(settled), Date() < deadline {
            Thread.sleep(forTimeInterval: 1)
            status = try setup.quota()
        }
        let shared = "google:\(Self.clientID)"
        let user = "google_user:\(Self.clientID):ana@example.com"
        #expect(status.buckets.map(\.key) == [shared, user])
        for b in status.buckets {
            #expect(b.granted == tokens && b.rateLimited == 1 && b.waits >= 1, "\(b)")
        }
        let waits = status.buckets.map(\.waits)
        func row(_ cells: [String]) -> String {
            let widths = [user.count, 8, 7, 6, 7, 5, 4]
            return zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let expected = [
            row(["QUOTA KEY", "RATE/MIN", "NOW/MIN", "TOKENS", "GRANTED", "WAITS", "429S"]),
            row([shared, "600", "600", "4", "\(tokens)", "\(waits[0])", "1"]),
            row([user, "600", "600", "50", "\(tokens)", "\(waits[1])", "1"]),
        ]
        let out = try setup.daemon.cli(["status"])
        #expect(out.code == 0)
        let lines = out.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let blank = try #require(lines.firstIndex(of: ""), "\(out.out)")
        #expect(Array(lines[(blank + 1)...].prefix(3)) == expected, "\(out.out)")
        #expect(lines.count == blank + 5 && lines.last == "", "\(out.out)")
        struct Joined: Decodable {
            var v: Int
            var profiles: [ProfileStatus]
            var quota: QuotaStatus
        }
        let json = try setup.daemon.cli(["status", "--json"])
        let joined = try Wire.decoder().decode(Joined.self, from: Data(json.out.utf8))
        #expect(joined.v == 1 && joined.profiles.map(\.name) == ["alpha"])
        #expect(joined.quota.buckets.map(\.key) == [shared, user])
        #expect(joined.quota.buckets.allSatisfy { $0.rateLimited == 1 })
        #expect(setup.daemon.stop() == 0)
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3)
            .joined(separator: " ")
    }
}

/// A value shared by threads under a lock.
final class Locked<Value>: @unchecked Sendable {  // @unchecked: `value` is only touched under `lock`
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
