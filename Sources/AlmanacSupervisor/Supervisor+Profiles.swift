import AlmanacCore
import Foundation

/// Reading the profiles directory and applying what changed (ARCHITECTURE.md §1 "Profile reload").
/// Called under `lock`.
extension Supervisor {
    /// Re-reads the directory: new valid files start a worker, changed files restart only their
    /// worker, invalid edits keep the running worker and set `config_error`, removed files stop.
    func scan() {
        timersDirty = true
        rescanDue = monotonicSeconds() + config.rescanInterval
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: config.profilesDirectory)
        } catch {
            log.log(
                "warning", "cannot list the profiles directory",
                [
                    "dir": config.profilesDirectory,
                    "error": error.localizedDescription,
                ])
            return
        }
        var seen: Set<String> = []
        var others = 0
        for fileName in names.sorted() {
            switch ProfileFile(fileName: fileName) {
            case .ignored: continue
            case .badName(let stem):
                if warnedBadNames.insert(stem).inserted {
                    log.log(
                        "warning", "not a profile name (NAME.toml with 1 to 64 letters and digits): ignored",
                        ["file": fileName])
                }
            case .profile(let name) where config.shard.map({ !$0.owns(name) }) ?? false:
                others += 1
            case .profile(let name):
                seen.insert(name)
                let path = config.profilesDirectory + "/" + fileName
                let signature = FileSignature(path: path)
                if let slot = slots[name], slot.signature == signature, signature != nil { continue }
                apply(loader.load(path: path), signature: signature)
            }
        }
        for slot in slots.values where !seen.contains(slot.name) && slot.afterExit != .remove {
            record(slot, "info", "profile file removed: stopping its worker")
            stop(slot, then: .remove)
        }
        forgetLastGood(except: seen)
        syncLastGood()
        if let shard = config.shard, others != otherShardFiles {
            otherShardFiles = others
            log.log(
                "info", "profiles of other shards in the directory: not run here",
                ["shard": shard.description, "count": String(others)])
        }
    }

    private func apply(_ loaded: LoadedProfile, signature: FileSignature?) {
        let now = monotonicSeconds()
        let slot: WorkerSlot
        if let existing = slots[loaded.name] {
            slot = existing
        } else {
            slot = WorkerSlot(
                name: loaded.name, path: loaded.path, policy: config.policy,
                disabledByMarker: FileManager.default.fileExists(atPath: markerPath(loaded.name)))
            slot.logFile = logFiles
            if let book = runBooks.load(loaded.name) {
                slot.runs = book
                slot.savedRunBook = try? RunBookStore.encode(book)
            }
            seedRing(slot)
            slot.illegalTransition = { [log, name = loaded.name] message in
                log.log("error", message, ["profile": name])
                assertionFailure(message)
            }
            slots[loaded.name] = slot
        }
        slot.signature = signature
        switch loaded.result {
        case .failure(let errors):
            slot.configError = errors.issues.map(\.description)
            if slot.profile == nil { slot.profile = savedLastGood(loaded, for: slot) }
            notifyTrouble(slot, .invalid, code: .profileInvalid, slot.configError!.joined(separator: "; "))
            if slot.process != nil {
                record(
                    slot, "error", "invalid edit: the worker keeps running on its last valid version",
                    ["errors": slot.configError!.joined(separator: "; ")])
            } else if slot.profile != nil {
                record(
                    slot, "error", "invalid profile file: its worker runs the last valid version",
                    ["errors": slot.configError!.joined(separator: "; ")])
                if slot.state == .stopped, slot.enabled {
                    slot.startAt = now
                    slot.enter(.starting)
                } else if slot.state == .stopped {
                    slot.enter(.disabled)
                }
            } else {
                record(slot, "error", "invalid profile", ["errors": slot.configError!.joined(separator: "; ")])
                if slot.state != .disabled || slot.profile == nil { slot.enter(.invalid) }
                slot.startAt = nil
            }
        case .success(let profile):
            let changed = slot.profile?.configHash != profile.configHash
            let hadError = slot.configError != nil
            slot.configError = nil
            slot.profile = profile
            // Status lists the jobs before the worker's `ready` (no book is kept for no runs).
            if slot.runs.jobs.isEmpty { slot.runs.ready(jobs: profile.jobs.map(\.name), stored: [], connections: []) }
            keepLastGood(slot)
            if slot.notified == .invalid { slot.notified = nil }
            if !slot.enabled {
                if slot.process != nil {
                    stop(slot, then: .stay(.disabled))
                } else {
                    slot.startAt = nil
                    slot.enter(.disabled)
                }
                return
            }
            if slot.process != nil {
                if changed {
                    record(slot, "info", "profile changed: restarting its worker")
                    stop(slot, then: .restart)
                }
                return
            }
            if slot.state == .invalid, slot.invalidHash == profile.configHash, !hadError { return }
            if changed || hadError || [.stopped, .disabled, .invalid].contains(slot.state) {
                slot.invalidHash = nil
                slot.tracker.reset()
                slot.startAt = now
                if slot.state != .backoff && slot.state != .fatal { slot.enter(.starting) }
            }
        }
    }

    func markerPath(_ name: String) -> String { config.stateDirectory + "/\(name).disabled" }
}
