import AlmanacCore
import Foundation

/// Keeping each profile's last valid version and falling back on it (`LastGoodStore`). Called
/// under `lock`.
extension Supervisor {
    /// Saves the version `slot.profile` was validated from as the profile's last valid version;
    /// its worker then reads that copy. When it cannot be saved, the worker reads the file. Not
    /// synced to disk here: the scan syncs every copy it wrote at its end (`syncLastGood`).
    func keepLastGood(_ slot: WorkerSlot) {
        guard let profile = slot.profile else { return }
        do {
            _ = try lastGood.save(slot.name, from: slot.path, hash: profile.configHash)
            slot.lastGoodPath = lastGood.copyPath(slot.name)
        } catch {
            slot.lastGoodPath = nil
            record(slot, "warning", "cannot keep the last valid version of the profile", ["error": "\(error)"])
        }
    }

    /// Makes the copies the scan wrote or removed durable, with the file of their hashes, all with
    /// one `syncfs` of the state directory's file system: a first start with 1,000 profiles wrote
    /// 2,000 files with two fsyncs each, which took the daemon's loop seconds before any worker
    /// started. Until then a crash may leave a copy torn or missing; `LastGoodStore.savedHash`
    /// then finds no saved version and the next valid load saves it again.
    func syncLastGood() {
        if lastGood.sync() == false {
            log.log("warning", "cannot sync the last valid versions of the profiles to disk")
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
    /// Written only when what is kept changed: a dry run, or a `ready` that brings nothing new,
    /// writes nothing. A book with no run and no connection is no file at all (the profile gives
    /// its jobs): a first start of 1,000 profiles creates 1,000 fewer files.
    func keepRunBook(_ slot: WorkerSlot) {
        do {
            let bytes = try RunBookStore.encode(slot.runs)
            guard bytes != slot.savedRunBook else { return }
            if slot.runs.keepsNothing {
                if slot.savedRunBook != nil { runBooks.remove(slot.name) }
            } else {
                try runBooks.write(slot.name, bytes)
            }
            slot.savedRunBook = bytes
        } catch {
            record(slot, "warning", "cannot keep the runs for status after a restart", ["error": "\(error)"])
        }
    }
}
