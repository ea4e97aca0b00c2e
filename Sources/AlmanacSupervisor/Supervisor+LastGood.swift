import AlmanacCore
import Foundation

/// Keeping each profile's last valid version and falling back on it (`LastGoodStore`). Called
/// under `lock`.
extension Supervisor {
    var lastGood: LastGoodStore { LastGoodStore(stateDirectory: config.stateDirectory) }

    /// Saves the version `slot.profile` was validated from as the profile's last valid version;
    /// its worker then reads that copy. When it cannot be saved, the worker reads the file.
    func keepLastGood(_ slot: WorkerSlot) {
        guard let profile = slot.profile else { return }
        do {
            try lastGood.save(slot.name, from: slot.path, hash: profile.configHash)
            slot.lastGoodPath = lastGood.copyPath(slot.name)
        } catch {
            slot.lastGoodPath = nil
            record(slot, "warning", "cannot keep the last valid version of the profile", ["error": "\(error)"])
        }
    }

    /// The saved last valid version of the profile whose file `loaded` failed to load, when there
    /// is one and it is still valid (a daemon restart while the file is invalid).
    func savedLastGood(_ loaded: LoadedProfile, for slot: WorkerSlot) -> Profile? {
        guard lastGood.savedHash(loaded.name) != nil else { return nil }
        let copy = lastGood.copyPath(loaded.name)
        switch loader.load(path: loaded.path, readingFrom: copy).result {
        case .success(let profile):
            slot.lastGoodPath = copy
            return profile
        case .failure(let errors):
            record(
                slot, "error", "the last valid version of the profile is no longer valid either",
                ["errors": errors.issues.map(\.description).joined(separator: "; ")])
            return nil
        }
    }

    /// Forgets the saved versions of profiles whose file is gone (removed, also while the daemon
    /// was down).
    func forgetLastGood(except names: Set<String>) {
        for name in lastGood.names() where !names.contains(name) { lastGood.remove(name) }
        runBooks.forget(except: names)
    }

    var runBooks: RunBookStore { RunBookStore(stateDirectory: config.stateDirectory) }

    /// Keeps `slot`'s run book on disk, for status after a daemon restart while no worker runs.
    /// Written (and fsynced, on the event loop) only when what is kept changed: a dry run, or a
    /// `ready` that brings nothing new, writes nothing.
    func keepRunBook(_ slot: WorkerSlot) {
        do {
            let bytes = try RunBookStore.encode(slot.runs)
            guard bytes != slot.savedRunBook else { return }
            try runBooks.write(slot.name, bytes)
            slot.savedRunBook = bytes
        } catch {
            record(slot, "warning", "cannot keep the runs for status after a restart", ["error": "\(error)"])
        }
    }
}
