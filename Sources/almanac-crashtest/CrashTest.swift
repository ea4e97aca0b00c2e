import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation

/// `almanac-crashtest DIR JOB_TOML CRASH_AT`: runs one sync of the file-backed memory stores in
/// DIR (`from.json`, `to.json`, `test.sqlite`) and calls `_exit(86)` at the CRASH_AT-th fault point
/// (counting engine fault points and every item a connector writes). Exit 0: the run finished
/// without reaching it (the report's result is printed). Exit 1: the run failed.
@main
enum CrashTest {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 4, let crashAt = Int(args[3]) else {
            FileHandle.standardError.write(Data("usage: almanac-crashtest DIR JOB_TOML CRASH_AT\n".utf8))
            exit(64)
        }
        let dir = URL(fileURLWithPath: args[1], isDirectory: true)
        let counter = Counter(limit: crashAt)
        let h = try SyncHarness(job: args[2], directory: dir, persistent: true,
                                now: Date(timeIntervalSince1970: 1_899_158_400))
        h.batchSize = 37
        h.faultHook = { _ in counter.tick() }
        h.fromFaults.onItemApplied { _ in counter.tick() }
        h.toFaults.onItemApplied { _ in counter.tick() }
        let outcome = try h.run()
        print("\(outcome.report.result.rawValue) points=\(counter.count) to=\(outcome.report.toCounts.changed) from=\(outcome.report.fromCounts.changed) failures=\(outcome.report.failures.count) \(outcome.report.error ?? "")")
        exit(outcome.report.result == .success ? 0 : 1)
    }
}

/// Counts fault points; exits the process (no unwinding, no flushing) at the limit.
final class Counter: @unchecked Sendable {  // used from the one thread that runs the sync
    var count = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func tick() {
        count += 1
        if count == limit { _exit(86) }
    }
}
