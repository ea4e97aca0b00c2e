import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Per-phase timings of a run, printed on stderr when `ALMANAC_TIMINGS=1` (profiling only: one
/// line per phase with its wall and CPU seconds and the process's resident memory after it).
/// Off, each `mark` is one branch.
struct RunTimings {
    static let enabled = ProcessInfo.processInfo.environment["ALMANAC_TIMINGS"] == "1"

    private var wall = Date()
    private var cpu = RunTimings.cpuSeconds()

    /// Prints the time since the previous mark under `phase`, with `detail` (counts) if given.
    mutating func mark(_ phase: @autoclosure () -> String, _ detail: @autoclosure () -> String = "") {
        guard Self.enabled else { return }
        let now = Date()
        let cpuNow = Self.cpuSeconds()
        let figures = String(
            format: "wall %7.3f s  cpu %7.3f s  rss %6.1f MB", now.timeIntervalSince(wall), cpuNow - cpu,
            Self.residentMB())
        let name = phase().padding(toLength: 12, withPad: " ", startingAt: 0)
        let line = "timing: \(name)\(figures)  \(detail())\n"
        FileHandle.standardError.write(Data(line.utf8))
        wall = now
        cpu = cpuNow
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The resident set now, from `/proc/self/statm`.
    static func residentMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
