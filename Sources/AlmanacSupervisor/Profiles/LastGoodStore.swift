import AlmanacCore
import CProcessControl
import Foundation
import Glibc

/// The last valid version of each profile file: `STATE/lastgood/NAME.toml` (mode 0600), and the
/// SHA-256 of every copy in one file, `STATE/lastgood/hashes` (a `NAME HASH` line each), each
/// written atomically (temporary file, rename) and made durable by `sync()` (one `syncfs` for
/// all a scan wrote). Workers read the copy (`almanac worker --config`), so a restart, a crash or
/// a daemon restart while the file on disk is invalid runs the version that was validated, never
/// the broken file. One file for the hashes rather than one beside each copy: a first start of
/// 1,000 profiles creates 1,000 files fewer on the daemon's loop, where creating a file is its
/// costliest step. A copy saved by an earlier version has its hash in `NAME.sha256`, read when
/// `hashes` has none and removed when the copy is saved again.
final class LastGoodStore {
    let directory: String
    /// The recorded hashes, read from `hashes` on first use and changed in place.
    private lazy var hashes: [String: String] = Self.parse(FileManager.default.contents(atPath: indexPath) ?? Data())
    /// `hashes` has changes the file does not have yet.
    private var dirty = false

    init(stateDirectory: String) { directory = stateDirectory + "/lastgood" }

    /// Where the copy of `name` lives.
    func copyPath(_ name: String) -> String { directory + "/\(name).toml" }

    private var indexPath: String { directory + "/hashes" }

    private func legacyHashPath(_ name: String) -> String { directory + "/\(name).sha256" }

    /// The `NAME HASH` lines of `hashes`; a line that is not one is ignored.
    static func parse(_ data: Data) -> [String: String] {
        var out: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, ProfileFile.isValidName(String(parts[0])), parts[1].count == 64 else { continue }
            out[String(parts[0])] = String(parts[1])
        }
        return out
    }

    /// The hash of the saved copy of `name`; nil without one, or when its bytes no longer hash to
    /// the recorded value.
    func savedHash(_ name: String) -> String? {
        guard let data = FileManager.default.contents(atPath: copyPath(name)) else { return nil }
        let expected =
            hashes[name]
            ?? FileManager.default.contents(atPath: legacyHashPath(name)).map {
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        let hash = SHA256.hex(data)
        return expected == hash ? hash : nil
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
        hashes[name] = hash
        dirty = true
        unlink(legacyHashPath(name))
        return true
    }

    /// Writes `hashes` when it changed, then syncs the file system of the copies (`syncfs`):
    /// what `save` and `remove` did is durable. Nil when there was nothing to write; false when
    /// writing or syncing failed (the next change tries again).
    func sync() -> Bool? {
        guard dirty else { return nil }
        dirty = false
        let lines = hashes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
        do {
            try DurableFile.makeDirectory(directory)
            try DurableFile.write(Array(lines.utf8), to: indexPath, sync: false)
        } catch {
            dirty = true
            return false
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return almanac_syncfs(fd) == 0
    }

    /// Forgets the copy of `name` (its file was removed).
    func remove(_ name: String) {
        unlink(legacyHashPath(name))
        unlink(copyPath(name))
        if hashes.removeValue(forKey: name) != nil { dirty = true }
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
