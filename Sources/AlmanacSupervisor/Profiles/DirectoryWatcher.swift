import Glibc

/// inotify on the profiles directory. The supervisor polls `fd`; `drain()` consumes the pending
/// events and returns the file names they concern. Events only say "look again": the supervisor
/// debounces them and re-reads the files, and a periodic rescan covers whatever inotify misses
/// (a directory replaced, a queue overflow, a file system without inotify).
public final class DirectoryWatcher {
    public let fd: Int32
    private var watch: Int32 = -1

    /// Returns nil when inotify is unavailable (the periodic rescan still works).
    public init?(directory: String) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        let mask = UInt32(
            IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB
                | IN_DELETE_SELF | IN_MOVE_SELF)
        watch = inotify_add_watch(fd, directory, mask)
    }

    deinit { close(fd) }

    /// Whether the directory itself is watched (false: it did not exist or was replaced).
    public var isWatching: Bool { watch >= 0 }

    /// Re-arms the watch (after the directory was created or replaced).
    public func rewatch(directory: String) {
        if watch >= 0 { inotify_rm_watch(fd, watch) }
        let mask = UInt32(
            IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB
                | IN_DELETE_SELF | IN_MOVE_SELF)
        watch = inotify_add_watch(fd, directory, mask)
    }

    /// Consumes pending events; returns the names touched (an empty name: the directory itself).
    public func drain() -> [String] {
        var names: [String] = []
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let (mask, len) = buf.withUnsafeBytes { raw -> (UInt32, Int) in
                    let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (e.mask, Int(e.len))
                }
                let nameBytes = buf[(offset + header)..<min(offset + header + len, n)].prefix { $0 != 0 }
                names.append(String(decoding: nameBytes, as: UTF8.self))
                if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 { watch = -1 }
                offset += header + len
            }
        }
        return names
    }
}
