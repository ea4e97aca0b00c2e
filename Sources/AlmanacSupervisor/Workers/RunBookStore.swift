import AlmanacCore
import AlmanacWire
import Foundation
import Glibc

/// The supervisor's copy of each profile's `RunBook`: `STATE/runbook/NAME.json`, written
/// atomically whenever a worker reports runs or connections, read when the daemon starts. The
/// worker's state file stays the record (its `ready` updates the book); this copy is what status
/// shows while no worker runs. So it is not fsynced: after a crash a torn or missing book reads as
/// none, and the worker's next `ready` brings its runs back. (1,000 profiles becoming ready wrote
/// 1,000 books with two fsyncs each on the daemon's loop, delaying every other worker's `ready`.)
struct RunBookStore {
    let directory: String

    init(stateDirectory: String) { directory = stateDirectory + "/runbook" }

    func path(_ name: String) -> String { directory + "/\(name).json" }

    /// The saved book of `name`; nil when there is none or it cannot be read.
    func load(_ name: String) -> RunBook? {
        guard let data = FileManager.default.contents(atPath: path(name)) else { return nil }
        return try? Wire.decoder().decode(RunBook.self, from: data)
    }

    /// The bytes `write` keeps for `book`.
    static func encode(_ book: RunBook) throws -> [UInt8] { Array(try Wire.encoder().encode(book)) }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try DurableFile.makeDirectory(directory)
        try DurableFile.write(bytes, to: path(name), sync: false)
    }

    /// Removes the book of `name`, when it keeps nothing the profile does not say.
    func remove(_ name: String) { unlink(path(name)) }

    /// Forgets the books of profiles not in `names` (their files were removed).
    func forget(except names: Set<String>) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files where file.hasSuffix(".json") && !names.contains(String(file.dropLast(5))) {
            unlink(directory + "/" + file)
        }
    }
}
