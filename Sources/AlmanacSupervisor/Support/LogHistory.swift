import Foundation
import Glibc

/// Reading a profile's log files back (`almanac logs`): the newest lines first, across the rotated
/// files, stopping at the first line older than `since`.
enum LogHistory {
    /// The last `tail` lines of the files `paths` (newest file first) that are not older than
    /// `since`, oldest first. With `since`, a line without a readable `ts` is left out.
    static func lines(_ paths: [String], tail: Int, since: Date?) -> [String] {
        var out: [String] = []
        guard tail > 0 else { return out }
        files: for path in paths {
            var done = false
            eachLineBackward(path) { line in
                if let since {
                    guard let ts = timestamp(line) else { return true }
                    if ts < since {
                        done = true
                        return false
                    }
                }
                out.append(line)
                if out.count >= tail { done = true }
                return !done
            }
            if done { break files }
        }
        return out.reversed()
    }

    /// The last `tail` of `lines` (oldest first) not older than `since`: the in-memory ring's part.
    static func recent(_ lines: [String], tail: Int, since: Date?) -> [String] {
        let kept = since.map { t in lines.filter { timestamp($0).map { $0 >= t } ?? false } } ?? lines
        return Array(kept.suffix(max(0, tail)))
    }

    /// The `ts` of a line the daemon wrote: `ts=… ` (logfmt) or `{"ts":"…"` (JSON).
    static func timestamp(_ line: String) -> Date? {
        let text: Substring
        if line.hasPrefix("ts=") {
            text = line.dropFirst(3).prefix { $0 != " " }
        } else if line.hasPrefix("{\"ts\":\"") {
            text = line.dropFirst(7).prefix { $0 != "\"" }
        } else {
            return nil
        }
        return try? Date(String(text), strategy: .iso8601)
    }

    /// Calls `body` with each line of the file at `path`, last line first, until it returns false.
    /// Reads 64 KiB at a time from the end. A missing file has no lines.
    static func eachLineBackward(_ path: String, _ body: (String) -> Bool) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return }
        var end = Int(st.st_size)
        var carry: [UInt8] = []  // the start of the file's next line is in an earlier chunk
        while end > 0 {
            let start = max(0, end - 65_536)
            var chunk = [UInt8](repeating: 0, count: end - start)
            var got = 0
            while got < chunk.count {
                let n = chunk.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress! + got, $0.count - got, off_t(start + got))
                }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                got += n
            }
            chunk += carry
            var lineEnd = chunk.count
            var i = chunk.count - 1
            while i >= 0 {
                if chunk[i] == 0x0A {
                    if lineEnd > i + 1, !body(String(decoding: chunk[(i + 1)..<lineEnd], as: UTF8.self)) { return }
                    lineEnd = i
                }
                i -= 1
            }
            carry = Array(chunk[0..<lineEnd])
            end = start
        }
        if !carry.isEmpty { _ = body(String(decoding: carry, as: UTF8.self)) }
    }
}
