import Foundation
import Glibc

/// Writes a file so that a reader sees the old bytes or the new ones, never a part, also after a
/// crash: a temporary file (mode 0600) written and fsynced, renamed over `path`, then the
/// directory fsynced.
public enum DurableFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameter sync: false leaves out both fsyncs: readers still see old or new bytes, never a
    ///   part, but a crash may lose the file until the caller has synced the file system (a batch
    ///   of many files made durable by one `syncfs`, which costs what one fsync does).
    public static func write(_ bytes: [UInt8], to path: String, sync: Bool = true) throws {
        let tmp = path + ".tmp"
        try writeTemporary(bytes, to: tmp, flags: O_TRUNC, mode: 0o600, sync: sync, reporting: path)
        guard rename(tmp, path) == 0 else {
            let problem = SystemError(errno: errno)
            unlink(tmp)
            throw Failure(description: "cannot write \(path): \(problem)")
        }
        guard sync else { return }
        let dir = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    /// Creates `path` holding `bytes`, never replacing a file there: a temporary file written,
    /// fsynced and linked at `path`. After a crash `path` holds all of the bytes or does not
    /// exist (the directory is not synced: the new name may be lost, never half written).
    /// - Throws: `Failure`, also when `path` exists.
    public static func create(_ bytes: [UInt8], at path: String, mode: mode_t) throws {
        let tmp = path + ".new"
        unlink(tmp)
        try writeTemporary(bytes, to: tmp, flags: O_EXCL, mode: mode, sync: true, reporting: tmp)
        defer { unlink(tmp) }
        guard link(tmp, path) == 0 else {
            throw Failure(description: "cannot create \(path): \(SystemError(errno: errno))")
        }
    }

    /// Creates `directory` (mode 0700) unless it exists.
    public static func makeDirectory(_ directory: String) throws {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw Failure(description: "cannot create \(directory): \(SystemError(errno: errno))")
        }
    }

    /// Writes `bytes` to the temporary file `tmp`, opened with `flags` added to a create, and
    /// fsyncs it when `sync`; removes it when the write fails.
    /// - Throws: `Failure` naming `tmp` when it cannot be opened, `reporting` when it cannot be
    ///   written.
    private static func writeTemporary(
        _ bytes: [UInt8], to tmp: String, flags: Int32, mode: mode_t, sync: Bool, reporting: String
    ) throws {
        let fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode)
        guard fd >= 0 else { throw Failure(description: "cannot write \(tmp): \(SystemError(errno: errno))") }
        let written = writeFully(fd, bytes) && (!sync || fsync(fd) == 0)
        let problem = SystemError(errno: errno)
        close(fd)
        guard written else {
            unlink(tmp)
            throw Failure(description: "cannot write \(reporting): \(problem)")
        }
    }

    private static func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }
}
