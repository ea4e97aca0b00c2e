import AlmanacCore
import ExecConnector
import Foundation
import Logging
import Testing

/// Protocol faults seen by the connector itself: the error names the plugin and quotes the line,
/// and the process is killed; an `error` reply fails the request and leaves the process up.
@Suite(.timeLimit(.minutes(10)))
struct ExecViolationTests {
    final class Plugin {
        let dir: URL
        let connector: ExecConnector
        var store: String { dir.appendingPathComponent("store.json").path }

        init(_ extra: [String] = []) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent(
                "almanac-exec-viol-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let command = PluginCommand(
                arguments: [PluginWorld.plugin, dir.appendingPathComponent("store.json").path] + extra,
                requestTimeout: .seconds(5))
            connector = try ExecConnector(command: command, poolKey: nil, logger: Logger(label: "test")) { _ in
                ExecConnector.Configuration(
                    profile: "p", connection: "c", side: .from, settings: JSONObject(), secrets: [:], timeZone: "UTC")
            }
        }

        deinit { try? FileManager.default.removeItem(at: dir) }

        func fault(_ mode: String) throws { try Data(mode.utf8).write(to: URL(fileURLWithPath: store + ".fault")) }
    }

    static let window = TimeWindow(
        start: Date(timeIntervalSince1970: 1_796_000_000), end: Date(timeIntervalSince1970: 1_797_000_000))

    @Test func aReplyToAnotherRequestIsAViolation() throws {
        let p = try Plugin()
        try p.fault("wrong-re")
        let error = try #require(throws: AlmanacError.self) { try p.connector.read(ReadRequest(window: Self.window)) }
        #expect(error.code == .execProtocolViolation)
        #expect(error.retryable)
        #expect(
            error.message
                == "plugin memory-plugin.py (memory 1.0.0) broke the connector protocol: a page_end line for request 10 while request 3 is outstanding: \"{\"v\":1,\"type\":\"page_end\",\"re\":10,\"coverage\":\"complete\"}\"; it was killed"
        )
        #expect(!p.connector.process.isAlive)
    }

    @Test func outcomesOutOfOrderAreAViolation() throws {
        let p = try Plugin()
        try p.fault("outcome-order")
        let start = EventTime.instant(Date(timeIntervalSince1970: 1_796_288_400), timeZone: nil)
        let error = try #require(throws: AlmanacError.self) {
            try p.connector.write([
                .create(id: "a", event: Event(title: "A", start: start)),
                .create(id: "b", event: Event(title: "B", start: start)),
            ])
        }
        #expect(error.code == .execProtocolViolation)
        #expect(error.message.contains("an outcome out of order (expected index 0)"), "\(error.message)")
        #expect(!p.connector.process.isAlive)
    }

    @Test func anErrorReplyFailsTheRequestOnly() throws {
        let p = try Plugin()
        try p.fault("read-error")
        let error = try #require(throws: AlmanacError.self) { try p.connector.read(ReadRequest(window: Self.window)) }
        #expect(error.code == .execPluginError)
        #expect(error.retryable)
        #expect(error.message == "plugin memory-plugin.py (memory 1.0.0): http_503: the feed is down")
        #expect(p.connector.process.isAlive)
        try FileManager.default.removeItem(atPath: p.store + ".fault")
        let page = try p.connector.read(ReadRequest(window: Self.window))
        #expect(page.items.isEmpty)
        #expect(page.continuation == nil)
    }

    @Test func aPluginWithoutHelloInTimeIsNotStarted() throws {
        let dir = FileManager.default.temporaryDirectory
        let command = PluginCommand(
            arguments: [
                PluginWorld.plugin, dir.appendingPathComponent("unused-\(UUID().uuidString).json").path, "--fault",
                "slow-hello",
            ],
            startTimeout: .seconds(1))
        let error = try #require(throws: AlmanacError.self) { try PluginProcess(command, logger: Logger(label: "t")) }
        #expect(error.code == .execStartFailed)
        #expect(
            error.message == "plugin memory-plugin.py: no line of its hello within 1s (start_timeout); it was killed")
    }
}
