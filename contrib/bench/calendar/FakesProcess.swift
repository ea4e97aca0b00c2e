import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `almanac-fakes --google 0 --verbose` in its own process: its CPU is not the bench's, and its
/// request log (one stdout line per request, printed every second) is what the figures count.
final class FakesProcess {
    let process = Process()
    let directory: URL
    let logURL: URL
    /// `http://127.0.0.1:PORT` as the fake announced it.
    private(set) var baseURL = ""

    /// Starts the fake Google next to this executable (`.build/release/almanac-fakes`) and waits
    /// until it listens and has written its refresh token to `DIR/google.refresh_token`.
    init(binary: URL, directory: URL, clientID: String) throws {
        self.directory = directory
        logURL = directory.appendingPathComponent("fakes.log")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = binary
        process.arguments = [
            "--google", "0", "--verbose", "--client-id", clientID, "--tokens-dir", directory.path,
        ]
        process.standardOutput = try FileHandle(forWritingTo: logURL)
        process.standardError = FileHandle.standardError
        try process.run()
        for _ in 0..<200 {
            if let line = lines().first(where: { $0.hasPrefix("google fake listening on ") }),
                FileManager.default.fileExists(atPath: refreshTokenURL.path)
            {
                baseURL = String(line.dropFirst("google fake listening on ".count).prefix { $0 != " " })
                return
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw BenchError("almanac-fakes did not start; see \(logURL.path)")
    }

    var refreshTokenURL: URL { directory.appendingPathComponent("google.refresh_token") }

    var refreshToken: String {
        (try? String(contentsOf: refreshTokenURL, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            ?? ""
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    private func lines() -> [Substring] {
        guard let data = FileManager.default.contents(atPath: logURL.path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
    }

    /// API requests logged so far (token requests excluded), once the log has stopped growing:
    /// the fake prints its log every second, so this waits a little over that.
    func apiRequests() -> (requests: Int, batchParts: Int) {
        var last = -1
        var current = lines()
        while current.count != last {
            last = current.count
            usleep(1_300_000)
            current = lines()
        }
        let api = current.filter { $0.hasPrefix("google: ") && !$0.contains(" /token") }
        let parts = api.compactMap { line in line.split(separator: " ").first { $0.hasPrefix("parts=") } }
            .compactMap { Int($0.dropFirst(6)) }.reduce(0, +)
        return (api.count, parts)
    }

    /// CPU seconds (user + system) the fake process has used, from /proc.
    var cpuSeconds: Double { Self.cpuSeconds(pid: process.processIdentifier) }

    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// CPU seconds (user + system) this process has used.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
