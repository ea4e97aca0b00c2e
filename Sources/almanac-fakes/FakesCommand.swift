import ArgumentParser
import FakeCalendars
import Foundation

/// `almanac-fakes --google PORT --cronofy PORT [--faults RATE]`: runs the fake servers on
/// 127.0.0.1 until interrupted, printing one line per request (never a credential).
@main
struct FakesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac-fakes",
        abstract: "Google Calendar-, Google People- and Cronofy-compatible fake servers on loopback (tests and demo)."
    )

    @Option(help: "Port of the fake Google Calendar API on 127.0.0.1.")
    var google: Int?

    @Option(help: "Port of the fake Cronofy API on 127.0.0.1.")
    var cronofy: Int?

    @Option(help: "Fraction of API requests answered with a fault (429 with Retry-After, 403, 500, 503, reset, slow).")
    var faults: Double = 0

    @Option(help: "Seed of the fault draw.")
    var seed: UInt64 = 42

    @Option(help: "OAuth client id the fakes accept (with --client-secret-file's secret, or any secret).")
    var clientID = "almanac-demo"

    @Option(help: "File holding the secret of --client-id (default: any secret).")
    var clientSecretFile: String?

    @Option(
        help: ArgumentHelp(
            "A further OAuth client the fakes accept, as ID:SECRET_FILE (repeatable).", valueName: "ID:SECRET_FILE"))
    var client: [String] = []

    @Flag(help: "Accept any OAuth client id and secret at the token endpoints.")
    var anyClient = false

    @Option(help: "Append the request log to this file as JSON lines (fields: Sources/FakeCalendars/README.md).")
    var logFile: String?

    @Flag(help: "Log the body of each API call (never of a token endpoint): what clients sent, for tests.")
    var logBodies = false

    @Option(help: "File holding a refresh token the fakes accept (default: any refresh token).")
    var refreshTokenFile: String?

    @Option(help: "A calendar id of the fake Cronofy account (repeatable).")
    var cronofyCalendar: [String] = ["cal_demo_studio"]

    @Option(help: "Write each fake's initial refresh token to DIR/google.refresh_token, DIR/cronofy.refresh_token.")
    var tokensDir: String?

    @Option(
        name: [.customLong("state"), .customLong("state-file")],
        help: "Keep the fakes' events in this JSON file (loaded at start, saved every second).")
    var stateFile: String?

    @Option(help: "People API (on the Google port): read and write requests allowed per minute each (0 = unlimited).")
    var peopleQuota = 0

    @Flag(help: "Print one line per request.")
    var verbose = false

    func validate() throws {
        guard google != nil || cronofy != nil else { throw ValidationError("give --google PORT and/or --cronofy PORT") }
        guard (0...1).contains(faults) else { throw ValidationError("--faults must be between 0 and 1") }
        guard peopleQuota >= 0 else { throw ValidationError("--people-quota must be 0 (unlimited) or more") }
        for c in client where !c.contains(":") || c.hasPrefix(":") || c.hasSuffix(":") {
            throw ValidationError("--client takes ID:SECRET_FILE, got \"\(c)\"")
        }
    }

    /// Writes one line to stdout unbuffered (the demo and tests read it while the fakes run).
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    func run() throws {
        keepFreedMemory()
        // A parent may start us with signals blocked (test runners do): SIGTERM and SIGINT must stop us.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&stopSignals, s) }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        func read(_ f: String?) throws -> String? {
            try f.map {
                try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        let secret = try read(clientSecretFile)
        let extraClients = try client.map { c -> (String, String) in
            let colon = c.firstIndex(of: ":")!
            return (String(c[..<colon]), try read(String(c[c.index(after: colon)...])) ?? "")
        }
        let logHandle = try logFile.map { path -> FileHandle in
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
            }
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            h.seekToEndOfFile()
            return h
        }
        let knownRefreshToken = try read(refreshTokenFile)
        let policy = FaultPolicy(rate: faults, seed: seed)
        var servers: [FakeServer] = []
        for (service, port) in [(FakeService.google, google), (.cronofy, cronofy)] {
            guard let port else { continue }
            let server = try FakeServer(service, port: port, faults: policy)
            server.log.keepsBodies = logBodies
            let refresh = server.auth.register(clientID: clientID, secret: secret ?? "")
            server.auth.acceptAnySecret = secret == nil
            server.auth.acceptAnyClient = anyClient
            for (id, clientSecret) in extraClients { server.auth.register(clientID: id, secret: clientSecret) }
            server.auth.acceptAnyRefreshToken = knownRefreshToken == nil
            if let knownRefreshToken { server.auth.add(refreshToken: knownRefreshToken) }
            for id in cronofyCalendar where service == .cronofy { server.cronofy?.addCalendar(id: id, name: id) }
            server.people?.quota = PeopleQuota(readsPerWindow: peopleQuota, writesPerWindow: peopleQuota)
            if let dir = tokensDir {
                let url = URL(fileURLWithPath: dir).appendingPathComponent("\(service.rawValue).refresh_token")
                try Data(refresh.utf8).write(to: url, options: .atomic)
                chmod(url.path, 0o600)
            }
            if let stateFile, let data = FileManager.default.contents(atPath: stateFile),
                let saved = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                let mine = saved[service.rawValue] as? [String: Any]
            {
                server.google?.restore(mine)
                server.cronofy?.restore(mine)
                if let contacts = saved["people"] as? [String: Any] { server.people?.restore(contacts) }
            }
            say("\(service.rawValue) fake listening on \(server.baseURL) (token endpoint \(server.tokenURL))")
            servers.append(server)
        }
        var printed = servers.map { _ in 0 }
        while true {
            Thread.sleep(forTimeInterval: 1)
            var state: [String: Any] = [:]
            var changed = false
            for (i, s) in servers.enumerated() {
                let all = s.log.all
                changed = changed || all.count != printed[i]
                if verbose { for e in all[printed[i]...] { say("\(s.service.rawValue): \(s.log.render(e))") } }
                if let logHandle {
                    let lines = all[printed[i]...].flatMap(s.log.jsonLines).map { line in
                        "{\"service\":\"\(s.service.rawValue)\"," + line.dropFirst() + "\n"
                    }
                    logHandle.write(Data(lines.joined().utf8))
                }
                printed[i] = all.count
                // Snapshots copy every event: only taken when there is a state file to write.
                if stateFile != nil {
                    state[s.service.rawValue] = s.google?.snapshot() ?? s.cronofy?.snapshot()
                    if let people = s.people { state["people"] = people.snapshot() }
                }
            }
            if changed, let stateFile, let data = try? JSONSerialization.data(withJSONObject: state) {
                try? data.write(to: URL(fileURLWithPath: stateFile), options: .atomic)
            }
        }
    }
}

/// glibc's `mallopt` (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// Keeps freed heap memory for reuse instead of giving it back to the kernel: each connection
/// thread's arena otherwise shrinks after every batch answer and grows again for the next one,
/// and the page faults of regrowing were a fifth of the fakes' CPU time in a 100,000-event sync.
private func keepFreedMemory() {
    let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    let topPad: Int32 = -2  // M_TOP_PAD
    _ = mallopt(trimThreshold, 1 << 30)
    _ = mallopt(topPad, 64 << 20)
}
