import AlmanacCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What identifies one state of a file: if any of it changes, the file changed.
public struct FileStamp: Hashable, Sendable {
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var inode: UInt64

    /// `size.mtime.inode`, for continuations.
    public var token: String { "\(size).\(modifiedNanoseconds).\(inode)" }
}

/// The files a file connector reads: `path` itself, or the files of directory `path` matching
/// `glob` (sorted by name; hidden files and files being written are left out) — and the checks
/// that a file is complete before it is read.
///
/// Errors use `prefix` (`csv`, `xml`) in their codes:
/// - `PREFIX.path_missing`: `path` does not exist;
/// - `PREFIX.no_files`: the directory has no matching file (never an empty listing: a missing
///   export must not delete what was synced from the last one);
/// - `PREFIX.file_busy`: the file is being written (size or modification time changed between two
///   looks, or a `*.tmp`/`*.part`/lock file sits beside it). Retryable: the next run reads it.
public struct FileSource: Sendable {
    public let prefix: String
    public let path: URL
    public let glob: String
    /// How long a file must stay unchanged before it is read.
    public let settle: Duration

    public init(prefix: String, path: URL, glob: String, settle: Duration) {
        self.prefix = prefix
        self.path = path
        self.glob = glob
        self.settle = settle
    }

    private func error(
        _ code: Swift.KeyPath<FileErrorCodes, ErrorCode>, _ message: String, cause: (any Error)? = nil
    ) -> AlmanacError {
        AlmanacError(FileErrorCodes.of(prefix)[keyPath: code], message, cause: cause, retryable: code == \.fileBusy)
    }

    public var isDirectory: Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// The files to read, in name order. Throws `path_missing` or `no_files`.
    public func files() throws -> [URL] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDir) else {
            throw error(
                \.pathMissing, "\(path.path) does not exist: check `path` (nothing is synced while it is missing)")
        }
        guard isDir.boolValue else { return [path] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path.path)
        } catch {
            throw self.error(\.unreadable, "cannot list \(path.path): \(error.localizedDescription)", cause: error)
        }
        let matching = names.filter { name in
            !name.hasPrefix(".") && !FileSource.looksInProgress(name) && fnmatch(glob, name, 0) == 0
        }.sorted()
        guard !matching.isEmpty else {
            throw error(
                \.noFiles,
                "no file in \(path.path) matches \"\(glob)\": nothing is read (and nothing deleted) until one does")
        }
        return matching.map { path.appendingPathComponent($0) }
    }

    static func looksInProgress(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".tmp") || lower.hasSuffix(".part") || lower.hasSuffix(".lock")
            || lower.hasSuffix(".partial") || lower.hasSuffix(".crdownload") || name.hasPrefix("~$")
            || name.hasPrefix(".~lock.")
    }

    /// Names of in-progress companions of `name` (an upload's temp file, an office lock file).
    static func companions(of name: String) -> [String] {
        let stem = (name as NSString).deletingPathExtension
        var out = [
            "\(name).tmp", "\(name).part", "\(name).partial", "\(name).lock", "\(name).crdownload",
            "~$\(name)", ".~lock.\(name)#",
        ]
        if stem != name { out += ["\(stem).tmp", "\(stem).lock"] }
        return out
    }

    /// The current stamp of `url`. Throws `unreadable` when it cannot be examined.
    public func stamp(_ url: URL) throws -> FileStamp {
        var st = stat()
        guard stat(url.path, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            throw error(\.unreadable, "cannot read \(url.path): \(reason)", cause: SystemError(errno: errno))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw error(\.unreadable, "\(url.path) is not a regular file")
        }
        return FileStamp(
            size: Int64(st.st_size),
            modifiedNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            inode: UInt64(st.st_ino))
    }

    /// Waits until `url` has been left alone for `settle`, and returns its stamp.
    /// Throws `file_busy` when a companion temp/lock file exists or the file changes meanwhile.
    public func stableStamp(_ url: URL) throws -> FileStamp {
        let dir = url.deletingLastPathComponent()
        for companion in FileSource.companions(of: url.lastPathComponent)
        where FileManager.default.fileExists(atPath: dir.appendingPathComponent(companion).path) {
            throw error(
                \.fileBusy,
                "\(url.path) is being written (\(companion) is beside it): it is read once that file is gone")
        }
        let first = try stamp(url)
        let settleNS = settle.components.seconds * 1_000_000_000 + settle.components.attoseconds / 1_000_000_000
        let ageNS = Int64(Date().timeIntervalSince1970 * 1e9) - first.modifiedNanoseconds
        if settleNS > 0 {
            let wait = max(Int64(0), min(settleNS - ageNS, settleNS))
            if wait > 0 { usleep(UInt32(min(wait / 1000, 60_000_000))) }
            try unchanged(url, since: first)
        }
        return first
    }

    /// Throws `file_busy` when `url` no longer has `stamp` (it was rewritten while being read).
    public func unchanged(_ url: URL, since stamp: FileStamp) throws {
        let now = try self.stamp(url)
        guard now == stamp else {
            throw error(
                \.fileBusy,
                "\(url.path) changed while it was being read (size \(stamp.size) → \(now.size)): it is read again on the next run"
            )
        }
    }
}
