import AlmanacCore
import Foundation
import RowMapping

/// Remembers, in the profile's state directory, that a connector has written its target file.
///
/// A job's target file that does not exist yet is an empty store (the first write creates it);
/// once written, a missing file is an error (`PREFIX.path_missing`): the file was removed, and
/// reading it as empty would look like every item had been deleted.
public struct SinkMarker: Sendable {
    public let url: URL

    public init(context: ConnectorContext, path: URL) {
        var h = ContentHash()
        h.add(path.standardizedFileURL.path)
        let name = "\(context.profile).\(context.connectionName).\(h.hex).written"
        url = context.stateDirectory.appendingPathComponent("files", isDirectory: true).appendingPathComponent(name)
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: url.path) }

    /// Records the first write. Best effort: a state directory that cannot be written only means
    /// a later missing file is read as empty (the engine's mass-delete guard still applies).
    public func record() {
        guard !exists else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: url.path, contents: Data())
    }
}
