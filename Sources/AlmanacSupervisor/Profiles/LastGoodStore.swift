import AlmanacCore
import CProcessControl
import Foundation
import Glibc

/// The last valid version of each profile file: `STATE/lastgood/NAME.toml` (mode 0600) and its
/// SHA-256 in `NAME.sha256`, each written atomically (temporary file, rename) and made durable by
/// `sync()` (one `syncfs` for all the copies a scan wrote). Workers read
/// the copy (`almanac worker --config`), so a restart, a crash or a daemon restart while the file
/// on disk is invalid runs the version that was validated, never the broken file.
struct LastGoodStore {
    let directory: String

    init(stateDirectory: String) { directory = stateDirectory + "/lastgood" }

    /// Where the copy of `name` lives.
    func copyPath(_ name: String) -> String { directory + "/\(name).toml" }

    private func hashPath(_ name: String) -> String { directory + "/\(name).sha256" }

    /// The hash of the saved copy of `name`; nil without one, or when its bytes no longer hash to
    /// the recorded value.
    func savedHash(_ name: String) -> String? {
        guard let data = FileManager.default.contents(atPath: copyPath(name)),
            let recorded = FileManager.default.contents(atPath: hashPath(name))
        else { return nil }
        let hash = SHA256.hex(data)
        return String(decoding: recorded, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == hash
            ? hash : nil
    }

    /// Saves the bytes of `original` as the last valid version of `name` when they hash to `hash`
    /// (the version just validated). Does nothing when that version is already saved. Returns
    /// whether it wrote; what it wrote is durable after `sync()`.
    /// - Throws: `LastGoodError` when the file changed since it was validated (a later scan saves
    ///   the newer version) or the copy cannot be written.
    func save(_ name: String, from original: String, hash: String) throws -> Bool {
        if savedHash(name) == hash { return false }
        guard let data = FileManager.default.contents(atPath: original) else {
            throw LastGoodError("cannot read \(original) again to keep it as the last valid version")
        }
        guard SHA256.hex(data) == hash else {
            throw LastGoodError("\(original) changed while it was validated; the next scan keeps the new version")
        }
        try DurableFile.makeDirectory(directory)
        try DurableFile.write(Array(data), to: copyPath(name), sync: false)
        try DurableFile.write(Array((hash + "\n").utf8), to: hashPath(name), sync: false)
        return true
    }

    /// Syncs the file system of the copies (`syncfs`): what `save` wrote is durable.
    func sync() -> Bool {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return almanac_syncfs(fd) == 0
    }

    /// Forgets the copy of `name` (its file was removed).
    func remove(_ name: String) {
        unlink(hashPath(name))
        unlink(copyPath(name))
    }

    /// The profiles that have a saved copy.
    func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.compactMap {
            guard case .profile(let name) = ProfileFile(fileName: $0) else { return nil }
            return name
        }
    }
}

/// Why the last valid version of a profile could not be kept.
struct LastGoodError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
