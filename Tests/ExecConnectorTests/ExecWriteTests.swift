import AlmanacCore
import ExecConnector
import Foundation
import Logging
import Testing

/// Writes that do not fit in one protocol line: split into several `write` requests, and a change
/// too large on its own fails without reaching the plugin.
@Suite(.timeLimit(.minutes(10)))
struct ExecWriteTests {
    @Test func aBatchOverALineIsSplitAndAnOversizedChangeFails() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "almanac-exec-write-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = dir.appendingPathComponent("record.log").path
        let command = PluginCommand(
            arguments: [PluginWorld.plugin, dir.appendingPathComponent("store.json").path, "--record", record])
        let connector = try ExecConnector(command: command, poolKey: nil, logger: Logger(label: "test")) { _ in
            ExecConnector.Configuration(
                profile: "p", connection: "c", side: .to, settings: JSONObject(), secrets: [:], timeZone: "UTC")
        }
        let start = Date(timeIntervalSince1970: 1_796_288_400)
        func event(_ title: String, notes: Int) -> Event {
            Event(
                title: title, description: String(repeating: "n", count: notes), start: .instant(start, timeZone: nil))
        }
        let outcomes = try connector.write([
            .create(id: "a", event: event("A", notes: 9 << 20)),
            .create(id: "b", event: event("B", notes: 9 << 20)),
            .create(id: "c", event: event("C", notes: 17 << 20)),
            .create(id: "d", event: event("D", notes: 10)),
        ])
        #expect(outcomes.count == 4)
        #expect(outcomes[0] == .written(key: "a", version: "2"))
        #expect(outcomes[1] == .written(key: "b", version: "3"))
        guard case .failed(false, let reason) = outcomes[2] else {
            Issue.record("\(outcomes[2])")
            return
        }
        #expect(reason == "the change is 17 MiB as JSON, over the protocol's 16 MiB line")
        #expect(outcomes[3] == .written(key: "d", version: "4"))
        let stored = try connector.testDump()
        #expect(stored.keys.sorted() == ["a", "b", "d"])
        #expect(stored["b"]?.description?.count == 9 << 20)
        let received = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n")
        #expect(received.count == 3)
    }
}
