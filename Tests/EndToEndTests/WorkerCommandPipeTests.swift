import AlmanacSupervisor
import AlmanacWire
import Foundation
import Glibc
import Testing

/// `almanac worker` on its own, its pipes held by the test: what it does with command lines it
/// does not speak (not JSON, an unknown type, another protocol version, an event-type message).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct WorkerCommandPipeTests {
    /// Reads NDJSON messages from `fd` (non-blocking) until `stop` says so or `timeout` passes.
    static func messages(
        from fd: Int32, framer: inout LineFramer, timeout: Double, until stop: (PipeMessage) -> Bool
    ) -> [PipeMessage] {
        var seen: [PipeMessage] = []
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = read(fd, &buf, buf.count)
            if n == 0 { return seen }
            if n < 0 { continue }
            let frames = buf.withUnsafeBytes { framer.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            for case .line(let line) in frames {
                guard let m = try? Wire.decoder().decode(PipeMessage.self, from: Data(line)) else { continue }
                seen.append(m)
                if stop(m) { return seen }
            }
        }
        return seen
    }

    static func text(from fd: Int32, timeout: Double) -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func linesItDoesNotSpeakAreLoggedAndDropped() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        let env = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let worker = try ProcessSpawner.spawn(
            path: DaemonHarness.binary,
            arguments: ["worker", "--profile", "alpha", "--profiles", h.profiles, "--state", h.state],
            environment: env)
        var reaped = false
        defer {
            if !reaped {
                kill(worker.pid, SIGKILL)
                close(worker.commandFD)
                waitpid(worker.pid, nil, 0)
            }
            for fd in [worker.eventFD, worker.stdoutFD, worker.stderrFD] { close(fd) }
        }
        var framer = LineFramer()
        let start = Self.messages(from: worker.eventFD, framer: &framer, timeout: 20) { $0.kind == .ready }
        #expect(start.map(\.kind).contains(.ready), "\(start)")

        let commands = [
            "{not json", #"{"id":"x1","type":"explode","v":1}"#, #"{"id":"x2","type":"ping","v":2}"#,
            #"{"state":"idle","type":"status","v":1}"#, #"{"id":"p1","type":"ping","v":1}"#,
        ]
        let bytes = Array(commands.map { $0 + "\n" }.joined().utf8)
        #expect(bytes.withUnsafeBytes { write(worker.commandFD, $0.baseAddress, $0.count) } == bytes.count)
        let answers = Self.messages(from: worker.eventFD, framer: &framer, timeout: 20) { $0.id == "p1" }
        // Only the ping it speaks is answered; the stream stays in sync after the others.
        #expect(answers.compactMap(\.id) == ["p1"], "\(answers)")
        #expect(answers.last == .reply(.init(id: "p1", ok: true)))

        close(worker.commandFD)  // EOF on fd 3: the supervisor is gone, the worker exits 0
        let log = Self.text(from: worker.stderrFD, timeout: 20)
        var status: Int32 = -1
        #expect(waitpid(worker.pid, &status, 0) == worker.pid)
        reaped = true
        #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "status \(status)")
        #expect(log.components(separatedBy: "msg=\"dropped a malformed command\"").count == 4, "\(log)")
        #expect(log.contains(#"text="{\"id\":\"x1\",\"type\":\"explode\",\"v\":1}""#), "\(log)")
        #expect(log.contains(#"text="{\"id\":\"x2\",\"type\":\"ping\",\"v\":2}""#), "\(log)")
        #expect(log.contains("msg=\"dropped an event-type message on the command pipe\" type=status"), "\(log)")
    }
}
