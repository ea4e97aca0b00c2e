import AlmanacCore
import Foundation

/// Remembers, in the profile's state directory, that a connector has written its target file.
///
/// A job's target file that does not exist yet is an empty store (the first write creates it);
/// once written, a missing file is an error (`PREFIX.path_missing`): the file was removed, and
/// reading it as empty would look like every item had been deleted.
public struct SinkMarker: Sendable {
    public let url: URL

    public init(context: ConnectorContext, path: URL) {
        let hash = Self.nameHash(path.standardizedFileURL.path)
        let name = "\(context.profile).\(context.connectionName).\(hash).written"
        url = context.stateDirectory.appendingPathComponent("files", isDirectory: true).appendingPathComponent(name)
    }

    /// The path's part of the marker's name: FNV-1a 64 of its UTF-8 and a 0x1F, in 16 hex digits.
    /// A name, not a content hash: it must stay the same across versions, or a marker written
    /// before an upgrade is not found and a removed target file reads as empty again.
    static func nameHash(_ path: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in path.utf8 + [0x1F] { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
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
