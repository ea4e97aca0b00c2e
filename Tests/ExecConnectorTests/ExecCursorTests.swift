import AlmanacCore
import AlmanacSync
import Foundation
import Testing

/// A plugin's cursor is stored only after the engine's state commit: a run whose read fails, or
/// whose writes fail after a read that went through, leaves the previous cursor, and the next run
/// asks the plugin from there again.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ExecCursorTests {
    @Test func theCursorMovesOnlyWithACommittedRun() throws {
        let w = try PluginWorld("cursor")
        let day = Date().addingTimeInterval(86_400)
        try w.seed(w.source, (0..<3).map { ("a\($0)", "Appt \($0)", day.addingTimeInterval(Double($0) * 7200)) })
        try w.writeProfile()
        let path = w.profiles.appendingPathComponent("clinic.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "\"--name\", \"source\"", with: "\"--name\", \"source\", \"--feed\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        func cursor() throws -> String? {
            try StateStore(path: w.state.appendingPathComponent("clinic.sqlite").path).cursor(job: "j", side: .from)
        }

        #expect(try w.run().status == 0)
        #expect(try cursor() == "0")
        let fullReads = try w.readCursors(w.source).count

        // The read fails: no cursor.
        try w.edit(w.source, key: "a1", title: "Moved once")
        try Data("exit-mid-read".utf8).write(to: URL(fileURLWithPath: w.source + ".fault"))
        let readFails = try w.run()
        #expect(readFails.status == 1)
        #expect(readFails.out.contains("exec.crashed"), "\(readFails.out)")
        #expect(try cursor() == "0")
        try FileManager.default.removeItem(atPath: w.source + ".fault")

        // The read goes through (cursor "1" offered), the write fails: still no cursor.
        try Data("write-error".utf8).write(to: URL(fileURLWithPath: w.sink + ".fault"))
        let writeFails = try w.run()
        #expect(writeFails.status == 1)
        #expect(writeFails.out.contains("to: 1 failed, 2 unchanged"), "\(writeFails.out)")
        #expect(
            writeFails.out.contains(
                "failed a1 (to): update: plugin memory-plugin.py (sink 1.0.0): busy: the store is busy"),
            "\(writeFails.out)")
        #expect(try cursor() == "0")
        #expect(try w.titles(w.sink).values.sorted() == ["Appt 0", "Appt 1", "Appt 2"])
        try FileManager.default.removeItem(atPath: w.sink + ".fault")

        let through = try w.run()
        #expect(through.status == 0, "\(through.out)")
        #expect(through.out.contains("to: 1 updated"), "\(through.out)")
        #expect(try cursor() == "1")
        #expect(try w.titles(w.sink).values.sorted() == ["Appt 0", "Appt 2", "Moved once"])
        // The first run listed everything; every read after it asked from the last committed
        // cursor, "0", until it moved.
        let asked = try w.readCursors(w.source)
        #expect(asked.prefix(fullReads).allSatisfy { $0 == nil }, "\(asked)")
        #expect(asked.count > fullReads + 2)
        #expect(asked.dropFirst(fullReads).allSatisfy { $0 == "0" }, "\(asked)")
        #expect(try w.run().status == 0)
        #expect(try w.readCursors(w.source).last == "1")
    }
}
