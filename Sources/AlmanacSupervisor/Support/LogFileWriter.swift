import AlmanacCore
import Foundation
import Glibc

/// Each profile's log lines on disk: `DIR/NAME.log`, rotated by size to `NAME.log.1` …
/// `NAME.log.(files-1)`, reopened on request (SIGUSR1, after logrotate moved the file).
///
/// `append` only queues the line and returns: a thread of the writer's own does the I/O, so a slow
/// disk never holds up the supervisor's event loop. When more than `maxPending` bytes wait, new
/// lines are dropped and counted; the file then says how many were lost.
final class LogFileWriter: @unchecked Sendable {  // @unchecked: the queue is guarded by `cond`; `files` is the thread's
    /// One entry of the queue: a line of a profile, or the request to close its file.
    private enum Entry {
        case line(String, String)
        case close(String)
    }

    let directory: String
    let rotation: LogRotation
    private let maxPending: Int
    private let cond = NSCondition()
    private var queue: [Entry] = []
    private var queuedBytes = 0
    private var reopenAll = false
    private var started = false
    private var dropped: [String: Int] = [:]
    /// Lines dropped since the writer was made, by profile (`/metrics`).
    private var droppedTotal: [String: UInt64] = [:]
    private var enqueued: UInt64 = 0
    private var written: UInt64 = 0
    /// The writer thread's open files, by profile.
    private var files: [String: (fd: Int32, size: Int)] = [:]
    private var failing: Set<String> = []
    private let log: LogSink

    /// - Parameter log: renders the notes the writer puts in a file, and takes its own warnings.
    init(directory: String, rotation: LogRotation, log: LogSink, maxPending: Int = 8 << 20) {
        self.directory = directory
        self.rotation = rotation
        self.log = log
        self.maxPending = maxPending
    }

    /// Starts the writer's thread (once): on the first line, so that the daemon has installed its
    /// signal handlers by then.
    private func startThread() {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in self.run() }
        thread.name = "log files"
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Queues `line` for `profile`'s file. Never blocks on I/O.
    func append(profile: String, line: String) {
        cond.lock()
        defer { cond.unlock() }
        if queuedBytes + line.utf8.count > maxPending {
            dropped[profile, default: 0] += 1
            droppedTotal[profile, default: 0] += 1
            return
        }
        startThread()
        queue.append(.line(profile, line))
        queuedBytes += line.utf8.count + 1
        enqueued += 1
        cond.signal()
    }

    /// Closes `profile`'s file once what is queued for it is written (the profile was removed).
    func close(profile: String) {
        cond.withLock {
            queue.append(.close(profile))
            cond.signal()
        }
    }

    /// Closes every file; the next line of each profile opens `NAME.log` again (created if moved).
    func reopen() {
        cond.withLock {
            reopenAll = true
            cond.signal()
        }
    }

    /// How many lines of `profile` were dropped since the daemon started.
    func droppedLines(profile: String) -> UInt64 { cond.withLock { droppedTotal[profile] ?? 0 } }

    /// How many lines have been queued so far: pass it to `waitWritten(_:timeout:)`.
    var mark: UInt64 { cond.withLock { enqueued } }

    /// Waits until every line queued before `mark` was taken was written, or `timeout` passed.
    func waitWritten(_ mark: UInt64, timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        cond.lock()
        defer { cond.unlock() }
        while written < mark && cond.wait(until: deadline) {}
    }

    private func run() {
        while true {
            cond.lock()
            while queue.isEmpty && !reopenAll { cond.wait() }
            let batch = queue
            let reopen = reopenAll
            let lost = dropped
            queue.removeAll(keepingCapacity: true)
            queuedBytes = 0
            reopenAll = false
            dropped = [:]
            cond.unlock()

            if reopen {
                for (_, f) in files { Glibc.close(f.fd) }
                files.removeAll()
            }
            for (profile, n) in lost.sorted(by: { $0.key < $1.key }) {
                let note = "\(n) log lines were not written to disk: the disk did not keep up"
                write(profile, [log.render(level: "warning", message: note, fields: [("profile", profile)])])
            }
            var lines: [String: [String]] = [:]
            var order: [String] = []
            func flush() {
                for p in order { write(p, lines[p]!) }
                lines.removeAll(keepingCapacity: true)
                order.removeAll(keepingCapacity: true)
            }
            var count: UInt64 = 0
            for entry in batch {
                switch entry {
                case .line(let p, let l):
                    count += 1
                    if lines[p] == nil { order.append(p) }
                    lines[p, default: []].append(l)
                case .close(let p):
                    flush()
                    if let f = files.removeValue(forKey: p) { Glibc.close(f.fd) }
                }
            }
            flush()
            cond.withLock {
                written += count
                cond.broadcast()
            }
        }
    }

    /// Appends `lines` to `profile`'s file, rotating whenever the next line would take it past
    /// the maximum size.
    private func write(_ profile: String, _ lines: [String]) {
        var chunk: [UInt8] = []
        for line in lines {
            let bytes = line.utf8.count + 1
            guard let f = file(profile) else { return }
            if rotation.isDue(size: f.size + chunk.count, adding: bytes) {
                flush(profile, &chunk)
                rotate(profile)
            }
            chunk += line.utf8
            chunk.append(0x0A)
        }
        flush(profile, &chunk)
    }

    private func flush(_ profile: String, _ chunk: inout [UInt8]) {
        guard !chunk.isEmpty, let f = file(profile) else { return }
        defer { chunk.removeAll(keepingCapacity: true) }
        if writeAll(f.fd, chunk) {
            files[profile]?.size += chunk.count
            if failing.remove(profile) != nil { log.log("info", "writing the log file again", ["profile": profile]) }
        } else if failing.insert(profile).inserted {
            log.log(
                "warning", "cannot write the log file: lines are lost until it works again",
                ["profile": profile, "file": path(profile), "error": "\(SystemError(errno: errno))"])
        }
    }

    private func rotate(_ profile: String) {
        if let f = files.removeValue(forKey: profile) { Glibc.close(f.fd) }
        let renames = rotation.renames(path(profile))
        if renames.isEmpty { unlink(path(profile)) }
        for (from, to) in renames { rename(from, to) }
    }

    func path(_ profile: String) -> String { directory + "/\(profile).log" }

    private func file(_ profile: String) -> (fd: Int32, size: Int)? {
        if let f = files[profile] { return f }
        if mkdir(directory, 0o750) != 0 && errno != EEXIST { return nil }
        let fd = open(path(profile), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            if failing.insert(profile).inserted {
                log.log(
                    "warning", "cannot open the log file: lines are lost until it works again",
                    ["profile": profile, "file": path(profile), "error": "\(SystemError(errno: errno))"])
            }
            return nil
        }
        var st = stat()
        fstat(fd, &st)
        let f = (fd: fd, size: Int(st.st_size))
        files[profile] = f
        return f
    }
}
