import AlmanacCore
import AlmanacSync
import Foundation

/// The schedule conflicts kept in a profile's state file (`STATE/NAME.sqlite`), read without a
/// worker: what `almanac conflicts` prints when the daemon does not run the profile.
public enum StoredConflicts {
    /// The conflicts of `job` (every job when nil), in the order they were found.
    /// - Throws: `state.open_failed` when there is no state file or it cannot be opened.
    public static func read(stateDirectory: String, profile: String, job: String?) throws -> [ScheduleConflict] {
        let path = stateDirectory + "/\(profile).sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            throw AlmanacError(
                .stateOpenFailed, "no state file \(path): profile \(profile) has not run here (or pass --state)")
        }
        do {
            return try StateStore(path: path).conflicts(job: job)
        } catch let error as AlmanacError {
            throw error
        } catch {
            throw AlmanacError(.stateOpenFailed, "cannot read the state file \(path): \(error)", cause: error)
        }
    }
}
