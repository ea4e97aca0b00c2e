import Foundation
import Testing

/// A run that fails for a passing reason (the export is still being written) is retried soon by
/// the worker, without waiting for the next scheduled run or a manual sync.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RetryTests {
    @Test func aFileStillBeingWrittenIsReadByTheRetry() throws {
        let h = try DaemonHarness()
        h.testWorker = true
        try h.writeProfile("alpha", extra: "# almanac-test: retry-delay=1")
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        try "external_id,title,start_time\nr1,Visit,\(start)\n"
            .write(toFile: h.root + "/alpha-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
        // The exporting program holds a lock file beside its output while it writes.
        try "".write(toFile: h.root + "/alpha-in.csv.lock", atomically: true, encoding: .utf8)
        try h.start()
        try h.waitReady("alpha")

        let busy = try h.cli(["sync", "alpha", "--wait"])
        #expect(busy.code == 1)
        #expect(busy.out.contains("alpha/main: failed in"), "\(busy.out)")
        #expect(busy.out.contains("csv.file_busy"), "\(busy.out)")
        let failed = try #require(try h.status("alpha")?.lastRun)
        #expect(failed.errorCode == "csv.file_busy")

        // The export finishes; nobody asks for a sync, the schedule is manual: the retry reads it.
        try FileManager.default.removeItem(atPath: h.root + "/alpha-in.csv.lock")
        try h.waitUntil("the retry synced the row", timeout: 15) {
            let out = try String(contentsOfFile: h.root + "/alpha-out.csv", encoding: .utf8)
            return out.contains(",Visit,")
        }
        try h.waitUntil("the retry is the last run", timeout: 5) {
            try h.status("alpha")?.lastRun?.result == "success"
        }
        #expect(try h.status("alpha")?.lastRun?.trigger == "retry")
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(log.contains("the run failed for a passing reason; retrying"))
        h.stop()
    }
}
