import AlmanacCore
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One running plugin and the protocol's framing around it (docs/CONNECTOR-PROTOCOL.md): started
/// in its own process group, its `hello` read, then one request at a time, each answered by lines
/// that carry the request's id. Any breach of the protocol, a timeout or an early exit kills the
/// process group and throws an `AlmanacError` (retryable) naming the plugin; the process is then
/// dead for good (`isAlive` false) and a new one must be started.
///
/// Calls come from one thread at a time. stderr lines go to `logger` from a thread of its own.
public final class PluginProcess: @unchecked Sendable {  // used by one thread at a time (checked out of the pool)
    public let command: PluginCommand
    /// The plugin's `hello`.
    public private(set) var hello: PluginHello!
    public private(set) var isAlive = true
    /// `NAME` of the command and, once known, the hello name: `ics-feed (ics 1.0.0)`.
    public var label: String {
        guard let hello else { return command.programName }
        return "\(command.programName) (\(hello.name) \(hello.version))"
    }

    private let spawned: SpawnedPlugin
    private var reader: LineReader
    private var nextID = 1
    private var outstanding: (id: Int, type: String)?
    private var logger: Logger
    private let stderrDone = DispatchSemaphore(value: 0)

    /// Every `type` of protocol version 1.
    static let knownTypes: Set<String> = [
        "hello", "spec", "configure", "configured", "test_connection", "test_result", "read", "item", "problem",
        "deleted", "page_end", "write", "outcome", "lookup", "lookup_end", "test_reset", "test_seed",
        "test_seed_invalid", "test_seeded",
        "test_dump", "test_done", "shutdown", "bye", "error",
    ]

    /// Starts `command` and reads its `hello`.
    /// - Throws: `exec.start_failed` (cannot start, no hello in time, exited), `exec.protocol_version`,
    ///   `exec.protocol_violation` (the first line is not a hello).
    public init(_ command: PluginCommand, logger: Logger) throws {
        self.command = command
        self.logger = logger
        self.logger[metadataKey: "plugin"] = "\(command.programName)"
        spawned = try PluginSpawn.spawn(command)
        reader = LineReader(fd: spawned.stdout, limit: PluginCommand.maxLineLength)
        startStderrThread()
        let line: JSONObject
        do {
            line = try nextLine(timeout: command.startTimeout, expecting: ["hello"], id: nil)
        } catch let e as AlmanacError where e.code == .execTimeout || e.code == .execCrashed {
            throw AlmanacError(.execStartFailed, e.message, cause: e.cause, retryable: e.retryable)
        }
        guard let hello = PluginHello(line) else {
            throw violation(
                "its hello lacks protocol, name, version or capabilities, or its kinds (event, contact), "
                    + "contact_shape or late_creates cannot be read", line: line.text)
        }
        guard hello.protocolVersion == PluginHello.protocolVersion else {
            kill()
            throw AlmanacError(
                .execProtocolVersion,
                "plugin \(command.programName) (\(hello.name)) speaks protocol \(hello.protocolVersion); this almanac speaks \(PluginHello.protocolVersion): use a version of the plugin for protocol 1"
            )
        }
        self.hello = hello
    }

    deinit {
        if isAlive { kill() }
        reader.deallocate()
    }

    // MARK: requests

    /// Sends request `type` with `fields`; returns its id. The reply is read with `reply(allowed:)`
    /// until its last line, then `finish()`.
    /// - Throws: `exec.protocol_violation` when lines arrived that answer nothing, `exec.timeout`,
    ///   `exec.crashed`.
    @discardableResult
    public func send(_ type: String, _ fields: JSONObject = JSONObject()) throws -> Int {
        precondition(outstanding == nil, "a request is outstanding")
        guard isAlive else { throw crashed("it is no longer running") }
        if reader.hasBuffered || !reader.drainAvailable() || reader.hasBuffered {
            if reader.hasBuffered {
                let line = try nextLine(timeout: .seconds(1), expecting: Self.knownTypes, id: nil)
                throw violation("a line that answers no request", line: line.text)
            }
            throw crashed(exitDescription())
        }
        let id = nextID
        nextID += 1
        var o = JSONObject(["v": .int(1), "type": .string(type), "id": .int(id)])
        for (k, v) in zip(fields.keys, fields.values) { o[k] = v }
        var bytes: [UInt8] = []
        o.write(to: &bytes)
        bytes.append(0x0A)
        try write(bytes)
        outstanding = (id, type)
        return id
    }

