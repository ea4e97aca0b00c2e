import AlmanacCore
import Foundation
import GRDB
import Glibc

/// New state files written from the image of one already migrated, instead of created by running
/// every migration (`StateStore.migrator`): each migration is a transaction that reads the whole
/// schema again, nine of them for every new profile, and SQLite parsing them was the largest part
/// of the CPU of 1,000 workers starting. The worker template makes the image once, on its warm-up
/// (`makeNewFileImage`, `useNewFileImage`); the workers it forks inherit it. A file made from the
/// image is the file the migrations make: the migrator finds every migration applied, and later
/// migrations run on it as on any other file.
extension StateStore {
    nonisolated(unsafe) private static var processImage: [UInt8]?

    /// The image this process writes new state files from; nil (the default): the migrations
    /// create them.
    public static var newFileImage: [UInt8]? { processImage }

    /// Makes new state files from `image` in this process and the processes it forks from now on.
    /// Call before any other thread starts (the worker template is single-threaded).
    public static func useNewFileImage(_ image: [UInt8]) { processImage = image }

    /// Migrates a new state file in `directory` and checkpoints it into its main file, whose
    /// bytes are the image. Returns the store too: closing it starts threads, which the worker
    /// template must not, so it keeps it open.
    public static func makeNewFileImage(in directory: String) throws -> (store: StateStore, image: [UInt8]) {
        let store = try StateStore(path: directory + "/new-file-image.sqlite", image: nil)
        _ = try store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        guard let data = FileManager.default.contents(atPath: store.path), !data.isEmpty else {
            throw AlmanacError(.stateOpenFailed, "cannot read back the new state file \(store.path)")
        }
        return (store, Array(data))
    }

    /// Writes `image` at `path` when nothing is there yet (no file, and no write-ahead log left
    /// without one). Creating it is all or nothing (`DurableFile.create`); when it fails, SQLite
    /// creates the file as without an image.
    static func write(_ image: [UInt8], newFileAt path: String) {
        let absent = [path, path + "-wal"].allSatisfy { (file: String) in access(file, F_OK) != 0 && errno == ENOENT }
        guard absent else { return }
        try? DurableFile.create(image, at: path, mode: 0o644)
    }
}
