import AlmanacCore
import Foundation

/// Where a connection's refresh token lives between runs: `STATE_DIR/<profile>.<connection>.oauth.json`
/// (`<connection>.oauth.json` without a profile),
/// mode 0600, replaced atomically (write to a temporary file, fsync, rename) so a crash never
/// leaves a torn or lost token.
public struct RefreshTokenStore: Sendable {
    public let url: URL

    public init(stateDirectory: URL, profile: String? = nil, connection: String) {
        let name = profile.map { "\($0).\(connection)" } ?? connection
        url = stateDirectory.appendingPathComponent("\(name).oauth.json")
    }

    /// The stored refresh token, or nil when none was stored.
    public func load() -> String? {
        guard let data = try? Data(contentsOf: url),
            let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        return obj["refresh_token"] as? String
    }

    /// Stores `token` atomically. Throws `oauth.store_failed` naming the file (never the token).
    public func save(_ token: String) throws {
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(
                at: dir, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let data = try JSONSerialization.data(withJSONObject: [
                "refresh_token": token,
                "stored_at": Date().formatted(.iso8601),
            ])
            let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
            let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission) }
            let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
            fsync(fd)
            close(fd)
            guard ok, rename(tmp.path, url.path) == 0 else {
                unlink(tmp.path)
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            throw AlmanacError(
                .oauthStoreFailed,
                "cannot store the refresh token in \(url.path); check that the state directory is writable",
                cause: error)
        }
    }
}