    /// The next line of the outstanding request's reply: its `type` must be in `allowed` (or
    /// `error`, which is thrown as `exec.plugin_error` and ends the request).
    public func reply(allowed: Set<String>) throws -> (type: String, line: JSONObject) {
        guard let (id, _) = outstanding else { preconditionFailure("no request outstanding") }
        let line = try nextLine(timeout: command.requestTimeout, expecting: allowed, id: id)
        let type = line.string("type")!
        if type == "error" {
            outstanding = nil
            let code = line.string("code") ?? "?"
            let message = line.string("message") ?? ""
            throw AlmanacError(
                .execPluginError, "plugin \(label): \(code): \(message)", retryable: line["retryable"]?.bool ?? false)
        }
        return (type, line)
    }

    /// Ends the outstanding request after its reply's last line. A line already waiting then
    /// is a second answer: a protocol violation.
    public func finish() throws {
        outstanding = nil
        if reader.hasBuffered || (reader.drainAvailable() && reader.hasBuffered) {
            let line = try nextLine(timeout: .seconds(1), expecting: Self.knownTypes, id: nil)
            throw violation("a line after the reply was complete (a second answer?)", line: line.text)
        }
    }

    /// Whether a process kept between runs is still up and has written nothing since its last
    /// reply; one that has exited or written out of turn is killed, and false returned.
    public func isIdleAndSound() -> Bool {
        guard isAlive, outstanding == nil else { return false }
        if reader.hasBuffered || !reader.drainAvailable() || reader.hasBuffered {
            kill()
            return false
        }
        return true
    }

    /// Sends `type` and reads its one-line reply of type `reply`.
    public func request(_ type: String, _ fields: JSONObject = JSONObject(), reply: String) throws -> JSONObject {
        try send(type, fields)
        let line = try self.reply(allowed: [reply]).line
        try finish()
        return line
    }

    /// Asks the plugin to exit (`shutdown`, then `bye`); kills its group when it has not exited
    /// 2 s later or answers anything else. Never throws.
    public func shutdown() {
        guard isAlive else { return }
        if outstanding == nil {
            do {
                try send("shutdown")
                _ = try nextLine(timeout: .seconds(2), expecting: ["bye"], id: outstanding?.id)
                outstanding = nil
            } catch {
                logger.debug("plugin did not shut down cleanly", metadata: ["error": "\(error)"])
            }
        }
        guard isAlive else { return }  // a failed shutdown request has killed it already
        close(spawned.stdin)
        if waitExit(upTo: .seconds(2)) == nil { killGroup() }
        finishProcess()
    }

    /// Kills the plugin's process group at once and reaps it.
    public func kill() {
        guard isAlive else { return }
        killGroup()
        close(spawned.stdin)
        finishProcess()
    }

    // MARK: lines

