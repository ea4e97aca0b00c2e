import Foundation

/// The file operations provisioning needs: private (0600/0700), durable (fsync), and atomic.
enum PrivateFiles {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes `bytes` to a new file `path` (mode 0600; `exclusive`: it must not exist), fsynced.
    static func write(_ bytes: [UInt8], to path: String, exclusive: Bool) throws {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC)
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot write \(path): \(SystemError(errno: errno))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = SystemError(errno: errno)
                unlink(path)
                throw Failure(description: "cannot write \(path): \(e)")
            }
            done += n
        }
        guard fsync(fd) == 0 else {
            let e = SystemError(errno: errno)
            unlink(path)
            throw Failure(description: "cannot write \(path): \(e)")
        }
    }

    /// Makes `path` name what `tmp` holds: `replace` renames over it; otherwise it must not exist
    /// (a hard link, which fails when it does, then the temporary name is removed). The
    /// directory is fsynced.
    static func commit(_ tmp: String, to path: String, replace: Bool) throws {
        if replace {
            guard rename(tmp, path) == 0 else {
                throw Failure(description: "cannot rename \(tmp) to \(path): \(SystemError(errno: errno))")
            }
        } else {
            guard link(tmp, path) == 0 else {
                let e = errno
                throw Failure(description: e == EEXIST ? "exists" : "cannot create \(path): \(SystemError(errno: e))")
            }
            unlink(tmp)
        }
        syncDirectory(of: path)
    }

    static func syncDirectory(of path: String) {
        let dir = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    /// Creates `directory` (mode 0700); `exclusive`: it must not exist.
    static func makeDirectory(_ directory: String, exclusive: Bool = false) throws {
        if mkdir(directory, 0o700) != 0 {
            guard errno == EEXIST, !exclusive else {
                throw Failure(description: "cannot create \(directory): \(SystemError(errno: errno))")
            }
        }
    }

    /// Removes a directory and what it holds (no error when it does not exist).
    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
