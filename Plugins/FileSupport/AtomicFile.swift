import AlmanacCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a complete file next to its destination and renames it into place: readers see the
/// old file or the new one, never a part. `commit()` flushes, fsyncs the file, renames, and
/// fsyncs the directory. A writer dropped without `commit()` removes its temp file.
///
/// Errors: `PREFIX.write_failed` naming the path and the system's reason.
public final class AtomicFile {
    public let destination: URL
    private let temp: URL
    private let prefix: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var done = false

    public init(_ destination: URL, prefix: String) throws {
        self.destination = destination
        self.prefix = prefix
        let dir = destination.deletingLastPathComponent()
        temp = dir.appendingPathComponent(
            ".\(destination.lastPathComponent).almanac-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp")
        var mode: mode_t = 0o644
        var st = stat()
        if stat(destination.path, &st) == 0 { mode = st.st_mode & 0o7777 }
        fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw AtomicFile.failure(prefix, "cannot create \(temp.path)")
        }
        _ = fchmod(fd, mode)
        buffer.reserveCapacity(1 << 18)
    }

    deinit {
        if !done {
            close(fd)
            unlink(temp.path)
        }
    }

    private static func failure(_ prefix: String, _ what: String) -> AlmanacError {
        AlmanacError(
            FileErrorCodes.of(prefix).writeFailed, "\(what): \(String(cString: strerror(errno)))",
            cause: SystemError(errno: errno))
    }

    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 18 { try flush() }
    }

    public func write(_ string: String) throws { try write(string.utf8) }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFile.failure(prefix, "cannot write \(temp.path)")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Makes the new content durable and visible at `destination`.
    public func commit() throws {
        try flush()
        guard fsync(fd) == 0 else { throw AtomicFile.failure(prefix, "cannot flush \(temp.path) to disk") }
        close(fd)
        done = true
        guard rename(temp.path, destination.path) == 0 else {
            let err = AtomicFile.failure(prefix, "cannot replace \(destination.path)")
            unlink(temp.path)
            throw err
        }
        let dirfd = open(destination.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }
}