    /// The next line as an object with `v` 1, a known `type` in `expecting` (or `error` when it
    /// answers a request), and `re` == `id`.
    private func nextLine(timeout: Duration, expecting: Set<String>, id: Int?) throws -> JSONObject {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeout.wholeNanoseconds))
        switch reader.next(deadline: deadline) {
        case .line(let bytes):
            let parsed: JSONValue
            do {
                parsed = try JSONParser.parse(bytes)
            } catch {
                throw violation("a line that is not JSON (\(error.reason))", line: Self.quote(bytes))
            }
            guard let o = parsed.object else {
                throw violation("a line that is not a JSON object", line: Self.quote(bytes))
            }
            guard o["v"]?.int == 1 else { throw violation("a line without \"v\": 1", line: Self.quote(bytes)) }
            guard let type = o.string("type") else { throw violation("a line without a type", line: Self.quote(bytes)) }
            guard Self.knownTypes.contains(type) else {
                throw violation("an unknown message type \"\(Self.clip(type))\"", line: Self.quote(bytes))
            }
            if let id {
                guard let re = o["re"]?.int else {
                    throw violation("a \(type) line without re", line: Self.quote(bytes))
                }
                guard re == id else {
                    throw violation(
                        "a \(type) line for request \(re) while request \(id) is outstanding", line: Self.quote(bytes))
                }
            }
            guard expecting.contains(type) || (id != nil && type == "error") else {
                let what = outstanding.map { "a \($0.type) request" } ?? (hello == nil ? "the start" : "no request")
                throw violation("a \(type) line in answer to \(what)", line: Self.quote(bytes))
            }
            return o
        case .end(let partial):
            let detail = exitDescription()
            if partial.isEmpty { throw crashed(detail) }
            throw crashed("\(detail), in the middle of the line \"\(Self.quote(partial))\"")
        case .timedOut:
            kill()
            let what = outstanding.map { "its answer to \($0.type)" } ?? (hello == nil ? "its hello" : "a line")
            let limit = hello == nil ? "start_timeout" : "request_timeout"
            throw AlmanacError(
                .execTimeout,
                "plugin \(label): no line of \(what) within \(timeout.compactDescription) (\(limit)); it was killed",
                retryable: true)
        case .tooLong(let start):
            throw violation(
                "a line longer than \(PluginCommand.maxLineLength >> 20) MiB", line: Self.quote(start))
        }
    }

    /// Kills the plugin and returns the `exec.protocol_violation` error for `line`, a line of the
    /// reply whose content breaks the protocol (`what` says how).
    public func protocolViolation(_ what: String, line: JSONObject) -> AlmanacError {
        violation(what, line: Self.clip(line.text))
    }

    private func violation(_ what: String, line: String) -> AlmanacError {
        kill()
        return AlmanacError(
            .execProtocolViolation,
            "plugin \(label) broke the connector protocol: \(what): \"\(line)\"; it was killed", retryable: true)
    }

    private func crashed(_ detail: String) -> AlmanacError {
        kill()
        let during = outstanding.map { " during \($0.type)" } ?? ""
        return AlmanacError(.execCrashed, "plugin \(label) stopped\(during): \(detail)", retryable: true)
    }

    /// The first 80 characters of a line, control characters shown as `\u{…}`.
    static func quote(_ bytes: some Collection<UInt8>) -> String {
        clip(String(decoding: bytes.prefix(320), as: UTF8.self))
    }

    static func clip(_ s: String) -> String {
        var out = ""
        for (i, ch) in s.unicodeScalars.enumerated() {
            if i == 80 {
                out += "…"
                break
            }
            out += ch.value < 0x20 || ch.value == 0x7F ? "\\u{\(String(ch.value, radix: 16))}" : String(ch)
        }
        return out
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(command.requestTimeout.wholeNanoseconds)
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Self.writeWithoutSIGPIPE(spawned.stdin, $0.baseAddress! + offset, bytes.count - offset)
            }
            if n > 0 {
                offset += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            guard n < 0 && errno == EAGAIN else { throw crashed("it closed its input (\(exitDescription()))") }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else {
                kill()
                throw AlmanacError(
                    .execTimeout,
                    "plugin \(label): did not read its input within \(command.requestTimeout.compactDescription) (request_timeout); it was killed",
                    retryable: true)
            }
            var pfd = pollfd(fd: spawned.stdin, events: Int16(POLLOUT), revents: 0)
            _ = poll(&pfd, 1, Int32(min(1000, (deadline - now) / 1_000_000 + 1)))
        }
    }

    /// `write(2)` with SIGPIPE blocked on this thread and, when the write fails with EPIPE (the
    /// plugin is gone), taken back: a caller that does not ignore SIGPIPE (`almanac run`,
    /// `almanac check`) is not killed by a plugin that exits.
    private static func writeWithoutSIGPIPE(_ fd: Int32, _ from: UnsafeRawPointer, _ count: Int) -> Int {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        let n = Glibc.write(fd, from, count)
        let saved = errno
        if n < 0 && saved == EPIPE {
            var none = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeSignal, nil, &none)
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        errno = saved
        return n
    }

    // MARK: the process

    private var exitStatus: Int32?

    /// `exited with status 3`, `killed by signal 9`, or `closed its output` while it still runs.
    private func exitDescription() -> String {
        guard let status = exitStatus ?? waitExit(upTo: .seconds(1)) else { return "it closed its output" }
        let code = (status >> 8) & 0xFF, signal = status & 0x7F
        return signal == 0 ? "it exited with status \(code)" : "it was killed by signal \(signal)"
    }

    /// Waits for the process to exit, polling; its wait status, or nil if it still runs.
    private func waitExit(upTo limit: Duration) -> Int32? {
        if let exitStatus { return exitStatus }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(limit.wholeNanoseconds)
        while true {
            var status: Int32 = 0
            let r = waitpid(spawned.pid, &status, WNOHANG)
            if r == spawned.pid {
                exitStatus = status
                OwnedChildren.reaped(spawned.pid)
                return status
            }
            if r < 0 && errno != EINTR { return nil }
            if DispatchTime.now().uptimeNanoseconds >= deadline { return nil }
            usleep(5_000)
        }
    }

    private func killGroup() {
        _ = Glibc.kill(-spawned.pid, SIGKILL)
    }

    private func finishProcess() {
        isAlive = false
        if exitStatus == nil {
            var status: Int32 = 0
            while waitpid(spawned.pid, &status, 0) < 0 && errno == EINTR {}
            exitStatus = status
            OwnedChildren.reaped(spawned.pid)
        }
        close(spawned.stdout)
        _ = stderrDone.wait(timeout: .now() + 2)
    }

    private func startStderrThread() {
        let fd = spawned.stderr
        let log = logger
        let done = stderrDone
        let thread = Thread {
            StderrForwarder.forward(fd: fd, logger: log)
            close(fd)
            done.signal()
        }
        thread.name = "plugin-stderr"
        thread.start()
    }
}

extension Duration {
    fileprivate var wholeNanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}
