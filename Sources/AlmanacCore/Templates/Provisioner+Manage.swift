import Foundation

/// Changing and removing profiles: their schedule, their secrets and tokens, their state.
extension Provisioner {
    /// True when the profile file has a `[generated]` table (it was made from a template).
    public func isGenerated(_ name: String) -> Bool {
        guard let text = try? String(contentsOfFile: profilePath(name), encoding: .utf8),
            case .success(let table) = TOMLReader.parse(text, file: profilePath(name))
        else { return false }
        if case .table? = table["generated"] { return true }
        return false
    }

    /// Rewrites a generated profile's `[schedule]` atomically (validated first).
    /// - Throws: `ProvisionError` `.badRequest`, `.notFound` (`profile.not_found`), `.notManaged`
    ///   (`profile.not_managed`: a hand-written profile, never rewritten), `.invalid`, `.failed`.
    public func setSchedule(_ name: String, _ schedule: ScheduleSpec) throws(ProvisionError) {
        guard ProfileFile.isValidName(name) else {
            throw ProvisionError(.badRequest, .apiBadRequest, "not a profile name: \(ProvisionError.quoted(name))")
        }
        let path = profilePath(name)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ProvisionError(.notFound, .profileNotFound, "no profile named \(ProvisionError.quoted(name))")
        }
        guard case .success(var table) = TOMLReader.parse(text, file: path),
            case .table(let generated)? = table["generated"]
        else {
            throw ProvisionError(
                .notManaged, .profileNotManaged,
                "\(name) was not generated from a template: edit its file (\(path)) instead; it is never rewritten")
        }
        table["schedule"] = .table(schedule.table)
        let template = generated.string("template") ?? "?"
        let out = Self.header(template: template) + "\n" + TOMLWriter.write(table)
        let tmp = profilesDirectory + "/.\(name).toml.tmp"
        do {
            try PrivateFiles.write(Array(out.utf8), to: tmp, exclusive: false)
        } catch {
            throw ProvisionError(.failed, .profileWriteFailed, "\(name): the schedule was not changed: \(error)")
        }
        if case .failure(let e) = loader.load(path: path, readingFrom: tmp).result {
            unlink(tmp)
            let problems = e.issues
            throw ProvisionError(.invalid, .profileInvalid, "\(name): the schedule is not valid", problems: problems)
        }
        do {
            try PrivateFiles.commit(tmp, to: path, replace: true)
        } catch {
            unlink(tmp)
            throw ProvisionError(.failed, .profileWriteFailed, "\(name): the schedule was not changed: \(error)")
        }
    }

    /// Deletes the profile's provisioned secrets (`STATE/secrets/NAME`). Returns whether any existed.
    @discardableResult
    public func removeSecrets(_ name: String) -> Bool {
        guard ProfileFile.isValidName(name) else { return false }
        let dir = secretsDirectory(name)
        let existed = FileManager.default.fileExists(atPath: dir)
        PrivateFiles.removeTree(dir)
        return existed
    }

    /// Deletes the OAuth refresh tokens `almanac auth` and the workers store for the profile
    /// (`STATE/NAME.CONNECTION.oauth.json`). Returns the files removed.
    @discardableResult
    public func removeTokens(_ name: String) -> [String] {
        guard ProfileFile.isValidName(name) else { return [] }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: stateDirectory)) ?? []
        var removed: [String] = []
        for f in files where f.hasPrefix(name + ".") && f.hasSuffix(".oauth.json") {
            let connection = f.dropFirst(name.count + 1).dropLast(".oauth.json".count)
            guard !connection.isEmpty, !connection.contains("/") else { continue }
            if unlink(stateDirectory + "/" + f) == 0 { removed.append(f) }
        }
        return removed
    }

    /// Deletes the profile's sync state: its state store, lock, tokens, run book and disable marker.
    public func purgeState(_ name: String) {
        guard ProfileFile.isValidName(name) else { return }
        for suffix in [".sqlite", ".sqlite-wal", ".sqlite-shm", ".lock", ".disabled"] {
            unlink(stateDirectory + "/\(name)\(suffix)")
        }
        unlink(stateDirectory + "/runbook/\(name).json")
        removeTokens(name)
    }

    /// Removes a generated profile's file and its provisioned secrets.
    /// - Throws: `ProvisionError` `.badRequest`, `.notFound`, `.notManaged` (`profile.not_managed`: a
    ///   hand-written profile, which only its author removes), `.failed`.
    public func remove(_ name: String) throws(ProvisionError) {
        guard ProfileFile.isValidName(name) else {
            throw ProvisionError(.badRequest, .apiBadRequest, "not a profile name: \(ProvisionError.quoted(name))")
        }
        let path = profilePath(name)
        if FileManager.default.fileExists(atPath: path), !isGenerated(name) {
            throw ProvisionError(
                .notManaged, .profileNotManaged,
                "\(name) was not generated from a template: remove its file (\(path)) instead; it is never removed "
                    + "through the API")
        }
        guard unlink(path) == 0 else {
            if errno == ENOENT {
                throw ProvisionError(.notFound, .profileNotFound, "no profile named \(ProvisionError.quoted(name))")
            }
            throw ProvisionError(.failed, .profileWriteFailed, "cannot remove \(path): \(SystemError(errno: errno))")
        }
        PrivateFiles.syncDirectory(of: path)
        removeSecrets(name)
    }
}
